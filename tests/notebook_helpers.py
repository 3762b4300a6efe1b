"""Helpers for the modules' notebook tests: real nbgrader runs, real kernels.

(Every module's notebook tests use these.)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def cells_by_id(nb) -> dict:
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def autograde(course: Path, assignment: str, students: dict, total: float) -> dict:
    """Submit each notebook, autograde them all; {student: (score, {grade id: score})}."""
    for student, nb in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
    nbgrader(course, "autograde", assignment, "--force")
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            sub = gb.find_submission(assignment, student)
            scores[student] = (sub.score, {g.name: g.score for nb in sub.notebooks for g in nb.grades})
            assert sub.max_score == total
    return scores


def execute(nb, folder: Path, allow_errors: bool = True):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def errors(nb) -> list[tuple[str | None, str, str]]:
    return [(grade_id(c), o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def nbval_lax(source: Path, tmp_path: Path) -> None:
    shutil.copy(source, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p",
                           "no:cacheprovider", str(tmp_path / source.name)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " passed" in proc.stdout
