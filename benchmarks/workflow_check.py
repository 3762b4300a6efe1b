"""Whole-process time of `checkers workflow` next to zizmor alone, on the reference workflows.

    .venv/bin/python benchmarks/workflow_check.py [--repeat 15] [FILE ...]

The reference workflows are sample_repo's train-on-push.yml and deploy-on-merge.yml. Goal (issue
#4): our own layers add no more than half of zizmor's time, i.e. ours / zizmor <= 1.5. Prints
figures and always exits 0: it is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = [ROOT / "sample_repo/.github/workflows/train-on-push.yml",
             ROOT / "sample_repo/.github/workflows/deploy-on-merge.yml"]


def timed(cmd: list[str], repeat: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN"}}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=REFERENCE)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    zizmor = shutil.which("zizmor", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                          os.environ.get("PATH", "")]))
    if not zizmor:
        print("zizmor is not installed; nothing to compare with")
        return 0
    files = [str(f) for f in args.files]
    config = ROOT / "checkers/workflow/zizmor.yml"
    zcmd = [zizmor, "--offline", *(["--config", str(config)] if config.exists() else []), *files]
    ours = [sys.executable, "-m", "checkers", "workflow", *files]
    timed(ours, 2)  # warm the file cache and Python's bytecode cache
    z = timed(zcmd, args.repeat)
    o = timed(ours, args.repeat)
    best_z, best_o = min(z), min(o)
    med_z, med_o = statistics.median(z), statistics.median(o)
    print(f"files: {', '.join(os.path.relpath(f, ROOT) for f in files)}")
    print(f"{'':34}{'best':>9}{'median':>9}")
    print(f"{'zizmor --offline alone':34}{best_z:8.3f}s{med_z:8.3f}s")
    print(f"{'python -m checkers workflow':34}{best_o:8.3f}s{med_o:8.3f}s")
    ratio = med_o / med_z
    print(f"ratio ours/zizmor (median): {ratio:.2f}  goal <= 1.50  "
          f"{'PASS' if ratio <= 1.5 else 'MISS'}")
    print(f"our layers add {(med_o - med_z) / med_z:.0%} of zizmor's time (goal <= 50%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
