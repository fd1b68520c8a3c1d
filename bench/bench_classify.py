"""Classifier throughput: articles per second on one core for ~3,000-character articles.

Input: the shipped ``config/`` (taxonomy and gazetteers). Output: a table on stdout with
articles/s (per second of CPU time, so other load on the machine does not lower it) for
Chinese, traditional Chinese, English and negative articles; "typical" has one
CGT paragraph in ordinary news text, "dense" repeats it (hundreds of hits, a worst case). Run with
``python bench/bench_classify.py [seconds-per-row] [--json]`` (``--json``: one JSON object as
the last line); the target is ≥ 500 articles/s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import print_summary, split_json_flag  # noqa: E402
from streams.classify import Classifier, default_classifier  # noqa: E402

ZH = ("近日，国家药监局批准一款CAR-T细胞治疗产品上市，用于复发难治大B细胞淋巴瘤。"
      "该产品由上海一家企业研发，"
      "临床试验显示客观缓解率较高。业内人士表示，细胞与基因治疗产业正在加速发展，多地出台支持政策，"
      "建设干细胞临床研究平台和基因治疗药物生产基地。与此同时，医院积极开展造血干细胞移植等技术。")
ZH_NEG = ("今年以来，我市大力发展新能源产业，氢燃料电池汽车和光伏电池组件产能快速提升。"
          "各级党组织传承红色基因，推动高质量发展，新生儿基因检测服务覆盖全市，转基因大豆进口有序。")
EN = ("The FDA approved a new gene therapy that uses an adeno-associated virus vector to deliver a "
      "working copy of the gene. Researchers also reported CAR-T cell therapy results in patients "
      "with leukemia at the University of Pennsylvania. The company said manufacturing would "
      "expand. Stem cell transplant remains the standard treatment for some patients. ")
EN_NEG = ("The city council approved a new budget for roads and schools. A solar cell plant "
          "and a fuel cell factory will open next year, and residents can pay with a cell phone. "
          "Officials said the plan would create jobs and the mayor thanked volunteers for "
          "their work. ")


FILLER_ZH = ("会议指出，要坚持稳中求进工作总基调，统筹发展和安全，扎实推进各项重点任务落实，"
             "持续优化营商环境，加强人才队伍建设，推动区域协调发展取得新成效。")
FILLER_EN = ("Officials said the programme would be reviewed next year, and local residents were "
             "invited to comment on the proposals at a series of public meetings in the spring. ")


def article(unit: str, chars: int = 3000, filler: str = "") -> str:
    """``unit`` repeated to ``chars`` characters, or once followed by ``filler``."""
    body = unit + filler * (chars // max(len(filler), 1) + 1) if filler else unit * (
        chars // len(unit) + 1)
    return body[:chars]


def rate(clf: Classifier, title: str, text: str, seconds: float) -> float:
    """Articles per second of this process's CPU time (``time.process_time``): the rate one
    core sustains, not lowered by other processes sharing the machine."""
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        clf.classify(title, text)
        n += 1
    return n / (time.process_time() - start)


def main() -> None:
    args, as_json = split_json_flag(sys.argv[1:])
    seconds = float(args[0]) if args else 2.0
    start = time.perf_counter()
    clf = default_classifier(ROOT / "config")
    clf.classify("", "warm-up")  # the shared automaton is compiled on first use: part of build
    build = time.perf_counter() - start
    rows = [("zh typical", "细胞治疗产品获批上市", article(ZH, filler=FILLER_ZH)),
            ("zh dense", "细胞治疗产品获批上市", article(ZH)),
            ("zh (traditional)", "細胞治療產品獲批上市", article(ZH.translate(str.maketrans(
                "细胞治疗药监医临产业发", "細胞治療藥監醫臨產業發")))),
            ("zh negative", "新能源产业快速发展", article(ZH_NEG)),
            ("en typical", "Gene therapy approved", article(EN, filler=FILLER_EN)),
            ("en dense", "Gene therapy approved", article(EN)),
            ("en negative", "City approves budget", article(EN_NEG))]
    print(f"classifier built in {build * 1000:.0f} ms; 3,000-character articles, one core")
    print(f"{'articles':<18}{'articles/s':>12}{'ms/article':>12}")
    per_row = {}
    for name, title, text in rows:
        per_s = per_row[name] = rate(clf, title, text, seconds)
        print(f"{name:<18}{per_s:>12.0f}{1000 / per_s:>12.2f}")
    print_summary({"build_ms": round(build * 1000), "articles_per_s": {
        name: round(per_s) for name, per_s in per_row.items()}}, as_json)


if __name__ == "__main__":
    main()
