"""Story assignment throughput: MinHash signature + LSH bands + decision per article.

Input: none (synthetic 3,000-character Chinese and English articles). Output: a table on
stdout with articles/s on one core for signature+bands and for the whole decision against a
band index of ``N`` earlier articles. Run with ``python bench/bench_stories.py [seconds] [--json]``
(``--json``: one JSON object as the last line).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import print_summary, split_json_flag  # noqa: E402
from streams import stories  # noqa: E402

ZH = "近日，国家药监局批准一款CAR-T细胞治疗产品上市，用于复发难治大B细胞淋巴瘤。第{n}条消息。"
EN = "The FDA approved a new gene therapy for hemophilia B; article number {n} follows. "
PRIOR = 2000


def article(unit: str, n: int, chars: int = 3000) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        out.append(unit.format(n=n * 1000 + len(out)))
        size += len(out[-1])
    return "".join(out)[:chars]


def rate(fn: Callable[[], object], seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def signature_and_bands(text: str) -> list[str]:
    return stories.bands(stories.signature("title", text))


def decide(text: str, index: dict[str, str]) -> str:
    return stories.assign_story(signature_and_bands(text), index, "me", "src")


def main() -> None:
    args, as_json = split_json_flag(sys.argv[1:])
    seconds = float(args[0]) if args else 2.0
    summary = {}
    print(f"{'articles':<12}{'signature/s':>14}{'decision/s':>14}  (index of {PRIOR} articles)")
    for name, unit in (("zh", ZH), ("en", EN)):
        index: dict[str, str] = {}
        for n in range(PRIOR):
            keys = stories.bands(stories.signature("t", article(unit, n, 600)))
            index.update(stories.new_entries(keys, index, f"a{n}", "s"))
        text = article(unit, PRIOR + 1)
        sig_rate = rate(partial(signature_and_bands, text), seconds)
        dec_rate = rate(partial(decide, text, index), seconds)
        print(f"{name:<12}{sig_rate:>14.0f}{dec_rate:>14.0f}")
        summary[name] = {"signatures_per_s": round(sig_rate),
                         "decisions_per_s": round(dec_rate)}
    print_summary({"index_articles": PRIOR, **summary}, as_json)


if __name__ == "__main__":
    main()
