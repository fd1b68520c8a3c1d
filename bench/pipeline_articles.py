"""Real-looking raw articles for the pipeline benchmark, varied from the demo site's texts.

Input: the demo site's article sources (``cgtwatch/demo/site/_src/articles_*.yaml``: Chinese
and English press releases, some about cell or gene therapy, most not) and a count. Output:
``RawArticle`` records, each a distinct page (own URL, ``article_id``, content hash): a share
``cgt_share`` keeps a CGT article's paragraphs with new figures and dates; the others are
sentences of several non-CGT articles of one language put together in a new order, with new
figures, under one of their titles. The same ``n`` always gives the same articles.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from config.contracts.articles import RawArticle
from config.contracts.ids import article_id, content_hash
from config.contracts.wire import utcnow

SOURCES = Path(__file__).resolve().parents[1] / "cgtwatch" / "demo" / "site" / "_src"
_SENTENCE = re.compile(r"[^。！？.!?]+[。！？.!?]?")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Base:
    source: str
    title: str
    paragraphs: tuple[str, ...]
    language: str
    issuer: str
    cgt: bool


def load_bases(folder: Path = SOURCES) -> list[Base]:
    bases = []
    for name, language in (("articles_zh.yaml", "zh"), ("articles_en.yaml", "en")):
        for item in yaml.safe_load((folder / name).read_text("utf-8")):
            paragraphs = tuple(p.strip() for p in str(item["text"]).splitlines() if p.strip())
            bases.append(Base(item["source"], item["title"], paragraphs, language,
                              item.get("issuer", ""), bool(item.get("labels"))))
    return bases


def _renumber(text: str, rng: random.Random) -> str:
    """New amounts and counts (half to twice the old); years, days and months stay."""
    def swap(match: re.Match[str]) -> str:
        value = int(match.group())
        if value < 32 or 1900 <= value <= 2100 or match.group().startswith("0"):
            return match.group()
        return str(rng.randint(value // 2, value * 2))
    return _NUMBER.sub(swap, text)


def _sentences(bases: list[Base]) -> list[str]:
    return [s.strip() for b in bases for p in b.paragraphs for s in _SENTENCE.findall(p)
            if len(s.strip()) > 8]


class ArticleMaker:
    """``make(i)``: the i-th benchmark article (deterministic)."""

    def __init__(self, cgt_share: float = 0.15, host: str = "bench.example.org") -> None:
        bases = load_bases()
        self.cgt_share, self.host = cgt_share, host
        self.cgt = [b for b in bases if b.cgt]
        self.other = {lang: [b for b in bases if not b.cgt and b.language == lang]
                      for lang in ("zh", "en")}
        self.pool = {lang: _sentences(found) for lang, found in self.other.items()}

    def text_of(self, i: int) -> tuple[Base, str, str]:
        rng = random.Random(i)
        if rng.random() < self.cgt_share:
            base = rng.choice(self.cgt)
            paragraphs = list(base.paragraphs)
            extra = rng.choice(self.pool[base.language])
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), extra)
            return base, base.title, "\n".join(_renumber(p, rng) for p in paragraphs)
        language = "zh" if rng.random() < 0.7 else "en"
        base = rng.choice(self.other[language])
        pool = self.pool[language]
        picked = rng.sample(pool, min(len(pool), rng.randint(5, 10)))
        joiner = "" if language == "zh" else " "
        paragraphs = [joiner.join(picked[k:k + 3]) for k in range(0, len(picked), 3)]
        return base, base.title, _renumber("\n".join(paragraphs), rng)

    def make(self, i: int) -> RawArticle:
        base, title, text = self.text_of(i)
        title = _renumber(title, random.Random(-i))
        url = f"https://{self.host}/{base.source}/2026/{i:07d}.html"
        return RawArticle(article_id=article_id(url), url=url, source_id=base.source,
                          source_kind="news", title=title, text=text, language=base.language,
                          issuer=base.issuer, content_hash=content_hash(title, text),
                          fetched_at=utcnow(), extractor="bench")
