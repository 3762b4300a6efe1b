"""What a submission's code shows before it runs: the order of a first grading.

Real released notebooks with learners' cells written into them; the guess is checked against
what each cell does when run (a loop with no way out, a long sleep, a script that never ends),
and the release's own cells never count."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from checkers.course import runtime_guess
from checkers.course.classroom import Job, costliest_first

from .conftest import ROOT

A = "01-git-hygiene"
T = 15.0


@pytest.mark.parametrize("source, seconds", [
    ("while True:\n    pass\n", T),
    ("while 1:\n    x = 1\n", T),
    ("import itertools\nfor i in itertools.count():\n    print(i)\n", T),
    ("import time\ntime.sleep(600)\n", T),
    ("import time\ntime.sleep(4)\n", 4.0),
    ('SCRIPT = r"""\nwhile true; do git status; done\n"""\n', T),
    ("SCRIPT = 'sleep 60'\n", T),
    ("!while :; do :; done\n", T),
    # ways out: these end
    ("while True:\n    line = input()\n    if not line:\n        break\n", 0.0),
    ("while True:\n    for i in range(3):\n        raise SystemExit\n", 0.0),
    ("import sys\nwhile True:\n    sys.exit(0)\n", 0.0),
    ('SCRIPT = """\nwhile true; do\n  git pull && break\ndone\n"""\n', 0.0),
    ("n = 0\nwhile n < 3:\n    n += 1\n", 0.0),
    ("time.sleep(0.2)\n", 0.0),
    ("while True\n    pass\n", 0.0),  # a SyntaxError ends at once
    # an inner loop's break does not end the outer one
    ("while True:\n    for i in range(3):\n        break\n", T),
])
def test_a_cell_that_may_never_end_costs_the_cell_timeout(source, seconds):
    assert runtime_guess.cell_seconds(source, T) == seconds


def test_a_script_that_never_ends_costs_the_timeout_in_each_cell_that_runs_it():
    script = 'S = r"""\nwhile true; do :; done\n"""\n'
    three = {"S": 3}.get  # S named by three later cells (self-check, try-it, graded)
    assert runtime_guess.cell_seconds(script, T, uses=lambda name: three(name, 0)) == 3 * T
    assert runtime_guess.cell_seconds(script, T) == T  # named by no cell: the grader's check runs it
    assert runtime_guess.cell_seconds('S = "sleep 4"\n', T, uses=lambda name: three(name, 0)) == 3 * 4.0


def _answered(release, changes: dict):
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in changes:
            cell.source = changes[gid]
    return nb


def test_only_what_the_learner_changed_counts(tmp_path):
    release_dir = ROOT / "notebooks" / A
    release = nbformat.read(release_dir / f"{A}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    kinds = {
        "blank": release,
        "solution": solution,  # every answer written (its hidden tests too: never a loop)
        "looper": _answered(release, {"secret": "while True:\n    pass\n"}),
        "script-looper": _answered(release, {"branch": 'BRANCH_SCRIPT = r"""\nwhile true; do :; done\n"""\n'}),
        "two-loops": _answered(release, {"secret": "while True:\n    pass\n",
                                         "quiz": "import time\ntime.sleep(5)\n"}),
    }
    found = {}
    for name, nb in kinds.items():
        folder = tmp_path / name
        folder.mkdir()
        nbformat.write(nb, folder / f"{A}.ipynb")
        found[name] = runtime_guess.extra_seconds(folder, release_dir, T)
    # the script runs in three cells (self-check, try-it, graded): three cell timeouts, as
    # measured (the out-of-kernel check does not run it again: its graded cell already failed)
    assert found == {"blank": 0.0, "solution": 0.0, "looper": T, "script-looper": 3 * T,
                     "two-loops": T + 5.0}
    # many cells that each hand over a long script: counted without comparing every pair
    many = _answered(release, {})
    many.cells += [nbformat.v4.new_code_cell(f'S{n} = "sleep 2"\nrun(S{n - 1})') for n in range(3000)]
    (tmp_path / "many").mkdir()
    nbformat.write(many, tmp_path / "many" / f"{A}.ipynb")
    assert runtime_guess.extra_seconds(tmp_path / "many", release_dir, T) == 2.0 * 3000
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / f"{A}.ipynb").write_text("{not json")
    assert runtime_guess.extra_seconds(tmp_path / "broken", release_dir, T) == 0.0


def test_a_first_grading_starts_with_what_may_never_end():
    jobs = [Job(A, s) for s in ("ana", "bo", "cy", "dee", "zz")]
    # never graded: zz's code has a loop with no way out, cy's a 5 s sleep; the others keep
    # their order
    extra = {f"{A}/zz": T, f"{A}/cy": 5.0}
    assert [j.student for j in costliest_first(jobs, {}, extra)] == ["zz", "cy", "ana", "bo", "dee"]
    # graded before: the recorded times decide, unless the code now shows a loop that a quick
    # earlier grading did not have (the files changed since)
    seconds = {f"{A}/ana": 19.0, f"{A}/bo": 3.0, f"{A}/cy": 3.5, f"{A}/dee": 2.5, f"{A}/zz": 3.0}
    assert [j.student for j in costliest_first(jobs, seconds, {f"{A}/bo": T})] == \
        ["ana", "bo", "cy", "zz", "dee"]
    assert [j.student for j in costliest_first(jobs, seconds, {})] == ["ana", "cy", "bo", "zz", "dee"]


def test_the_cell_timeout_comes_from_the_course_configuration():
    from traitlets.config import Config

    from checkers.course.classroom import cell_timeout, load_config

    config = Config()
    config.Execute.timeout = 7
    assert cell_timeout(config) == 7.0
    assert cell_timeout(Config()) == 60.0  # none set: a minute, still above any other cell
    assert cell_timeout(load_config(ROOT, "")) == load_config(ROOT, "").Execute.timeout < 30
