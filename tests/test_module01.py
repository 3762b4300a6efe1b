"""Module 01 end to end: generated release, nbgrader autograding, feedback, isolation."""
from __future__ import annotations

import copy
import hashlib
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT, course_from
from .notebook_helpers import autograde, cells_by_id, nbgrader, nbval_lax

ASSIGNMENT = "01-git-hygiene"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
TOTAL = 15.0
CHEATS = """\
import importlib.util, json.decoder, os, stat, subprocess, sys, tempfile
import checkers.course.module01 as _m
from checkers.findings import Result
_ok = lambda *a, **k: Result()
for _name in [n for n in dir(_m) if n.startswith("check_")]:
    setattr(_m, _name, _ok)
    globals()[_name] = _ok
_fake = os.path.join(tempfile.mkdtemp(), "python")
with open(_fake, "w") as fh:
    fh.write('#!/bin/sh\\necho \\'{"ok": true, "findings": []}\\'\\n')
os.chmod(_fake, 0o755)
sys.executable = _fake
_grader = os.path.join(tempfile.mkdtemp(), "fakegrade.py")
with open(_grader, "w") as fh:
    fh.write("def in_fresh_process(*a, **k):\\n    return {'ok': True, 'summary': 'ok'}\\n")
_real_find = importlib.util.find_spec
importlib.util.find_spec = lambda n, p=None: (importlib.util.spec_from_file_location("fakegrade", _grader)
                                              if n.startswith("checkers.course") else _real_find(n, p))
_real_decode = json.decoder.JSONDecoder.decode
json.decoder.JSONDecoder.decode = lambda self, s, *a, **k: (
    {"ok": True, "findings": []} if '"findings"' in s else _real_decode(self, s, *a, **k))
subprocess.run = lambda *a, **k: subprocess.CompletedProcess(a, 0, '{"ok": true}', "")
"""


@pytest.fixture(scope="module")
def course(released, tmp_path_factory):
    """A temporary copy of the course with the assignment generated from solutions/."""
    return course_from(released(ASSIGNMENT), tmp_path_factory.mktemp("m01") / "course")


def test_committed_release_matches_a_fresh_generation(course):
    fresh = (course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert RELEASE.read_text() == fresh, (
        "notebooks/ drifted from solutions/: run `nbgrader generate_assignment "
        f"{ASSIGNMENT} --force` and commit notebooks/")


def test_release_has_starters_not_solutions_or_hidden_tests():
    text = RELEASE.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "in_fresh_process" not in text
    for secret in ("QUIZ_ANSWER", "PLACE_OF", "course.keys", "check_quiz"):  # no key imported
        assert secret not in text, secret
    nb = nbformat.read(RELEASE, as_version=4)
    gitignore = cells_by_id(nb)["gitignore"].source
    assert gitignore.startswith('GITIGNORE = """') and "# YOUR CODE HERE" in gitignore
    assert "raise NotImplementedError" not in text
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_source_notebook_outputs_are_stripped():
    nb = nbformat.read(SOURCE, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def graded(course):
    solution = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    released = cells_by_id(release)

    # Exercises 2 and 3 as given, exercise 4's answer cell removed altogether, 3 of 4
    # knowledge-check answers right: one submission shows each costs only its own points.
    partial = copy.deepcopy(solution)
    partial.cells = [c for c in partial.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "layout"]
    for cell in partial.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in {"gitignore", "repair"}:
            cell.source = released[gid].source
    cells_by_id(partial)["quiz"].source = (
        'ANSWERS = {"KC_PKL": "c", "KC_RM": "b", "KC_SEPARATE": "a", "KC_IGNORE": "a"}\n')

    cheater = copy.deepcopy(release)
    # Wrong answers everywhere, and every trick that fools code running in the kernel:
    # redefined and monkeypatched checks, a fake interpreter, a fake grader module, a patched
    # JSON decoder and subprocess. Grading happens outside the kernel, so all of it scores 0.
    cells_by_id(cheater)["sort"].source = CHEATS + 'WHERE = {a: "git" for a in ARTIFACTS}\n'
    cells_by_id(cheater)["gitignore"].source = 'GITIGNORE = "*.pyc"\n'
    cells_by_id(cheater)["secret"].source = 'SECRET_ACTION = "a"\n'
    cells_by_id(cheater)["quiz"].source = (
        'ANSWERS = {"KC_PKL": "a", "KC_RM": "a", "KC_SEPARATE": "b", "KC_IGNORE": "a"}\n')

    students = {"solution": solution, "release": release, "partial": partial, "cheater": cheater}
    return autograde(course, ASSIGNMENT, students, TOTAL)


def test_solution_scores_full_marks(graded):
    assert graded["solution"][0] == TOTAL, graded["solution"]


def test_unchanged_release_scores_zero(graded):
    assert graded["release"][0] == 0, graded["release"]


# what the partly done submission loses: exercises 2 and 3 unanswered, exercise 4's answer
# cell deleted, one knowledge-check answer wrong (every other graded cell earns full points)
PARTIAL_LOST = {"test-gitignore": 3, "test-repair": 3, "test-layout": 2, "test-quiz-ignore": 0.5}


def test_partly_done_scores_in_between(graded):
    score, cells = graded["partial"]
    assert all(cells[gid] == 0 for gid in PARTIAL_LOST), cells
    assert cells["test-sort"] == 2 and cells["test-secret"] == 1 and cells["test-branch"] == 2
    assert score == TOTAL - sum(PARTIAL_LOST.values()) == 6.5, cells


def test_knowledge_check_gives_credit_per_question(graded):
    score, cells = graded["partial"]
    assert cells["test-quiz"] == 0.5 and cells["test-quiz-ignore"] == 0, cells


def test_monkeypatching_the_checker_does_not_pass_the_hidden_test(graded):
    score, cells = graded["cheater"]
    assert cells["test-gitignore"] == 0 and score == 0, cells


def test_deleted_answer_cell_scores_zero_for_that_exercise_only(graded):
    score, cells = graded["partial"]
    assert cells["test-layout"] == 0
    # exercise 6 comes after the deleted cell and still earns its points
    assert cells["test-branch"] == 2 and score == TOTAL - sum(PARTIAL_LOST.values()), cells


def test_feedback_does_not_reveal_hidden_tests(course, graded):
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    html = (course / "feedback" / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "CHECKERS-ANSWER" not in html and "HIDDEN TESTS" not in html
    assert "Exception reporting mode" not in html
    assert '<span class="n">graded</span>' in html and '"01-gitignore"' in html  # visible test shown
    # the knowledge check is plain text: its questions and choices show in feedback HTML
    assert "Gone from the repository: no commit, old or new, holds it now." in html


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_solution_runs_under_nbval_lax_leaving_no_file_checkout_or_gitconfig_changed(tmp_path):
    """One run of the solution (nbval's, which fails on any error) shows all three: it runs
    cleanly, writes nothing next to the notebook, and leaves the course checkout and the
    global git configuration alone (its practice repositories live in temporary sandboxes)."""
    global_config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    home_config = Path.home() / ".gitconfig"
    status = ["git", "status", "--porcelain", "--untracked-files=all"]
    before = (subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout,
              _digest(global_config), _digest(home_config))
    nbval_lax(SOURCE, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [SOURCE.name]
    after = (subprocess.run(status, cwd=ROOT, capture_output=True, text=True).stdout,
             _digest(global_config), _digest(home_config))
    assert after == before
