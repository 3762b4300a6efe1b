"""The student distribution holds no solution, no hidden test and no answer key."""
from __future__ import annotations

import re
import subprocess
import sys

import nbformat

from checkers.course import distribution

from .conftest import ROOT

REGION = re.compile(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)")


def solution_lines(min_length: int = 20) -> set[str]:
    """Distinctive lines from the solution and hidden-test regions of every source notebook,
    less those learners are shown anyway: a line the lesson's text teaches, or one of the
    reference project's files (sample_repo follows every documented pattern) is no leak."""
    lines, taught = set(), set()
    for path in (ROOT / "sample_repo").rglob("*"):
        if path.is_file() and path.suffix in {".yml", ".yaml", ".py", ".md", ".json", ".bicep"}:
            taught.update(_bare(line) for line in path.read_text(errors="replace").splitlines())
    for path in (ROOT / "solutions").glob("*/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if REGION.search(line):
                    inside = "BEGIN" in line
                elif inside and len(line.strip()) >= min_length:
                    lines.add(line.strip())
                elif not inside:
                    taught.add(_bare(line))
    return {line for line in lines if _bare(line) not in taught}


def _bare(line: str) -> str:
    """A line without the quoting and newline escapes a Python string around it adds."""
    return re.sub(r'^[\s"\'(]+|\\n|[\s"\'),+]+$', "", line.strip())


def test_distribution_has_release_and_checkers_but_no_solution_text(tmp_path):
    out = tmp_path / "class"
    proc = subprocess.run([sys.executable, "-m", "checkers.course.distribution", str(out)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    shipped = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "notebooks/01-git-hygiene/01-git-hygiene.ipynb" in shipped
    assert {"checkers/course/module01.py", "course.py", "pyproject.toml"} <= shipped
    assert any(p.startswith("sample_repo/") for p in shipped)
    assert not [p for p in shipped if p.startswith(("solutions/", "tests/", "checkers/course/keys/"))
                or p in {"nbgrader_config.py", "gradebook.db"}]
    secret = solution_lines()
    assert len(secret) > 10  # the check below has something to find
    for rel in shipped:
        text = (out / rel).read_text(errors="replace")
        assert not REGION.search(text), rel
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{rel} holds solution text: {leaked[:3]}"


def test_distribution_never_writes_into_a_folder_with_files(tmp_path):
    (tmp_path / "kept.txt").write_text("mine")
    assert distribution.main([str(tmp_path)]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]
    assert distribution.main([]) == 2


def test_grader_only_keys_and_solutions_are_left_out(tmp_path):
    from .conftest import commit_all, git, write

    git(tmp_path, "init", "-q")
    write(tmp_path, {"checkers/course/keys/__init__.py": "QUIZ = {}\n",
                     "checkers/course/module01.py": "", "solutions/m/m.ipynb": "{}",
                     "notebooks/m/m.ipynb": "{}", "tests/test_m.py": "", "nbgrader_config.py": ""})
    commit_all(tmp_path)
    assert distribution.shipped_files(tmp_path) == ["checkers/course/module01.py", "notebooks/m/m.ipynb"]
