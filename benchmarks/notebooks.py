"""How long each solution notebook takes to execute (goal: under 15 seconds each).

    .venv/bin/python benchmarks/notebooks.py [--repeat 2]

Runs every notebook of solutions/ in a temporary copy (never in solutions/), with a fresh kernel,
and prints wall-clock times including the kernel's start-up. Always exits 0.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 15.0


def run_once(notebook: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="nb-bench-") as tmp:
        copy = Path(tmp) / notebook.name
        shutil.copy(notebook, copy)
        nb = nbformat.read(copy, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": tmp}}).execute()
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        times = [run_once(notebook) for _ in range(args.repeat)]
        best = min(times)
        print(f"{notebook.relative_to(ROOT)}: best {best:.1f} s of {args.repeat} "
              f"(goal < {GOAL:.0f} s) {'PASS' if best < GOAL else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
