"""Autograding time per submission, in the grading sandbox and without it.

    .venv/bin/python benchmarks/autograde.py [--students 4]

Generates every assignment of solutions/ in a temporary copy of the course, hands in the
reference solution for N students, and times one real `nbgrader autograde` run: in the sandbox
(bubblewrap, as configured in nbgrader_config.py) and, for comparison, without it
(`--GradingSandbox.allow_unsandboxed=True` with no bwrap). Prints seconds per submission.
Always exits 0.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNSANDBOXED = ["--GradingSandbox.bwrap=no-bwrap-here", "--GradingSandbox.allow_unsandboxed=True"]


def nbgrader(course: Path, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def grade(assignment: str, students: int, extra: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions", course / "solutions")
        nbgrader(course, "generate_assignment", assignment, "--force")
        for n in range(students):
            folder = course / "submitted" / f"student{n:02d}" / assignment
            shutil.copytree(course / "solutions" / assignment, folder)
        return nbgrader(course, "autograde", assignment, "--force", *extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    args = parser.parse_args()
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    from checkers.course.confine import why_unavailable

    problem = why_unavailable()
    for assignment in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        runs = [("unsandboxed", UNSANDBOXED)]
        runs.insert(0, ("sandboxed", [])) if problem is None else print(f"sandbox: {problem}")
        for label, extra in runs:
            total = grade(assignment, args.students, extra)
            print(f"{assignment} {label}: {total:.1f} s for {args.students} submissions, "
                  f"{total / args.students:.1f} s per submission (nbgrader start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
