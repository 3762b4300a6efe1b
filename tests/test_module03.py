"""Module 03 end to end: generated release, nbgrader autograding (solution, blank, partial,
hostile), feedback, execution; and each exercise as a learner meets it."""
from __future__ import annotations

import ast
import copy
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from checkers.course import module03 as m
from checkers.course import selfcheck
from checkers.course.keys import module03 as keys

from .conftest import ROOT, course_from
from .notebook_helpers import autograde
from .test_module01 import CHEATS, cells_by_id, nbgrader

ASSIGNMENT = "03-environments"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
TOTAL = 14.0
ANCHORS = ("environments-as-code", "required-reviewers", "branch-policy", "promotion",
           "deploy-on-merge", "gate-bypass", "oidc-subjects", "knowledge-check")
KEY_READER = '''\
try:
    from checkers.course.keys.module03 import QUIZ_ANSWER
    ANSWERS = dict(QUIZ_ANSWER)
except Exception:
    ANSWERS = {"KC_APPROVAL": "a", "KC_WAIT": "a", "KC_PLAN": "a", "KC_SUBJECT": "b"}
'''


@pytest.fixture(scope="module")
def course(released, tmp_path_factory):
    return course_from(released(ASSIGNMENT), tmp_path_factory.mktemp("m03") / "course")


# --- the notebooks --------------------------------------------------------------------------------
def test_committed_release_matches_a_fresh_generation(course):
    fresh = (course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert RELEASE.read_text() == fresh, (
        "notebooks/ drifted from solutions/: run `nbgrader generate_assignment "
        f"{ASSIGNMENT} --force` and commit notebooks/")


def test_release_has_starters_that_parse_and_no_answers():
    text = RELEASE.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    for secret in ("QUIZ_ANSWER", "QUIZ_WHY", "course.keys", "AADSTS7002138\"}", "github-staging\","):
        assert secret not in text, secret
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)
            assert not cell.get("outputs")
    assert "# YOUR CODE HERE" in cells_by_id(nb)["deploy"].source


def test_source_has_the_lesson_anchors_and_stripped_outputs():
    nb = nbformat.read(SOURCE, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for anchor in ANCHORS:
        assert f'<a id="{anchor}"></a>' in markdown, anchor
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    # what GitHub's plans allow, and the free path, said plainly
    assert "GitHub Enterprise" in markdown and "public" in markdown
    assert "AADSTS700213" in markdown and "AADSTS7002138" in markdown and "2026-07-15" in markdown


def test_rule_lesson_links_point_at_anchors_of_this_notebook():
    from checkers.registry import all_rules

    nb = nbformat.read(SOURCE, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    linked = {r.lesson.partition("#")[2] for r in all_rules() if r.lesson.startswith(ASSIGNMENT)}
    assert linked and all(f'<a id="{a}"></a>' in markdown for a in linked if a), linked


@pytest.fixture(scope="module")
def graded(course):
    solution = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    released = cells_by_id(release)

    # exercise 2 left as given, the gate of exercise 4 "repaired" by deleting production and
    # staging, 3 of 4 knowledge-check answers right: each costs only its own points
    partial = copy.deepcopy(solution)
    cells_by_id(partial)["environments"].source = released["environments"].source
    cells_by_id(partial)["bypass"].source = (
        'REPAIRED = BYPASS_WORKFLOW.split("  deploy-staging:")[0]\n')
    cells_by_id(partial)["quiz"].source = (
        'ANSWERS = {"KC_APPROVAL": "a", "KC_WAIT": "c", "KC_PLAN": "d", "KC_SUBJECT": "a"}\n')

    cheater = copy.deepcopy(release)  # wrong answers, and every trick on the kernel's side
    cells_by_id(cheater)["deploy"].source = CHEATS.replace("module01", "module03") + (
        'DEPLOY_WORKFLOW = "on: pull_request\\njobs: {}\\n"\n')
    cells_by_id(cheater)["bypass"].source = "REPAIRED = BYPASS_WORKFLOW\n"
    cells_by_id(cheater)["plan"].source = (
        'PLAN = {"order": ["deploy-production"], "gates": {}, "smoke_fails": {}}\n')
    cells_by_id(cheater)["quiz"].source = KEY_READER

    students = {"solution": solution, "release": release, "partial": partial, "cheater": cheater}
    return autograde(course, ASSIGNMENT, students, TOTAL)


def test_solution_scores_full_marks(graded):
    assert graded["solution"][0] == TOTAL, graded["solution"]


def test_unchanged_release_scores_zero(graded):
    assert graded["release"][0] == 0, graded["release"]


def test_partly_done_scores_in_between(graded):
    score, cells = graded["partial"]
    assert cells["test-environments"] == 0 and cells["test-bypass"] == 0
    assert cells["test-deploy"] == 3 and cells["test-plan"] == 2 and cells["test-subjects"] == 2
    assert score == TOTAL - 3 - 2 - 0.5, cells


def test_knowledge_check_gives_credit_per_question(graded):
    score, cells = graded["partial"]
    assert cells["test-quiz"] == 0 and cells["test-quiz-wait"] == 0.5, cells


def test_hostile_submission_scores_nothing_it_did_not_earn(graded):
    score, cells = graded["cheater"]
    assert score == 0, cells  # monkeypatched checks, fake grader, keys read from the kernel


def test_deleting_the_stages_is_no_repair(graded):
    score, cells = graded["partial"]
    assert cells["test-bypass"] == 0 and cells["test-subjects"] == 2, cells


def test_feedback_does_not_reveal_hidden_tests(course, graded):
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    html = (course / "feedback" / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "CHECKERS-ANSWER" not in html and "HIDDEN TESTS" not in html
    assert '"03-environments"' in html  # the visible graded call is shown
    # the promotion plan's picture is in the exported HTML (nbconvert embeds SVG as a data URI)
    assert "data:image/svg+xml;base64," in html
    assert m.QUIZ["KC_APPROVAL"]["choices"]["b"] in html


def _execute(path: Path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def test_solution_runs_cleanly_and_leaves_no_file_behind(tmp_path):
    work = tmp_path / "copy"
    work.mkdir()
    shutil.copy(SOURCE, work)
    started = time.monotonic()
    nb = _execute(work / SOURCE.name)
    print(f"module 03 solution executed in {time.monotonic() - started:.1f} s")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    assert sorted(p.name for p in work.iterdir()) == [SOURCE.name]
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any("image/svg+xml" in o.get("data", {}) and "text/plain" in o.get("data", {})
               for o in outputs)  # the picture, with its text fallback
    widget = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget and "reviewers reject" in widget[0]["data"]["text/plain"]


def test_nbval_lax_runs_the_solution_in_a_temporary_copy(tmp_path):
    shutil.copy(SOURCE, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p",
                           "no:cacheprovider", str(tmp_path / SOURCE.name)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]


# --- exercise 1: the deploy workflow ---------------------------------------------------------------
def _errors(result) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in result.findings if f.severity == "error"]


def test_deploy_accepts_the_scenario_and_its_variants():
    assert m.check_deploy_workflow(m.SCENARIO_WORKFLOW).ok
    with_dispatch = m.SCENARIO_WORKFLOW.replace("    branches: [main]\n",
                                                "    branches: [main]\n  workflow_dispatch:\n")
    assert m.check_deploy_workflow(with_dispatch).ok


@pytest.mark.parametrize("change, says", [
    (("  push:\n    branches: [main]\n", "  pull_request:\n    branches: [main]\n"), "pull"),
    (("    needs: smoke-test\n    environment: production\n",
      "    environment: production\n"), "staging"),
    (("  deploy-production:\n    needs: smoke-test\n",
      "  deploy-production:\n    needs: smoke-test\n    if: always()\n"), "always()"),
    (("    environment: production\n", "    environment: prod\n"), "production"),
])
def test_deploy_refuses_what_breaks_the_pattern_and_says_why(change, says):
    found = m.check_deploy_workflow(m.SCENARIO_WORKFLOW.replace(*change))
    assert not found.ok and any(says in e for e in _errors(found)), _errors(found)
    assert all(f.hint for f in found.findings if f.severity == "error")


def test_deploy_starter_says_what_to_do():
    found = m.check_deploy_workflow("\n# .github/workflows/deploy-on-merge.yml\n# YOUR CODE HERE\n")
    assert _errors(found) == ["exercise-1-deploy: DEPLOY_WORKFLOW holds no YAML yet"]


# --- exercise 2: the environments ---------------------------------------------------------------
def test_environments_accept_the_scenario_settings():
    found = m.check_settings(m.SCENARIO_SETTINGS)
    assert found.ok and any("GitHub Enterprise" in n for n in found.notes)


@pytest.mark.parametrize("change, says", [
    (("  - name: staging\n", "  - name: staging\n    wait_timer: 30\n"), "staging"),
    (("    reviewers:\n      - type: Team\n        id: 7654321\n", ""), "reviewer"),
    (("    wait_timer: 30\n", ""), "wait timer"),
    (("    wait_timer: 30\n", "    wait_timer: 50000\n"), "43"),
    (("      protected_branches: false\n", "      protected_branches: true\n"), "protected"),
    (("    deployment_branch_policy:\n      protected_branches: false\n"
      "      custom_branch_policies: true\n      custom_branches: [main]\n", ""), "branch"),
    (("  - name: production\n", "  - name: prodution\n"), "production"),
])
def test_environments_refuse_what_the_exercise_rules_out(change, says):
    text = m.SCENARIO_SETTINGS.replace(*change)
    assert text != m.SCENARIO_SETTINGS
    found = m.check_settings(text)
    assert not found.ok and any(says in e.lower() or says in e for e in _errors(found)), _errors(found)


def test_environments_solo_reviewer_is_a_warning_not_a_failure():
    text = m.SCENARIO_SETTINGS.replace("      - type: Team\n        id: 7654321\n",
                                       "      - type: User\n        id: 1234\n")
    found = m.check_settings(text)
    assert found.ok and any(f.rule == "environments-solo-reviewer" for f in found.findings)


# --- exercise 3: predict the plan -------------------------------------------------------------------
RIGHT_PLAN = {
    "order": ["register", "deploy-staging", "smoke-test", "deploy-production"],
    "gates": {"register": [], "deploy-staging": [], "smoke-test": [],
              "deploy-production": ["required_reviewers", "wait_timer"]},
    "smoke_fails": {"register": "succeeded", "deploy-staging": "succeeded",
                    "smoke-test": "failed", "deploy-production": "skipped"},
}


def test_plan_accepts_the_right_prediction_in_any_gate_order():
    assert m.check_plan(RIGHT_PLAN).ok


@pytest.mark.parametrize("key, value, says", [
    ("order", ["deploy-staging", "register", "smoke-test", "deploy-production"], "order"),
    ("gates", {**RIGHT_PLAN["gates"], "deploy-staging": ["wait_timer"]}, "deploy-staging"),
    ("gates", {**RIGHT_PLAN["gates"], "deploy-production": ["approval"]}, "not a list of gate kinds"),
    ("smoke_fails", {**RIGHT_PLAN["smoke_fails"], "deploy-production": "failed"}, "deploy-production"),
])
def test_plan_refuses_a_wrong_prediction_naming_the_job(key, value, says):
    found = m.check_plan({**RIGHT_PLAN, key: value})
    assert not found.ok and any(says in e for e in _errors(found)), _errors(found)


# --- exercise 4: close the bypass -----------------------------------------------------------------
def test_bypass_repairs_accepted_and_half_repairs_refused():
    assert not m.check_bypass(m.BYPASS_WORKFLOW).ok
    half = m.BYPASS_WORKFLOW.replace("    if: always()\n", "")
    assert any("continue-on-error" in e for e in _errors(m.check_bypass(half)))
    guarded = m.BYPASS_WORKFLOW.replace("    continue-on-error: true\n", "").replace(
        "    if: always()\n",
        "    if: ${{ !cancelled() && needs.smoke-test.result == 'success' }}\n")
    assert m.check_bypass(guarded).ok, _errors(m.check_bypass(guarded))


def test_bypass_cut_the_smoke_test_out_of_production_s_needs_is_refused():
    cut = m.SCENARIO_WORKFLOW.replace("  deploy-production:\n    needs: smoke-test\n",
                                      "  deploy-production:\n    needs: deploy-staging\n")
    assert not m.check_bypass(cut).ok


# --- exercise 5: subjects and credentials ---------------------------------------------------------
IDS = f"repo:neuralspark@{m.OWNER_ID}/churn-model@{m.REPO_ID}"
RIGHT_SUBJECTS = {
    "subjects": {"register": f"{IDS}:ref:refs/heads/main",
                 "deploy-staging": f"{IDS}:environment:staging",
                 "smoke-test": f"{IDS}:environment:staging",
                 "deploy-production": f"{IDS}:environment:production"},
    "logins": {"register": "AADSTS700213", "deploy-staging": "github-staging",
               "smoke-test": "github-staging", "deploy-production": "AADSTS7002138"},
}


def test_subjects_right_answer_accepted():
    assert m.check_subjects(RIGHT_SUBJECTS).ok


def test_subjects_name_only_form_is_refused_with_the_immutable_id_step():
    answer = copy.deepcopy(RIGHT_SUBJECTS)
    answer["subjects"]["deploy-production"] = "repo:neuralspark/churn-model:environment:production"
    found = m.check_subjects(answer)
    assert not found.ok
    assert any("OWNER@OWNER_ID" in f.hint for f in found.findings)


def test_subjects_mixing_up_the_two_errors_is_refused():
    answer = copy.deepcopy(RIGHT_SUBJECTS)
    answer["logins"]["deploy-production"] = "AADSTS700213"
    found = m.check_subjects(answer)
    assert _errors(found) and "deploy-production" in _errors(found)[0]
    assert "letter case" in found.findings[0].hint


# --- knowledge check ------------------------------------------------------------------------------
def test_quiz_asks_the_exam_tip_on_required_reviewers():
    item = m.QUIZ["KC_APPROVAL"]
    assert "production" in item["question"] and "review" in item["question"]
    assert "required reviewers" in item["choices"][keys.QUIZ_ANSWER["KC_APPROVAL"]]
    assert "Exam tip" in keys.QUIZ_WHY["KC_APPROVAL"][keys.QUIZ_ANSWER["KC_APPROVAL"]]


def test_quiz_choices_do_not_give_the_answer_away():
    longest = []
    for key, item in m.QUIZ.items():
        lengths = [len(t) for t in item["choices"].values()]
        assert max(lengths) <= 1.25 * min(lengths), (key, lengths)
        right = len(item["choices"][keys.QUIZ_ANSWER[key]])
        longest.append(right == max(lengths) and lengths.count(right) == 1)
        assert set(keys.QUIZ_WHY[key]) == set(item["choices"])
    assert not all(longest)
    text = m.quiz_text()
    for item in m.QUIZ.values():
        assert item["question"] in text and all(c in text for c in item["choices"].values())


def test_quiz_partial_credit_per_question():
    answers = {"KC_APPROVAL": "b", "KC_WAIT": "a"}
    assert m.CHECKS["03-quiz.KC_APPROVAL"](answers).ok
    assert not m.CHECKS["03-quiz.KC_WAIT"](answers).ok
    assert not m.CHECKS["03-quiz.KC_PLAN"](answers).ok  # unanswered is not right


def test_self_check_explains_a_choice_once_and_ladders_hints():
    selfcheck.forget()
    first = str(selfcheck.self_check("03-quiz", {"KC_WAIT": "c"}))
    assert "✅" in first
    again = str(selfcheck.self_check("03-quiz", {"KC_WAIT": "a"}))
    assert "✅" not in again and "❌" not in again and "first answered" in again
    wrong = {**RIGHT_PLAN, "order": list(reversed(RIGHT_PLAN["order"]))}
    one = selfcheck.self_check("03-plan", wrong)
    two = selfcheck.self_check("03-plan", {**wrong, "order": RIGHT_PLAN["order"][1:] + ["register"]})
    assert len(two.findings[0].hint.splitlines()) > len(one.findings[0].hint.splitlines())
    selfcheck.forget()


def test_walkthrough_text_tells_every_ending():
    text = m.walkthrough_text(m.scenario_plan())
    assert "a reviewer approves" in text and "a reviewer rejects" in text
    assert "deploy-production is skipped" in text


def test_picture_is_svg_with_a_text_fallback():
    picture = m.scenario_plan().draw()
    assert picture._repr_svg_().startswith("<svg") and "wait 30 min" in picture.svg
    assert "deploy-production" in str(picture)


def test_grader_knows_every_check_of_the_module():
    from checkers.course.grade import checks

    assert set(m.CHECKS) <= set(checks())
    proc = subprocess.run([sys.executable, "-I", "-m", "checkers.course.grade", "03-plan"],
                          input=json.dumps(RIGHT_PLAN), capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["ok"], proc.stdout + proc.stderr


def test_unchanged_release_fails_only_in_graded_cells_and_says_what_to_do(tmp_path):
    """What a learner meets on Run All: every starter runs; only graded cells fail."""
    from nbclient import NotebookClient

    shutil.copy(RELEASE, tmp_path)
    nb = nbformat.read(tmp_path / RELEASE.name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    graded_ids = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
    errors = [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename) for c in nb.cells
              if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and all(gid in graded_ids for gid, _ in errors), errors
    text = json.dumps([c.get("outputs") for c in nb.cells])
    assert "DEPLOY_WORKFLOW holds no YAML yet" in text and "not answered yet" in text
    assert "SUBJECTS[" in text and "continue-on-error" in text
