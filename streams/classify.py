"""The cell/gene therapy classifier: a pure core built once from the operator files.

Input: ``Taxonomy`` and ``Gazetteers`` (``default_classifier(config_dir)`` loads
``taxonomy.yaml`` and ``gazetteers/``), then per article a title, a text and optionally its
language. Output: ``Classification`` — for every label of the taxonomy a 0–1 score, a salience
(primary/secondary/passing/none) and evidence (matched terms with ~60-character snippets),
``labels`` (primary or secondary), topic tags, institutions and regions with English names,
and the classifier version. ``classify`` does no I/O and keeps no state between calls.

Per label: listed terms, generated compounds and pair rules give hits (after masks and
context rules); features of the hits give a salience, unless the document's structure
decides it (a bulletin brief, a list of fields); caps, co-primary resolution and the
conventions between labels come last.
"""

from __future__ import annotations

from pathlib import Path

from config.contracts.articles import Classification, Evidence, LabelResult
from config.taxonomy import Gazetteers, Taxonomy, load_gazetteers, load_taxonomy
from streams.classify_compounds import expand
from streams.classify_entities import EntityFinder
from streams.classify_items import Brief, brief_hits, briefs, only_listed, stated_alone
from streams.classify_labels import ConventionRule, LabelExtras, LabelRules
from streams.classify_match import Lexicon, PhraseMatcher
from streams.classify_pairs import PairFinder
from streams.classify_score import (
    SALIENCES,
    Features,
    Hit,
    cap,
    features,
    resolve_co_primary,
    salience,
    score,
)
from streams.classify_tags import TagFinder
from streams.classify_text import normalize, snippet, text_units

ENGINE_VERSION = "cgt-rules-3"
MAX_EVIDENCE = 8


class Classifier:
    """Classify articles as cell therapy / gene therapy news (see module docstring)."""

    def __init__(self, taxonomy: Taxonomy, gazetteers: Gazetteers | None = None) -> None:
        self.taxonomy = taxonomy
        self.version = f"{ENGINE_VERSION}+{taxonomy.version}"
        self._lexicon = lexicon = Lexicon()  # all matchers below share it: one pass per field
        self.labels = taxonomy.label_names
        extras = _extras(taxonomy, lexicon)
        self._labels = [LabelRules(name, taxonomy.labels[name], lexicon, extras[name])
                        for name in self.labels]
        self._conventions = [ConventionRule(c, lexicon) for c in taxonomy.conventions]
        self._masks = PhraseMatcher((p for group in taxonomy.masks for p in group.phrases),
                                    lexicon)
        self._tags = TagFinder(taxonomy.tags, lexicon)
        self._entities = EntityFinder(gazetteers or Gazetteers(), lexicon)

    def classify(self, title: str, text: str, lang: str | None = None) -> Classification:
        """Classify one article; ``lang`` is accepted for callers but script is auto-detected."""
        del lang  # normalisation and matching are script-aware; no per-language branch
        try:
            return self._classify(title, text)
        finally:
            self._lexicon.forget()  # scans are shared within one article only

    def _classify(self, title: str, text: str) -> Classification:
        originals = {"title": title or "", "text": text or ""}
        fields = {name: normalize(value) for name, value in originals.items()}
        masks = {name: [(s, e) for _, s, e in self._masks.find(norm)]
                 for name, norm in fields.items()}
        cfg = self.taxonomy.salience
        units = text_units(fields["text"], cfg.units_per_char_zh)
        items = briefs(fields["text"], self.taxonomy.bulletins)
        hits: dict[str, list[Hit]] = {}
        feats: dict[str, Features] = {}
        sal: dict[str, str] = {}
        ceiling: dict[str, str] = {}  # what the document's structure allows a label
        for rules in self._labels:
            found = hits[rules.name] = rules.hits(fields, masks)
            feats[rules.name] = features(found, units, len(fields["text"]), cfg)
            level, ceiling[rules.name] = self._structured(found, fields["text"], items) or (
                salience(feats[rules.name], cfg), "primary")
            # no cap lowers "none" (and conventions never raise it)
            sal[rules.name] = level if level == "none" else cap(
                level, rules.max_salience(fields, found))
        sal = resolve_co_primary(sal, {k: f.strength(cfg) for k, f in feats.items()}, cfg)
        terms = frozenset(h.term for found in hits.values() for h in found)
        for convention in self._conventions:
            sal = convention.apply(sal, fields, terms)
        sal = {name: cap(level, ceiling[name]) for name, level in sal.items()}
        results = {name: LabelResult(score=score(feats[name], cfg) if sal[name] != "none" else 0.0,
                                     salience=sal[name],
                                     evidence=_evidence(hits[name], originals))
                   for name in self.labels}
        institutions, regions = self._entities.find(
            [originals["title"], originals["text"]], [fields["title"], fields["text"]])
        return Classification(
            labels=[n for n in self.labels if sal[n] in ("primary", "secondary")],
            results=results, tags=self._tags.find(fields["title"], fields["text"]),
            institutions=institutions, regions=regions, classifier=self.version)


    def _structured(self, hits: list[Hit], text: str,
                    items: list[Brief]) -> tuple[str, str] | None:
        """Salience from document structure when no title hit names the label, and the
        ceiling it sets (conventions between labels do not lift a label above it): the
        strongest bulletin brief read alone (at most ``bulletins.max_salience``), or at most
        ``lists.max_salience`` when the label is only named in lists of fields."""
        if not hits or any(h.field == "title" and h.kind in ("core", "support") for h in hits):
            return None
        cfg, bulletins = self.taxonomy.salience, self.taxonomy.bulletins
        text_hits = [h for h in hits if h.field == "text"]
        groups = brief_hits(text_hits, items) if items else []
        if groups and len(groups) <= max(1.0, bulletins.max_share_with_hits * len(items)) and \
                sum(len(g) for g, _ in groups) == len(text_hits):
            units = cfg.units_per_char_zh
            levels = [salience(features(group, max(1.0, size * units), size, cfg), cfg)
                      for group, size in groups]
            top, level = bulletins.max_salience, max(levels, key=SALIENCES.index)
            if level == "passing" and stated_alone(text, text_hits,
                                                   tuple(bulletins.enumeration_marks)):
                level = bulletins.stated_salience
            return cap(level, top), top
        if only_listed(text, hits, self.taxonomy.lists):
            top = self.taxonomy.lists.max_salience
            return cap(salience(features(hits, text_units(text, cfg.units_per_char_zh),
                                         len(text), cfg), cfg), top), top
        return None


def _extras(taxonomy: Taxonomy, lexicon: Lexicon) -> dict[str, LabelExtras]:
    """Per label: generated compound terms, ignored phrases and pair rules."""
    generated = expand(taxonomy.compounds)
    out = {name: LabelExtras(compounds=generated.terms.get(name, {}),
                             ignored=generated.ignored.get(name, set()))
           for name in taxonomy.label_names}
    for rule in taxonomy.pairs:
        finder = PairFinder(rule, lexicon)
        for label, spec in rule.hits.items():
            out[label].pairs.append((finder, spec))
    return out


def _evidence(hits: list[Hit], originals: dict[str, str]) -> list[Evidence]:
    """Strongest distinct terms first, title before text; one snippet per term and field."""
    seen: set[tuple[str, str]] = set()
    out: list[Evidence] = []
    ranked = sorted(hits, key=lambda h: (h.kind == "weak", h.field != "title", -h.weight,
                                         h.start))
    for hit in ranked:
        if (hit.term, hit.field) in seen:
            continue
        seen.add((hit.term, hit.field))
        source = originals[hit.field]
        out.append(Evidence(term=source[hit.start:hit.end],
                            snippet=snippet(source, hit.start, hit.end),
                            field=hit.field,
                            weight=hit.weight if hit.kind != "weak" else 0.0))
        if len(out) >= MAX_EVIDENCE:
            break
    return out


def default_classifier(config_dir: Path) -> Classifier:
    """Load ``taxonomy.yaml`` and ``gazetteers/`` from ``config_dir`` and build a classifier."""
    taxonomy = load_taxonomy(config_dir / "taxonomy.yaml")
    gazetteers_dir = config_dir / "gazetteers"
    gazetteers = load_gazetteers(gazetteers_dir) if gazetteers_dir.is_dir() else Gazetteers()
    return Classifier(taxonomy, gazetteers)
