"""Build the student distribution: what learners of a graded class may clone.

    python -m checkers.course.distribution OUT

Copies the committed release notebooks, the checkers package, the sample project, the docs and
what sets the course up (``course.py``, ``pyproject.toml``, ``environment.yml``, README) into OUT,
a new folder. Left out: ``solutions/`` (solutions and hidden tests), the grader-only answer keys
(``checkers/course/keys/``), the course's own tests and benchmarks, CI and nbgrader's
configuration. Only files git tracks are copied, so nothing from a working copy (gradebook,
submissions, learners' notebooks) comes along. Publish OUT as the class's repository.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# top-level entries that go to learners; everything else stays with the instructor
SHIPPED = ("README.md", "course.py", "pyproject.toml", "environment.yml", ".gitignore",
           "notebooks", "checkers", "sample_repo", "docs")
GRADER_ONLY = ("checkers/course/keys/",)


def shipped_files(root: Path = ROOT) -> list[str]:
    proc = subprocess.run(["git", "ls-files", "-z", "--", *SHIPPED], cwd=root,
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{root} is not a git checkout of the course: {proc.stderr.strip()}")
    return sorted(p for p in proc.stdout.split("\0")
                  if p and not p.startswith(GRADER_ONLY) and (root / p).is_file())


def build(out: Path, root: Path = ROOT) -> list[str]:
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty")
    files = shipped_files(root)
    for rel in files:
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest)
    return files


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m checkers.course.distribution OUT  (a new or empty folder)",
              file=sys.stderr)
        return 2
    out = Path(argv[0])
    try:
        files = build(out)
    except (OSError, RuntimeError) as exc:
        print(f"distribution: {exc}", file=sys.stderr)
        return 2
    print(f"distribution: {len(files)} files in {out} (no solutions/, no answer keys, no tests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
