"""Module 04 end to end: generated release, nbgrader autograding, each learner case."""
from __future__ import annotations

import copy
import json

import nbformat
import pytest

from checkers.course import module04
from checkers.course.keys import module04 as keys

from .conftest import ROOT, course_from
from .notebook_helpers import autograde, nbval_lax

ASSIGNMENT = "04-azure-ml-assets"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
TOTAL = 15.0
FIXES = {"output": "FIX_OUTPUT", "step": "FIX_STEP", "cycle": "FIX_CYCLE", "input": "FIX_INPUT",
         "braces": "FIX_BRACES"}
# the rule each broken starter must be caught by
CAUGHT_BY = {"output": "azureml-pipeline-binding", "step": "azureml-pipeline-binding",
             "cycle": "azureml-pipeline-cycle", "input": "azureml-pipeline-step-io",
             "braces": "azureml-pipeline-binding"}
# in the kernel: monkeypatched checks and a fake interpreter; grading is outside, so it scores 0
CHEATS = """\
import os, sys, tempfile
import checkers.course.module04 as _m
from checkers.findings import Result
for _name in [n for n in dir(_m) if n.startswith("check_")]:
    setattr(_m, _name, lambda *a, **k: Result())
_m.CHECKS.update({k: (lambda *a, **k: Result()) for k in _m.CHECKS})
_fake = os.path.join(tempfile.mkdtemp(), "python")
with open(_fake, "w") as fh:
    fh.write('#!/bin/sh\\necho \\'{"ok": true, "findings": []}\\'\\n')
os.chmod(_fake, 0o755)
sys.executable = _fake
"""


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def run_cell(source: str) -> dict:
    """The variables an answer cell defines (its source is plain assignments)."""
    space: dict = {}
    exec(compile(source, "<cell>", "exec"), space)  # noqa: S102 (our own notebook's cells)
    return space


@pytest.fixture(scope="module")
def course(released, tmp_path_factory):
    return course_from(released(ASSIGNMENT), tmp_path_factory.mktemp("m04") / "course")


def test_committed_release_matches_a_fresh_generation(course):
    fresh = (course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert RELEASE.read_text() == fresh, (
        "notebooks/ drifted from solutions/: run `nbgrader generate_assignment "
        f"{ASSIGNMENT} --force` and commit notebooks/")


def test_release_starters_parse_and_hold_no_answer():
    text = RELEASE.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    for secret in ("QUIZ_ANSWER", "EVALUATE_COMPONENT", "keys.WIRING", "course.keys"):
        assert secret not in text, secret
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            compile(cell.source, "<cell>", "exec")
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_lesson_anchors_the_rules_link_to_exist():
    text = SOURCE.read_text()
    for anchor in ("components", "pipelines", "environments", "infrastructure", "knowledge-check"):
        assert f'<a id=\\"{anchor}\\"></a>' in text, anchor


def test_each_broken_starter_fails_for_its_own_mistake_and_the_solution_passes():
    release = cells_by_id(nbformat.read(RELEASE, as_version=4))
    solution = cells_by_id(nbformat.read(SOURCE, as_version=4))
    for name, variable in FIXES.items():
        broken = run_cell(release[f"fix-{name}"].source)[variable]
        verdict = module04.check_fixed(broken)
        assert not verdict.ok and CAUGHT_BY[name] in {f.rule for f in verdict.findings}, (name, verdict.findings)
        assert module04.check_fixed(run_cell(solution[f"fix-{name}"].source)[variable]).ok, name


def test_learner_mistakes_are_named_at_the_line():
    component = keys.EVALUATE_COMPONENT
    single = component.replace("${{inputs.test_split}}", "${inputs.test_split}")
    found = module04.check_component(single).findings
    assert any(f.rule == "azureml-command-placeholders" and f.line for f in found), found
    missing = component.replace("  report: {type: uri_folder}\n", "  scores: {type: uri_folder}\n")
    messages = [f.message for f in module04.check_component(missing).findings]
    assert any("no output `report`" in m for m in messages), messages
    solution = cells_by_id(nbformat.read(SOURCE, as_version=4))
    pipeline = run_cell(solution["pipeline"].source)["PIPELINE_YAML"]
    assert module04.check_pipeline(pipeline).ok
    swapped = pipeline.replace("trained_model: ${{parent.jobs.train.outputs.model}}",
                               "trained_model: ${{parent.jobs.prepare.outputs.splits}}")
    assert any("trained_model" in f.message for f in module04.check_pipeline(swapped).findings)
    no_eval = pipeline[:pipeline.index("  evaluate:")]
    assert any("no step `evaluate`" in f.message for f in module04.check_pipeline(no_eval).findings)
    prod = run_cell(solution["params"].source)["PARAMS_PROD"]
    assert module04.check_prod_params(prod).ok
    assert not module04.check_prod_params(module04.PROJECT[module04.PARAMS_DEV]).ok
    leaked = json.loads(prod)
    leaked["parameters"]["adminPassword"] = {"value": "S3cret-Passw0rd!"}
    rules = {f.rule for f in module04.check_prod_params(json.dumps(leaked)).findings}
    assert "azureml-infra-secret" in rules, rules
    assert not module04.check_prod_params("").ok and not module04.check_component(None).ok


def test_quiz_choices_are_of_similar_length():
    for key, item in module04.QUIZ.items():
        lengths = [len(text) for text in item["choices"].values()]
        assert max(lengths) - min(lengths) <= 15, (key, lengths)
        assert set(keys.QUIZ_WHY[key]) == set(item["choices"]) and keys.QUIZ_ANSWER[key] in item["choices"]


@pytest.fixture(scope="module")
def graded(course):
    solution = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    released = cells_by_id(release)

    # the component and two fixes left undone, 3 of 4 knowledge-check answers right
    partial = copy.deepcopy(solution)
    for cell in partial.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in {"component", "fix-cycle", "fix-braces"}:
            cell.source = released[gid].source
    cells_by_id(partial)["quiz"].source = (
        'ANSWERS = {"KC_WIRING": "b", "KC_BRACES": "c", "KC_ENV": "a", "KC_PARAMS": "d"}\n')

    hostile = copy.deepcopy(release)  # tricks in the kernel, wrong answers everywhere
    cells_by_id(hostile)["component"].source = CHEATS + 'COMPONENT_YAML = "type: command\\n"\n'
    cells_by_id(hostile)["params"].source = ('PARAMS_PROD = \'{"parameters": {"environment": '
                                             '{"value": "prod"}, "adminPassword": {"value": "x"}}}\'\n')
    cells_by_id(hostile)["quiz"].source = (
        'ANSWERS = {"KC_WIRING": "a", "KC_BRACES": "a", "KC_ENV": "b", "KC_PARAMS": "a"}\n')

    students = {"solution": solution, "release": release, "partial": partial, "hostile": hostile}
    return autograde(course, ASSIGNMENT, students, TOTAL)


def test_solution_scores_full_marks(graded):
    assert graded["solution"][0] == TOTAL, graded["solution"]


def test_unchanged_release_scores_zero(graded):
    assert graded["release"][0] == 0, graded["release"]


def test_partly_done_scores_in_between(graded):
    score, cells = graded["partial"]
    assert cells["test-component"] == 0 and cells["test-fix-cycle"] == 0
    assert cells["test-pipeline"] == 3 and cells["test-fix-output"] == 1
    assert score == TOTAL - 5 - 0.5, cells


def test_knowledge_check_gives_credit_per_question(graded):
    score, cells = graded["partial"]
    assert cells["test-quiz"] == 0.5 and cells["test-quiz-params"] == 0, cells


def test_hostile_submission_scores_nothing_it_did_not_earn(graded):
    score, cells = graded["hostile"]
    assert score == 0, cells


def test_nbval_lax_runs_the_solution_in_a_temporary_copy(tmp_path):
    nbval_lax(SOURCE, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [SOURCE.name]
