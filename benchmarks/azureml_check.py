"""Whole-process time of `checkers repo sample_repo` with and without the azure-ai-ml layer.

    .venv/bin/python benchmarks/azureml_check.py [--repeat 7] [--pipeline]

Prints best and median wall time of:
  (a) python -m checkers repo sample_repo --ignore azureml-sdk-validation   (our rules only)
  (b) python -m checkers repo sample_repo                                   (+ azure-ai-ml layer)
  (c) python -m checkers azureml sample_repo/components sample_repo/pipelines (single files)
and, with --pipeline, (d) sample_repo's local pipeline run (tools/run_pipeline.py, n_rows=1000)
in a temporary copy. The difference (b) - (a) is the price of the SDK layer (mostly importing
azure.ai.ml). Always exits 0: it is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_repo"


def timed(cmd: list[str], repeat: int, cwd: Path = ROOT) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> None:
    print(f"{label:58}{min(times):8.2f}s{statistics.median(times):8.2f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pipeline", action="store_true", help="also time the local pipeline run")
    args = parser.parse_args()
    from checkers.azureml.sdk import available

    py = sys.executable
    ours = [py, "-m", "checkers", "repo", str(SAMPLE), "--ignore", "azureml-sdk-validation"]
    full = [py, "-m", "checkers", "repo", str(SAMPLE)]
    files = [py, "-m", "checkers", "azureml", str(SAMPLE / "components"), str(SAMPLE / "pipelines")]
    timed(full, 1)  # warm the file cache and the bytecode caches
    print(f"azure-ai-ml {'installed' if available() else 'NOT installed: (b) equals (a)'}; "
          f"repeat {args.repeat}")
    print(f"{'':58}{'best':>9}{'median':>9}")
    a, b = timed(ours, args.repeat), timed(full, args.repeat)
    line("(a) checkers repo sample_repo (without azure-ai-ml layer)", a)
    line("(b) checkers repo sample_repo (with azure-ai-ml layer)", b)
    line("(c) checkers azureml components/ pipelines/", timed(files, args.repeat))
    print(f"price of the azure-ai-ml layer (median b - a): {statistics.median(b) - statistics.median(a):.2f}s")
    if args.pipeline:
        with tempfile.TemporaryDirectory(prefix="azureml-bench-") as tmp:
            copy = Path(tmp) / "ml-project"
            shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns("outputs", "data", "mlruns"))
            run = [py, "tools/run_pipeline.py", "--quiet", "--set", "n_rows=1000"]
            line("(d) local pipeline run, n_rows=1000 (3 steps + MLflow)", timed(run, max(1, args.repeat // 3), copy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
