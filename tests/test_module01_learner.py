"""Module 01 as a learner meets it: the release as given, self-checks, answer keys kept out.

Real notebook execution (nbclient), real subprocesses; no mocks.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from checkers.course import selfcheck
from checkers.course.keys import module01 as keys

from .conftest import ROOT

ASSIGNMENT = "01-git-hygiene"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION\n?", re.S)
NAMES = {"git": "GIT", "model registry": "MODEL_REGISTRY", "data assets": "DATA_ASSETS",
         "mlflow": "MLFLOW", "key vault": "KEY_VAULT"}


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _execute(nb, folder: Path):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def _errors(nb) -> list[tuple[str | None, str, str]]:
    return [(_grade_id(c), o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def test_every_answer_cell_of_the_release_parses_as_given():
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source, filename=f"cell {_grade_id(cell) or cell.get('id')}")


def test_unchanged_release_runs_with_no_syntax_or_name_error(tmp_path):
    """What a learner meets first: only graded cells may fail (their answers are missing)."""
    shutil.copy(RELEASE, tmp_path)
    nb = _execute(nbformat.read(tmp_path / RELEASE.name, as_version=4), tmp_path)
    errors = _errors(nb)
    assert not [e for e in errors if e[1] in ("SyntaxError", "NameError")], errors
    graded = {_grade_id(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert errors and all(gid in graded for gid, _, _ in errors), errors
    # the self-checks said what to do, in the learner's terms
    text = json.dumps([c.get("outputs") for c in nb.cells])
    assert "is not sorted yet" in text and "not answered yet" in text
    assert "no commands to run yet" in text


def _fill_in_as_the_comments_say(release, solution) -> None:
    """Do what each starter's comment says, the way a learner would."""
    regions = {_grade_id(c): SOLUTION_REGION.findall(c.source) for c in solution.cells}
    for cell in release.cells:
        gid = _grade_id(cell)
        if gid == "sort":  # "Replace each None with GIT, MODEL_REGISTRY, ..."
            for artifact, (place, _) in keys.PLACE_OF.items():
                cell.source = cell.source.replace(f'"{artifact}": None', f'"{artifact}": {NAMES[place]}')
            cell.source = cell.source.replace("# YOUR CODE HERE\n", "").replace("# YOUR CODE HERE", "")
        elif gid == "secret":  # one letter
            cell.source = cell.source.replace('SECRET_ACTION = ""', f'SECRET_ACTION = "{keys.SECRET_ACTION}"')
        elif gid == "quiz":
            for key, letter in keys.QUIZ_ANSWER.items():
                cell.source = cell.source.replace(f'"{key}": ""', f'"{key}": "{letter}"')
        elif regions.get(gid):  # commands or patterns in place of each "# YOUR CODE HERE"
            for region in regions[gid]:
                cell.source = cell.source.replace("# YOUR CODE HERE", region.rstrip("\n"), 1)
        if gid:
            assert "# YOUR CODE HERE" not in cell.source or gid in {"sort", "secret", "quiz"}, gid


def test_filling_in_the_starters_as_their_comments_say_passes_everything(tmp_path):
    release = nbformat.read(RELEASE, as_version=4)
    _fill_in_as_the_comments_say(release, nbformat.read(SOURCE, as_version=4))
    # afterwards: no answer key, and no check function, ever entered the kernel
    release.cells.append(nbformat.v4.new_code_cell(
        "import sys\n"
        "print('KEYS-LOADED' if any(m.startswith('checkers.course.keys') for m in sys.modules) "
        "else 'NO-KEYS')"))
    nb = _execute(release, tmp_path)
    assert not _errors(nb), _errors(nb)
    assert "NO-KEYS" in nb.cells[-1].outputs[0]["text"]


# --- self-checks ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def fresh_selfcheck():
    selfcheck.forget()
    yield
    selfcheck.forget()


def test_hint_ladder_shows_one_more_step_per_new_failing_answer():
    first = selfcheck.self_check("01-gitignore", "*.pkl\n")
    assert all(len(f.hint.splitlines()) == 1 for f in first.findings)
    assert not any("*.csv" in f.hint for f in first.findings)
    assert any("More help" in n for n in first.notes)
    again = selfcheck.self_check("01-gitignore", "*.pkl\n")  # re-running shows the same
    assert [f.hint for f in again.findings] == [f.hint for f in first.findings]
    second = selfcheck.self_check("01-gitignore", "*.pkl\n*.pt\n")
    assert any("*.csv" in f.hint for f in second.findings)


def _starter(grade_id: str, name: str):
    cell = next(c for c in nbformat.read(RELEASE, as_version=4).cells if _grade_id(c) == grade_id)
    namespace: dict = {}
    exec(cell.source, namespace)
    return namespace[name]


@pytest.mark.parametrize("check, grade_id, name, first_try", [
    ("01-gitignore", "gitignore", "GITIGNORE", "*.pkl\n"),
    ("01-layout", "layout", "SCAFFOLD_SCRIPT", "mkdir -p src tests\ntouch src/train.py\n"),
])
def test_running_the_starter_unchanged_is_no_attempt(check, grade_id, name, first_try):
    # Run All before the first exercise runs every self-check on its starter: the learner's
    # first own answer must still get the first step only, never the fix written out
    selfcheck.self_check(check, _starter(grade_id, name))
    first = selfcheck.self_check(check, first_try)
    assert first.findings and all(len(f.hint.splitlines()) == 1 for f in first.findings)
    second = selfcheck.self_check(check, first_try + "# changed\n")
    assert any(len(f.hint.splitlines()) > 1 for f in second.findings)


def test_an_answer_of_the_wrong_type_gets_one_line_that_says_so(capsys):
    unserialisable = selfcheck.self_check("01-gitignore", {"*.pkl", "data/"})  # a set
    assert [f.message for f in unserialisable.findings] == [
        "the answer cannot be checked: Object of type set is not JSON serializable"]
    with pytest.raises(AssertionError, match="cannot be checked"):
        selfcheck.graded("01-gitignore", {"*.pkl"})
    listed = selfcheck.self_check("01-gitignore", ["*.pkl", "data/"])
    assert [f.message for f in listed.findings] == ["GITIGNORE is a list, not text"]
    quiz = str(selfcheck.self_check("01-quiz", {"KC_PKL": ["c"]}))
    assert "KC_PKL" in quiz and "not one of" in quiz


def test_choice_question_is_explained_once_and_never_confirmed_on_retry():
    wrong = str(selfcheck.self_check("01-secret", "a"))
    assert wrong.startswith("❌") and "cloned" in wrong
    retry = str(selfcheck.self_check("01-secret", keys.SECRET_ACTION))
    assert "✅" not in retry and "you first answered 'a'" in retry
    blank = str(selfcheck.self_check("01-quiz", {"KC_PKL": "", "KC_RM": "b"}))
    assert "KC_PKL: not answered yet" in blank and "✅ KC_RM" in blank


def test_graded_cells_judge_choice_questions_only_for_their_form(capsys):
    selfcheck.graded("01-secret", "a")  # wrong, but no verdict in the kernel
    assert "graded when you submit" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="is not one of"):
        selfcheck.graded("01-secret", "")
    with pytest.raises(AssertionError, match="not sorted yet"):
        selfcheck.graded("01-sort", {})


def _student_copy(tmp_path: Path) -> Path:
    """The checkers as a graded class gets them: no checkers/course/keys/."""
    shutil.copytree(ROOT / "checkers", tmp_path / "checkers",
                    ignore=shutil.ignore_patterns("keys", "__pycache__"))
    return tmp_path


def _in_copy(copy: Path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, "-c", code], cwd=copy, env=env, text=True,
                          capture_output=True, timeout=120)


def test_student_copy_without_keys_grades_nothing_and_says_so(tmp_path):
    copy = _student_copy(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "checkers.course.grade", "01-secret"], cwd=copy,
                          input='"b"', text=True, capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(copy)})
    verdict = json.loads(proc.stdout)
    assert proc.returncode == 2 and verdict["ok"] is None and "graded when you submit" in verdict["pending"]
    out = _in_copy(copy, "import checkers, json\n"
                         "from checkers.course.selfcheck import self_check\n"
                         "assert checkers.__file__.startswith(%r)\n"
                         "print(self_check('01-quiz', {'KC_PKL': 'c', 'KC_RM': 'x'}))\n"
                         "print(self_check('01-sort', {'src/train.py': 'git'}))\n"
                         "print(self_check('01-gitignore', '*.pkl'))\n"
                         "from checkers.course.module01 import ARTIFACTS\n"
                         "print('SORTED', self_check('01-sort', {a: 'git' for a in ARTIFACTS}))\n"
                         % str(copy))
    assert out.returncode == 0, out.stderr
    assert "KC_PKL: recorded 'c'" in out.stdout and "✅" not in out.stdout.split("\n")[0]
    assert "'x' is not one of" in out.stdout  # malformed answers still get feedback
    assert "is not sorted yet" in out.stdout   # ... and missing items
    assert "gitignore-missing" in out.stdout   # checks that need no key work as usual
    sorted_line = out.stdout.split("SORTED", 1)[1]
    assert "Recorded" in sorted_line and "✅" not in sorted_line and "passed" not in sorted_line


def test_self_check_never_loads_a_key_into_the_calling_process(tmp_path):
    code = ("import sys\nfrom checkers.course.module01 import QUIZ, ARTIFACTS\n"
            "from checkers.course.selfcheck import self_check\n"
            "self_check('01-sort', {a: 'git' for a in ARTIFACTS})\n"
            "self_check('01-quiz', {k: 'a' for k in QUIZ})\nself_check('01-secret', 'b')\n"
            "print(sorted(m for m in sys.modules if m.startswith('checkers.course.keys')))")
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_widget_shows_full_text_records_and_never_judges(capsys):
    from checkers.course.module01 import QUIZ
    from checkers.course.widgets import REOPEN_NOTE, quiz

    answers = {}
    box = quiz(QUIZ, "KC_IGNORE", answers)
    shown = capsys.readouterr().out
    assert all(text.split("`")[-1] in shown for text in QUIZ["KC_IGNORE"]["choices"].values())
    button = box.children[1].children[0]
    button.click()
    assert answers == {"KC_IGNORE": "a"}
    assert "✅" not in box.children[-1].value and "❌" not in box.children[-1].value
    assert "model not found" in REOPEN_NOTE


def test_test_runs_keep_temporary_files_in_a_folder_of_their_own(private_tmp):
    import tempfile

    from checkers.course import Sandbox

    assert Path(tempfile.gettempdir()) == private_tmp and os.environ["TMPDIR"] == str(private_tmp)
    box = Sandbox()
    assert private_tmp in box.base.parents
    box.close()
    assert not box.base.exists()
