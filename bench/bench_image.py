"""Size of the container image's application layer, measured without a Docker engine.

Does what ``deploy/Dockerfile``'s builder stage does: builds the cgtwatch wheel, creates a
fresh venv, installs the wheel with its runtime dependencies (pinned by ``constraints.txt``)
and removes pip and setuptools. Prints the size of that venv (the ``/opt/venv`` layer copied
into the runtime image) and its largest packages. The image is this layer plus the pinned base
(``python:3.11-slim-bookworm``) and a user; ``docker image ls`` reports the total where an
engine runs.

Usage: ``python bench/bench_image.py [--json]`` (``--json``: one JSON object as the last line;
needs the package index pip is configured with).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.summary import print_summary, split_json_flag  # noqa: E402

MB = 1024 * 1024


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build_venv(work: Path) -> Path:
    dist, venv = work / "dist", work / "venv"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(dist), str(ROOT)], check=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    wheel = next(dist.glob("cgtwatch-*.whl"))
    subprocess.run([*pip, "install", "--quiet", "--no-cache-dir",
                    "-c", str(ROOT / "constraints.txt"), str(wheel)], check=True)
    subprocess.run([*pip, "check"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*pip, "uninstall", "--quiet", "--yes", "pip", "setuptools"], check=True)
    return venv


def largest_packages(venv: Path, top: int = 12) -> list[tuple[str, int]]:
    site = next((venv / "lib").glob("python3*/site-packages"))
    sizes = [(p.name, size_of(p)) for p in site.iterdir()
             if p.is_dir() and not p.name.endswith((".dist-info", "__pycache__"))]
    return sorted(sizes, key=lambda item: -item[1])[:top]


def main() -> None:
    _, as_json = split_json_flag(sys.argv[1:])
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cgtwatch-image-") as tmp:
        venv = build_venv(Path(tmp))
        total = size_of(venv)
        print(f"application layer (/opt/venv): {total / MB:.0f} MB "
              f"(built in {time.monotonic() - started:.0f} s)")
        print("largest packages:")
        for name, size in largest_packages(venv):
            print(f"  {name:<28} {size / MB:7.1f} MB")
    print_summary({"application_layer_mb": round(total / MB)}, as_json)


if __name__ == "__main__":
    main()
