"""Module 02's exercise checks on learners' typical answers (the same functions grade them).

Each learner case: the right answers are accepted (equivalent ones too), the wrong ones refused
with a message a learner can act on: what goes wrong, for which push or at which line, and a
hint whose first step gives the principle. Real trigger simulation, real workflow checking,
real git pushes to a bare origin.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from checkers.course import module02 as m
from checkers.course import selfcheck
from checkers.course.feedback import ladder_steps
from checkers.course.grade import checks, in_fresh_process
from checkers.course.keys import module02 as keys
from checkers.course.sandbox import Sandbox

from .conftest import ROOT

FILTERS = """\
on:
  push:
    branches: ['feature/**', '!feature/**-wip']
    paths: ['src/**', 'components/**', 'pipelines/**', '!**/*.md']
  pull_request:
    branches: [main]
    paths: ['src/**', 'components/**', 'pipelines/**', '!**/*.md']
"""
PUSH = ("git switch -q -c feature/improve-churn-model\n"
        "sed -i 's/max_iter=200/max_iter=500/' src/train.py\n"
        "git commit -q -am 'Raise max_iter to 500 so the solver converges'\n"
        "git push -q -u origin feature/improve-churn-model\n")
READING = {"workflows": ["train-on-push.yml"], "jobs": ["unit-tests", "train"],
           "tags.branch": "feature/improve-churn-model"}


@pytest.fixture(autouse=True)
def fresh_selfcheck():
    selfcheck.forget()
    yield
    selfcheck.forget()


def test_grade_knows_every_module_02_check():
    assert set(m.CHECKS) <= set(checks())
    assert m.CHOICES == m.KEYED and all(c in m.CHECKS for c in m.CHOICES)


# --- exercise 1: predictions ------------------------------------------------------------------------
def test_prediction_key_is_what_the_trigger_simulator_says():
    for key, push in m.PUSHES.items():
        assert m.simulate(m.PREDICT_WORKFLOW, push).runs == keys.PREDICT_ANSWER[key], key


def test_predictions_right_accepted_wrong_refused_with_the_simulators_reasons():
    assert m.check_predictions(keys.PREDICT_ANSWER).ok
    wrong = {**keys.PREDICT_ANSWER, "P2": True}
    (finding,) = m.check_predictions(wrong).findings
    assert finding.path == "P2" and "!feature/**-wip" in finding.message
    assert "last one that matches decides" in finding.hint
    assert m.CHECKS["02-predict.P1"](wrong).ok and not m.CHECKS["02-predict.P2"](wrong).ok
    assert not m.CHECKS["02-predict.P3"]({"P1": True}).ok  # unanswered is not right


@pytest.mark.parametrize("answer, says", [
    ({"P1": "yes"}, "is not one of True, False"), ({"P1": None}, "is not one of True, False"),
    ({"P9": True}, "not a question"), ([True], "expected a dict"),
])
def test_malformed_predictions_are_refused_in_the_learners_terms(answer, says):
    result = m.check_predictions(answer)
    assert not result.ok and any(says in f.message for f in result.findings)


def test_prediction_is_explained_once_and_not_confirmed_on_retry():
    first = str(selfcheck.self_check("02-predict", {"P2": True, "P3": None}))
    assert first.startswith("❌ P2") and "P3: not answered yet" in first
    again = str(selfcheck.self_check("02-predict", {"P2": False}))
    assert "✅" not in again and "you first answered True" in again


def test_graded_prediction_cell_checks_only_the_form(capsys):
    selfcheck.graded("02-predict.P2", {"P2": True})  # wrong, but no verdict in the kernel
    assert "graded when you submit" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="is not one of"):
        selfcheck.graded("02-predict.P2", {"P2": None})


# --- exercise 2: filters for the policy ---------------------------------------------------------------
@pytest.mark.parametrize("text", [
    FILTERS,
    # the same policy, written differently
    FILTERS.replace("'!feature/**-wip'", "'!**-wip'").replace("'!**/*.md'", "'!**.md'"),
    "name: CI\n" + FILTERS + "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n",
    FILTERS.replace("branches: [main]", "branches: main"),
])
def test_filters_for_the_policy_accept_equivalent_answers(text):
    assert m.check_filters(text).ok, m.check_filters(text)


@pytest.mark.parametrize("text, says, principle", [
    (FILTERS.replace("'feature/**', ", "'feature/*', "), "feature/team-a/new-features", "`**` crosses `/`"),
    (FILTERS.replace("['feature/**', '!feature/**-wip']", "['!feature/**-wip', 'feature/**']"),
     "feature/tune-wip", "last match decides"),
    (FILTERS.replace("branches: [main]", "branches: ['feature/**']"), "into main", "base branch"),
    (FILTERS.replace(", '!**/*.md']", "]"), "src/README.md", "takes files out"),
    (FILTERS.replace("branches: ['feature/**', '!feature/**-wip']", "branches-ignore: [main]"),
     "develop", "`**` crosses"),
])
def test_filter_mistakes_name_the_event_that_goes_wrong(text, says, principle):
    result = m.check_filters(text)
    assert not result.ok
    messages = " ".join(f.message for f in result.findings)
    assert says in messages, messages
    first_steps = " ".join(ladder_steps(f.hint)[0] for f in result.findings)
    assert principle in first_steps, first_steps
    for f in result.findings:  # the first step never holds the answer's YAML
        assert "'!feature/**-wip'" not in ladder_steps(f.hint)[0]


@pytest.mark.parametrize("text, says", [
    ("on:\n  push:\n    paths: ['src/**']\n    paths-ignore: ['**.md']\n", "never runs"),
    ("on:\n  push:\n    branches: [\n", "not valid YAML"),
    ("# nothing yet\n", "no filters yet"),
    (None, "no filters yet"),
])
def test_filters_github_would_refuse_are_reported_first(text, says):
    (finding,) = m.check_filters(text).findings
    assert says in finding.message


# --- exercise 3: the whole workflow -------------------------------------------------------------------
def _solution(name: str) -> str:
    import nbformat

    nb = nbformat.read(ROOT / "solutions" / "02-github-actions" / "02-github-actions.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == name)
    namespace: dict = {}
    exec(cell.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace)
    return namespace


def test_workflow_solution_and_the_sample_repos_workflow_pass():
    assert m.check_workflow(_solution("workflow")["WORKFLOW"]).ok
    sample = (ROOT / "sample_repo" / ".github" / "workflows" / "train-on-push.yml").read_text()
    assert m.check_workflow(sample).ok, m.check_workflow(sample)


def test_workflow_without_unit_tests_first_passes_with_a_warning_only():
    text = m.BROKEN["trace"].replace(m.BROKEN["trace"][m.BROKEN["trace"].index("jobs:"):
                                                       m.BROKEN["trace"].index("  train:")], "jobs:\n")
    text = text.replace("    needs: unit-tests\n", "").replace(
        '--set display_name="churn-training"',
        '--set display_name="train-$COMMIT" --set tags.branch="$BRANCH" --set tags.commit="$COMMIT"')
    result = m.check_workflow(text)
    (finding,) = result.findings
    assert finding.rule == "train-unit-tests"
    assert result.ok == (finding.severity != "error")  # the checker's severity decides


@pytest.mark.parametrize("change, rule", [
    (("      - run: az extension add --name ml\n", ""), "train-ml-extension"),
    (("branches: ['feature/**']", "branches: ['**']"), "train-trigger"),
    (("    paths: ['src/**', 'components/**', 'pipelines/**']\n", ""), "train-paths"),
    (("--file pipelines/training-pipeline.yaml", "--file training.yaml"), "train-job-create"),
    (("tags.commit=\"$COMMIT\"", "tags.commit=\"${{ github.commit }}\""), "workflow-github-context"),
    (("needs: unit-tests", "needs: unit-test"), "workflow-needs"),
])
def test_workflow_mistakes_fail_at_their_line_with_the_principle_first(change, rule):
    text = m.PRACTICE_WORKFLOW.replace(*change)
    assert text != m.PRACTICE_WORKFLOW
    result = m.check_workflow(text)
    assert not result.ok
    finding = next(f for f in result.errors if f.rule == rule)
    assert finding.line and len(ladder_steps(finding.hint)) >= 2


def test_lessons_inline_expressions_are_reported_as_template_injection():
    """The lesson's inline `${{ github.ref_name }}` in `run:` is template injection (zizmor);
    whether it fails the exercise is the workflow checker's severity."""
    text = m.PRACTICE_WORKFLOW.replace('tags.branch="$BRANCH"', 'tags.branch="${{ github.ref_name }}"')
    result = m.check_workflow(text)
    injection = [f for f in result.findings if "template-injection" in f.message]
    assert injection and result.ok == all(f.severity != "error" for f in result.findings)


def test_empty_workflow_says_what_to_do():
    (finding,) = m.check_workflow("   \n# YOUR CODE HERE\n").findings
    assert finding.message == "no workflow yet"


# --- exercise 4: four broken workflows ----------------------------------------------------------------
BROKEN_RULES = {
    "filter": {"workflow-filter-negative-only", "train-trigger"},
    "id-token": {"workflow-oidc-permission"},
    "creds": {"workflow-azure-login-oidc", "train-oidc-login"},
    "trace": {"train-traceability"},
}


@pytest.mark.parametrize("which", list(m.BROKEN))
def test_each_broken_workflow_fails_for_its_own_mistake_only(which):
    result = m.CHECKS[f"02-repair.{which}"](m.BROKEN[which])
    rules = {f.rule for f in result.errors}
    assert rules and rules <= BROKEN_RULES[which], rules
    assert {f.rule for f in result.findings} <= BROKEN_RULES[which]


@pytest.mark.parametrize("which", list(m.BROKEN))
def test_each_repair_of_the_solution_passes(which):
    variable = m.REPAIR_VARIABLES[which]
    repaired = _solution(f"repair-{which}")[variable]
    assert repaired != m.BROKEN[which]
    assert m.CHECKS[f"02-repair.{which}"](repaired).ok


@pytest.mark.parametrize("which, fix, says", [
    ("filter", ("['!main']", "['**', '!main']"), "would train too"),
    ("filter", ("['!main']", "['feature/*']"), None),  # a narrower fix that still trains: fine
    ("creds", ("          creds: ${{ secrets.AZURE_CREDENTIALS }}\n",
               "          client-id: ${{ secrets.AZURE_CLIENT_ID }}\n"
               "          tenant-id: ${{ secrets.AZURE_TENANT_ID }}\n"
               "          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}\n"), "id-token: write"),
    ("trace", ('--set display_name="churn-training"', '--set display_name="train-$COMMIT"'),
     "branch (github.ref_name)"),
])
def test_half_repairs_are_refused_with_what_is_still_wrong(which, fix, says):
    result = m.CHECKS[f"02-repair.{which}"](m.BROKEN[which].replace(*fix))
    if says is None:
        assert result.ok, result
        return
    assert not result.ok
    assert any(says in f.message or says in f.hint for f in result.errors), result


def test_workflow_id_token_only_at_the_workflow_level_is_refused_at_the_job():
    text = m.BROKEN["id-token"].replace("permissions:\n  contents: read\n",
                                        "permissions:\n  contents: read\n  id-token: write\n")
    errors = m.CHECKS["02-repair.id-token"](text).errors
    finding = next(f for f in errors if f.rule == "workflow-oidc-permission")
    assert "job's `permissions:`" in finding.message
    assert "replaces the workflow's" in ladder_steps(finding.hint)[0]


# --- exercise 5: a real push --------------------------------------------------------------------------
def test_push_of_a_feature_branch_with_ml_code_passes_and_its_plan_reads_back():
    assert m.check_push(PUSH).ok, m.check_push(PUSH)
    assert m.check_plan_reading({"push": PUSH, "reading": READING}).ok
    other = PUSH.replace("feature/improve-churn-model", "feature/tune-c")
    assert m.check_push(other).ok  # any feature branch
    assert not m.check_plan_reading({"push": other, "reading": READING}).ok  # its own plan counts


@pytest.mark.parametrize("script, says", [
    ("", "no commands to run yet"),
    (PUSH.replace("src/train.py", "README.md").replace("max_iter=200", "Churn"),
     "does not start train-on-push.yml"),
    (PUSH.rsplit("git push", 1)[0], "exists only in your repository: not pushed"),
    ("sed -i 's/200/500/' src/train.py\ngit commit -q -am 'Raise max_iter'\ngit push -q origin main\n",
     "main on origin changed"),
    ("git push origin feature/nope\n", "stopped at line 1"),
])
def test_push_mistakes_are_refused_with_what_to_do(script, says):
    result = m.check_push(script)
    assert not result.ok and any(says in f.message for f in result.findings), result


@pytest.mark.parametrize("reading, says", [
    ({**READING, "jobs": ["train", "unit-tests"]}, "is not the order of the plan"),
    ({**READING, "workflows": ["train-on-push.yml", "docs.yml"]}, "is not what the plan says"),
    ({**READING, "tags.branch": "main"}, "is not the value the plan shows"),
    ({**READING, "jobs": []}, "not answered yet"),
])
def test_plan_misreadings_are_refused(reading, says):
    result = m.check_plan_reading({"push": PUSH, "reading": reading})
    assert not result.ok and any(says in f.message for f in result.findings), result


def test_the_origin_answers_a_real_push_and_says_nothing_is_sent():
    with Sandbox() as box:
        m.build_push_repo(box)
        proc = box.run(PUSH.replace("-q -u", "-u"))
        assert proc.returncode == 0, proc.stderr
        remote = [line[len("remote: "):] for line in proc.stderr.splitlines()
                  if line.startswith("remote: ")]
        text = "\n".join(remote)
        assert "nothing is sent" in text and "train-on-push.yml: runs" in text
        assert "docs.yml: does not run" in text and "deploy-on-merge.yml: does not run" in text
        sha = box.git("rev-parse", "HEAD").strip()
        assert f'--set tags.branch="feature/improve-churn-model" --set tags.commit="{sha}"' in text
        assert m.pushed_plan(box).running == ["train-on-push.yml"]


# --- knowledge check ----------------------------------------------------------------------------------
def test_quiz_per_question_partial_credit_and_explanations():
    assert m.check_quiz(keys.QUIZ_ANSWER).ok
    wrong = {**keys.QUIZ_ANSWER, "KC_BASE": "a"}
    (finding,) = m.check_quiz(wrong).findings
    assert "base branch" in finding.message and finding.path == "KC_BASE"
    assert m.CHECKS["02-quiz.KC_OIDC"](wrong).ok and not m.CHECKS["02-quiz.KC_BASE"](wrong).ok


def test_quiz_choices_do_not_give_the_answer_away():
    longest_is_right = []
    for key, item in m.QUIZ.items():
        lengths = [len(text) for text in item["choices"].values()]
        assert max(lengths) <= 1.2 * min(lengths), (key, lengths)
        right = len(item["choices"][keys.QUIZ_ANSWER[key]])
        longest_is_right.append(right == max(lengths) and lengths.count(right) == 1)
    assert not all(longest_is_right)
    assert len(set(keys.QUIZ_ANSWER.values())) > 2  # not always the same letter
    text = m.quiz_text()
    for item in m.QUIZ.values():
        assert item["question"] in text and all(c in text for c in item["choices"].values())


def test_quiz_asks_only_about_module_02():
    text = m.quiz_text().lower()
    assert "approv" not in text and "reviewer" not in text and "gitignore" not in text


# --- the explorer and the key's separation ------------------------------------------------------------
def test_trigger_explorer_answers_with_the_deciding_filter_and_keeps_a_text_copy(capsys):
    from checkers.course.widgets import REOPEN_NOTE, trigger_explorer

    box = trigger_explorer(m.PREDICT_WORKFLOW, m.explain_push)
    shown = capsys.readouterr().out
    assert "explain_push(" in shown and "RUNS" in shown  # the plain-text copy
    import html

    kind, name, files, out = box.children
    kind.value = "tag"
    name.value = "v2.0.0"
    shown = html.unescape(out.value)
    assert "matches tags pattern 'v*'" in shown and "not evaluated for tag pushes" in shown
    kind.value = "branch"
    name.value = "feature/x-wip"
    assert "does not run" in html.unescape(out.value) and "!feature/**-wip" in html.unescape(out.value)
    assert "model not found" in REOPEN_NOTE


def test_self_check_never_loads_a_key_into_the_calling_process(tmp_path):
    code = ("import sys\nfrom checkers.course.selfcheck import self_check\n"
            "self_check('02-predict', {'P1': True})\nself_check('02-quiz', {'KC_OIDC': 'b'})\n"
            "print(sorted(m for m in sys.modules if m.startswith('checkers.course.keys')))")
    out = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_student_copy_without_keys_records_choices_and_still_checks_the_rest(tmp_path):
    shutil.copytree(ROOT / "checkers", tmp_path / "checkers",
                    ignore=shutil.ignore_patterns("keys", "__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = ("from checkers.course.selfcheck import self_check\n"
            "print(self_check('02-predict', {'P1': True, 'P2': 'x'}))\n"
            "print(self_check('02-quiz', {'KC_OIDC': 'b'}))\n"
            f"print(self_check('02-filters', {FILTERS!r}))\n"
            "print(self_check('02-workflow', 'on: push'))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True,
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "P1: recorded True" in out.stdout and "'x' is not one of" in out.stdout
    assert "KC_OIDC: recorded 'b'" in out.stdout and "✅" not in out.stdout
    assert "no problems found" in out.stdout  # the filters need no key
    assert "[train-trigger]" in out.stdout or "[workflow-syntax]" in out.stdout


def test_grading_runs_in_a_fresh_isolated_process():
    assert in_fresh_process("02-quiz.KC_ENV", {"KC_ENV": "a"})["ok"]
    verdict = in_fresh_process("02-repair.creds", m.BROKEN["creds"])
    assert not verdict["ok"] and "creds" in verdict["summary"]
    assert json.dumps(READING)
