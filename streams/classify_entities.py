"""Institutions and regions named in an article, with English names.

Input: ``Gazetteers`` (compiled once) and an article's original and normalised title/text.
Output: ``Entity`` lists: institutions (id, name as found, English name, kind) and regions
(cities with their province added, so "大连医科大学" yields Dalian Medical University, Dalian and
Liaoning). Institution names win over region names inside them ("中山大学" is a university in
Guangzhou, not the city of Zhongshan); an institution's own region is reported instead.
"""

from __future__ import annotations

from config.contracts.articles import Entity
from config.taxonomy import Gazetteers, Institution, Region
from streams.classify_match import Lexicon, PhraseMatcher, overlaps
from streams.classify_text import normalize


def _index(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, ident in pairs:
        out.setdefault(normalize(name), ident)
    return out


class EntityFinder:
    """Gazetteer matcher for institutions and regions."""

    def __init__(self, gazetteers: Gazetteers, lexicon: Lexicon | None = None) -> None:
        self.institutions: dict[str, Institution] = {i.id: i for i in gazetteers.institutions}
        self.regions: dict[str, Region] = {r.id: r for r in gazetteers.regions}
        self._inst_names = _index([(n, i.id) for i in gazetteers.institutions
                                   for n in (*i.names, i.name_en, *i.aliases_en)])
        self._region_names = _index([(n, r.id) for r in gazetteers.regions
                                     for n in (r.name, *r.aliases, r.name_en, *r.aliases_en)])
        self._inst = PhraseMatcher(self._inst_names, lexicon)
        self._reg = PhraseMatcher(self._region_names, lexicon)

    def find(self, originals: list[str], norms: list[str]) -> tuple[list[Entity], list[Entity]]:
        """``(institutions, regions)`` in order of first mention, title first."""
        insts: dict[str, Entity] = {}
        regions: dict[str, Entity] = {}
        implied: list[str] = []
        for original, norm in zip(originals, norms, strict=True):
            spans: list[tuple[int, int]] = []
            for key, start, end in self._inst.find(norm):
                inst = self.institutions[self._inst_names[key]]
                spans.append((start, end))
                if inst.id not in insts:
                    insts[inst.id] = Entity(id=inst.id, name=original[start:end],
                                            name_en=inst.name_en, kind=inst.kind)
                    if inst.region:
                        implied.append(inst.region)
            for key, start, end in self._reg.find(norm):
                if not overlaps(start, end, spans):
                    self._add_region(regions, self._region_names[key], original[start:end])
        for region_id in implied:
            self._add_region(regions, region_id, self.regions[region_id].name)
        return list(insts.values()), list(regions.values())

    def _add_region(self, out: dict[str, Entity], region_id: str, found: str) -> None:
        if region_id in out:
            return  # its province was added with it
        region = self.regions[region_id]
        out[region.id] = Entity(id=region.id, name=found, name_en=region.name_en,
                                kind=region.kind)
        if region.province and region.province not in out:
            province = self.regions[region.province]
            out[province.id] = Entity(id=province.id, name=province.name,
                                      name_en=province.name_en, kind=province.kind)
