"""How fast the command line answers: ``cgtwatch --help``, ``--version`` and a sub-command's
``--help``, each started as a new process, as a user runs them.

Input: ``python bench/bench_cli.py [RUNS] [--json]`` (default 10 runs per command; the
``cgtwatch`` script next to this interpreter). Output: a table of wall-clock seconds per
command (min, median, max) and CPU seconds of the child (median); with ``--json`` one last line
``{"runs", "help_median_s", "help_max_s", "version_median_s", "search_help_median_s",
"cpu_help_median_s", "target_s"}``. The target is 0.5 s for ``cgtwatch --help``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.summary import print_summary, split_json_flag  # noqa: E402

TARGET_S = 0.5
COMMANDS = {"help": ["--help"], "version": ["--version"], "search_help": ["search", "--help"]}


def script() -> str:
    """The ``cgtwatch`` entry point installed beside this interpreter."""
    found = Path(sys.executable).with_name("cgtwatch")
    if not found.exists():
        raise SystemExit(f"no {found}: run `make install` first")
    return str(found)


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and child CPU seconds of one run of ``argv``."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    return wall, cpu


def main(argv: list[str]) -> None:
    args, as_json = split_json_flag(argv)
    runs = int(args[0]) if args else 10
    exe = script()
    timed([exe, "--version"])  # warm the file cache once
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    for name, extra in COMMANDS.items():
        for _ in range(runs):
            wall, cpu = timed([exe, *extra])
            walls.setdefault(name, []).append(wall)
            cpus.setdefault(name, []).append(cpu)
    table = Table(title=f"cgtwatch start-up, {runs} runs each (target: --help ≤ {TARGET_S} s)")
    for column in ("command", "min s", "median s", "max s", "CPU median s"):
        table.add_column(column)
    for name, extra in COMMANDS.items():
        w = walls[name]
        table.add_row("cgtwatch " + " ".join(extra), f"{min(w):.3f}",
                      f"{statistics.median(w):.3f}", f"{max(w):.3f}",
                      f"{statistics.median(cpus[name]):.3f}")
    Console().print(table)
    print_summary({"runs": runs,
                   "help_median_s": round(statistics.median(walls["help"]), 3),
                   "help_max_s": round(max(walls["help"]), 3),
                   "version_median_s": round(statistics.median(walls["version"]), 3),
                   "search_help_median_s": round(statistics.median(walls["search_help"]), 3),
                   "cpu_help_median_s": round(statistics.median(cpus["help"]), 3),
                   "target_s": TARGET_S}, as_json)


if __name__ == "__main__":
    main(sys.argv[1:])
