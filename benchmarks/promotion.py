"""Whole-process and in-process time of `checkers environments`, `promote` and `oidc` on sample_repo.

    .venv/bin/python benchmarks/promotion.py [--repeat 10]

The notebook of module 03 calls these functions many times (a widget redraws the plan on every
click), so the in-process figures matter most; the whole-process ones are what a CLI user waits.
Prints figures and always exits 0: it is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_repo"
DEPLOY = SAMPLE / ".github/workflows/deploy-on-merge.yml"
SETTINGS = SAMPLE / ".github/settings.yml"
CREDENTIALS = SAMPLE / "infra/federated-credentials.yml"
COMMANDS = {
    "environments": ["environments", str(SETTINGS), "--workflow", str(SAMPLE / ".github/workflows")],
    "promote": ["promote", str(DEPLOY), "--settings", str(SETTINGS), "--format", "json"],
    "oidc": ["oidc", str(DEPLOY), "--repo", "neuralspark/churn-model", "--event", "push",
             "--branch", "main", "--credentials", str(CREDENTIALS)],
}


def best_median(func, repeat: int) -> str:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return f"best {min(times) * 1000:7.1f} ms   median {statistics.median(times) * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print("whole process (python -m checkers ...):")
    for name, argv in COMMANDS.items():
        run = lambda argv=argv: subprocess.run([sys.executable, "-m", "checkers", *argv],  # noqa: E731
                                               stdout=subprocess.DEVNULL, cwd=ROOT)
        print(f"  {name:13} {best_median(run, args.repeat)}")
    from checkers.environments import check_environments
    from checkers.environments.oidc import subjects
    from checkers.environments.promote import draw, plan

    print("in process (after the first call):")
    check_environments(SETTINGS, workflows=[DEPLOY])
    calls = {
        "environments": lambda: check_environments(SETTINGS, workflows=[DEPLOY]),
        "promote+draw": lambda: draw(plan(DEPLOY, SETTINGS)),
        "walkthrough": lambda: plan(DEPLOY, SETTINGS).walkthrough(approve=False),
        "oidc": lambda: subjects(DEPLOY, "neuralspark/churn-model", "push", branch="main",
                                 credentials=CREDENTIALS),
    }
    for name, func in calls.items():
        print(f"  {name:13} {best_median(func, args.repeat)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
