"""Pure alert-rule matching.

Input: validated ``Rule`` objects (``config.rules``) and a ``ClassifiedArticle``.
Output: whether each rule matches, and the dedupe key of an alert.
"""

from __future__ import annotations

import unicodedata

from config.contracts.articles import SALIENCE_ORDER, ClassifiedArticle
from config.rules import Rule


def _any_in(wanted: list[str], present: list[str]) -> bool:
    if not wanted:
        return True
    have = {p.lower() for p in present}
    return any(w.lower() in have for w in wanted)


def _label_ok(rule: Rule, article: ClassifiedArticle) -> bool:
    floor = SALIENCE_ORDER[rule.min_salience]
    for label in rule.labels:
        result = article.classification.results.get(label)
        if result and SALIENCE_ORDER[result.salience] >= floor and result.score >= rule.min_score:
            return True
    return False


def fold(text: str) -> str:
    """Compare text in either language: NFKC (full-width ＣＡＲ－Ｔ is CAR-T), case-folded,
    runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _keywords_ok(rule: Rule, article: ClassifiedArticle) -> bool:
    haystack = fold(f"{article.title}\n{article.text}")
    if any(fold(k) in haystack for k in rule.exclude_keywords):
        return False
    return not rule.keywords or any(fold(k) in haystack for k in rule.keywords)


def rule_matches(rule: Rule, article: ClassifiedArticle) -> bool:
    """True when ``article`` satisfies every condition of ``rule``."""
    c = article.classification
    regions = [e.name for e in c.regions] + [e.name_en for e in c.regions] + [article.region]
    institutions = [e.name for e in c.institutions] + [e.name_en for e in c.institutions]
    return (rule.enabled and _label_ok(rule, article)
            and _any_in(rule.tags, c.tags)
            and _any_in(rule.regions, regions)
            and _any_in(rule.institutions, institutions)
            and _any_in(rule.sources, [article.source_id])
            and _any_in(rule.source_kinds, [article.source_kind])
            and _any_in(rule.languages, [article.language])
            and _keywords_ok(rule, article))


def matching_rules(rules: list[Rule], article: ClassifiedArticle) -> list[Rule]:
    return [rule for rule in rules if rule_matches(rule, article)]


def alert_key(rule: Rule, article: ClassifiedArticle, channel: str) -> str:
    """The durable dedupe key: one delivery per (rule, story, channel)."""
    return f"{rule.name}:{article.story_id or article.article_id}:{channel}"
