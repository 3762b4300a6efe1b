"""Module 01's exercise checks on learners' typical mistakes (the same functions grade them).

Each learner case: the right answers are accepted, the wrong ones refused with a message a
learner can act on (what is wrong, where; the hint's first step gives the principle).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from checkers.course import module01 as m
from checkers.course.feedback import ladder_steps
from checkers.course.grade import in_fresh_process
from checkers.course.keys import module01 as keys

RIGHT_PLACES = {a: place for a, (place, _) in keys.PLACE_OF.items()}
GOOD_GITIGNORE = ("*.pkl\n*.pt\n*.pth\n*.joblib\n*.onnx\n*.h5\n*.safetensors\n*.ckpt\nmodels/\n"
                  "outputs/\ndata/\n*.csv\n*.parquet\nmlruns/\nwandb/\n.env\n.env.*\n!.env.example\n"
                  "*.pem\n")
UNTRACK = ("git rm -q --cached models/churn-model.pkl .env\n"
           "printf '*.pkl\\n.env\\n' >> .gitignore && git add .gitignore\n"
           "git commit -q -m 'Stop tracking the model and the .env'\n")
FILTER_REPO = "git filter-repo --force --quiet --invert-paths --path models/churn-model.pkl --path .env\n"
BRANCH = "git switch -q -c feature/improve-churn-model\n"
RAISE = "sed -E 's/^(max_iter:).*/\\1 500/' config/hyperparameters.yaml > x && mv x config/hyperparameters.yaml\n"
PUSH = "git push -q -u origin feature/improve-churn-model\n"


# --- exercise 1 ---------------------------------------------------------------------------------
def test_sorting_accepts_the_right_places_and_their_usual_names():
    assert m.check_sorting(RIGHT_PLACES).ok
    named = {**RIGHT_PLACES, "outputs/churn-model.pkl": "MLflow model registry",
             ".env with AZURE_STORAGE_KEY=...": "Azure Key Vault",
             "data/churn-2026-10.parquet": "an Azure ML data asset",
             "mlruns/ (metrics and logs of a run)": "MLflow tracking"}
    assert m.check_sorting(named).ok, m.check_sorting(named)


def test_sorting_names_the_wrong_item_with_the_principle_first():
    answer = {**RIGHT_PLACES, "outputs/churn-model.pkl": "git"}  # the exam trap
    (finding,) = m.check_sorting(answer).findings
    assert finding.path == "outputs/churn-model.pkl" and "not where it belongs" in finding.message
    first, *more = ladder_steps(finding.hint)
    assert "what a run produces" in first and "registry" not in first
    assert more and "lineage" in more[0]


@pytest.mark.parametrize("answer, says", [
    ({a: None for a in m.ARTIFACTS}, "is not sorted yet"),
    ({**RIGHT_PLACES, "src/train.py": "the cloud"}, "none of the five places"),
    (["git"], "expected a dict"),
])
def test_sorting_refuses_unfinished_answers(answer, says):
    result = m.check_sorting(answer)
    assert not result.ok and any(says in f.message for f in result.findings)


# --- exercise 2 ---------------------------------------------------------------------------------
def test_gitignore_too_broad_points_at_the_line():
    assert m.check_gitignore(GOOD_GITIGNORE).ok
    (finding,) = m.check_gitignore(GOOD_GITIGNORE + "*.yaml\n").findings
    assert finding.rule == "gitignore-ignores-code" and finding.line == GOOD_GITIGNORE.count("\n") + 1
    assert not m.check_gitignore("").ok and not m.check_gitignore(None).ok


def test_gitignore_hint_gives_the_principle_before_the_lines():
    result = m.check_gitignore("*.pkl\n")
    for finding in result.findings:
        first, *more = ladder_steps(finding.hint)
        assert "*.csv" not in first and "*.pt" not in first and "by extension" in first
        assert more
    assert any("*.csv" in f.hint for f in result.findings)  # the last step shows the lines


def test_exceptions_for_a_few_files_do_not_undo_an_overbroad_pattern():
    good = open(m.__file__.replace("checkers/course/module01.py", "sample_repo/.gitignore")).read()
    patch = "*.yaml\n!components/train/component.yaml\n!pipelines/training-pipeline.yaml\n"
    (finding,) = m.check_gitignore(good + patch).findings
    assert "components/prepare/component.yaml" in finding.message


# --- exercise 3 ---------------------------------------------------------------------------------
def test_repair_with_filter_repo_readding_origin_and_force_pushing_passes():
    script = ("url=$(git remote get-url origin)\n" + UNTRACK + FILTER_REPO +
              'git remote add origin "$url"\ngit push -q --force origin main\n')
    assert m.check_repair(script).ok, m.check_repair(script)


def test_repair_reading_the_origin_url_from_the_sandbox_layout_passes():
    script = UNTRACK + FILTER_REPO + "git remote add origin ../origin.git\ngit push -q -f origin main\n"
    assert m.check_repair(script).ok, m.check_repair(script)


def test_repair_without_readding_origin_says_filter_repo_removed_it():
    result = m.check_repair(UNTRACK + FILTER_REPO)
    messages = " ".join(f.message for f in result.findings)
    assert "no `origin` remote" in messages and "filter-repo removes" in messages
    assert "origin (the shared repository) still holds" in messages


def test_repair_only_untracking_leaves_history_and_origin_findings():
    result = m.check_repair(UNTRACK)
    assert result.rules() == {"history-artifact", "exercise-3-repair"}
    history = result.by_rule("history-artifact")[0]
    assert "next commit only" in ladder_steps(history.hint)[0]
    assert any("still holds" in f.message for f in result.findings)


def test_filter_branch_without_deleting_refs_original_says_the_backups_hold_the_files():
    script = UNTRACK + ("git filter-branch -f --index-filter 'git rm -q --cached --ignore-unmatch "
                        "models/churn-model.pkl .env' -- --all >/dev/null 2>&1\n"
                        "git push -q --force origin main\n")
    result = m.check_repair(script)
    history = result.by_rule("history-artifact")
    assert history and all("refs/original/" in f.message for f in history)
    assert "backup refs" in ladder_steps(history[0].hint)[0]


def test_filter_branch_with_backups_deleted_and_pushed_passes():
    script = UNTRACK + ("git filter-branch -f --index-filter 'git rm -q --cached --ignore-unmatch "
                        "models/churn-model.pkl .env' -- --all >/dev/null 2>&1\n"
                        "git for-each-ref --format='%(refname)' refs/original/ | xargs -n 1 git update-ref -d\n"
                        "git reflog expire --expire=now --all && git gc -q --prune=now\n"
                        "git push -q --force origin main\n")
    assert m.check_repair(script).ok, m.check_repair(script)


def test_repair_by_deleting_the_repository_is_caught():
    result = m.check_repair("rm -rf .git && git init -q && printf '*.pkl\\n.env\\n' > .gitignore"
                            " && git add -A && git commit -q -m restart")
    assert any("history is gone" in f.message for f in result.findings)


def test_recreating_commits_with_the_same_messages_is_not_a_repair():
    result = m.check_repair("rm -rf .git models .env; git init -q; printf '*.pkl\\n.env\\n' > "
                            ".gitignore; git add -A; git commit -q -m 'Add churn training code'; "
                            "git commit -q --allow-empty -m 'Tune regularisation'")
    assert any("history is gone" in f.message for f in result.findings)


def test_secret_action_right_and_wrong():
    assert m.check_secret_action("b").ok and m.check_secret_action(" B ").ok
    (finding,) = m.check_secret_action("c").findings
    assert "already out" in finding.message
    (finding,) = m.check_secret_action("rotate").findings
    assert "is not one of a, b, c, d" in finding.message


# --- exercise 4 ---------------------------------------------------------------------------------
def test_layout_warnings_fail_the_exercise_principle_first():
    result = m.check_scaffold("printf '*.pkl\\n' > .gitignore; git add -A && git commit -q -m init")
    assert not result.ok and "repo-layout" in result.rules()
    layout = result.by_rule("repo-layout")[0]
    first, *more = ladder_steps(layout.hint)
    assert "documented layout" in first and "touch" not in first and more


# --- exercise 5 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("message", [
    "-m 'Raise max_iter to 500 so the solver converges'",
    "-m 'Raise max_iter' -m 'At 200 iterations the solver stopped before it converged.'",
    "-m 'feat(config): raise max_iter to 500 to let the solver converge'",
    "-m 'Give the solver more iterations because it stopped before converging'",
])
def test_feature_branch_accepts_messages_that_say_what_and_why(message):
    result = m.check_feature_branch(BRANCH + RAISE + f"git commit -q -a {message}\n" + PUSH)
    assert result.ok, result


@pytest.mark.parametrize("subject, says", [
    ("blah blah blah", "does not name what changed"),
    ("asdf qwer zxcv", "does not name what changed"),
    ("wip", "does not name what changed"),
    ("Update hyperparameters.yaml", "does not say why"),
    ("Raise max_iter to 500", "does not say why"),
])
def test_feature_branch_refuses_messages_a_reviewer_would(subject, says):
    result = m.check_feature_branch(BRANCH + RAISE + f"git commit -q -a -m '{subject}'\n" + PUSH)
    assert any(says in f.message for f in result.findings), result


@pytest.mark.parametrize("change, says", [
    (": > config/hyperparameters.yaml\n", "no longer holds the settings"),
    ("printf 'C: [1\\n' > config/hyperparameters.yaml\n", "not valid YAML"),
    ("printf 'C: 1.0\\nmax_iter: 200\\nsolver: lbfgs\\n' > config/hyperparameters.yaml\n", "still 200"),
    (RAISE + "echo 'def train(:' >> src/train.py\n", "tests fail"),
    (RAISE + "echo 'def predict(w, r): return 0' >> src/train.py\n", "tests fail"),
])
def test_feature_branch_checks_the_change_itself(change, says):
    result = m.check_feature_branch(BRANCH + change + "git commit -q -a -m 'Raise max_iter to "
                                    "500 so the solver converges'\n" + PUSH)
    assert any(says in f.message for f in result.findings), result


def test_feature_branch_workflow_mistakes():
    on_main = m.check_feature_branch(RAISE + "git commit -q -am 'Raise max_iter so it converges'")
    assert "no branch" in on_main.findings[0].message
    not_pushed = m.check_feature_branch(BRANCH + RAISE + "git commit -q -am 'Raise max_iter "
                                        "to 500 so the solver converges'\n")
    (finding,) = not_pushed.findings
    assert "not pushed" in finding.message and "git push" in finding.hint


def test_commit_without_message_or_endless_loop_is_a_finding_not_a_hang():
    import time

    start = time.perf_counter()
    result = m.check_feature_branch(BRANCH + RAISE + "git commit -q -a\n")
    assert time.perf_counter() - start < 20
    assert any("line 3: git commit -q -a" in f.message for f in result.findings)
    box = m.Sandbox()
    proc = box.run("while true; do :; done", timeout=1)
    box.close()
    assert proc.returncode == 124 and "endless loop" in proc.stderr


def test_every_practice_repository_has_a_bare_origin():
    box = m.Sandbox()
    try:
        m.build_team_repo(box)
        assert box.run("git push -q origin main:refs/heads/check").returncode == 0
        assert box.git("remote", "get-url", "origin").strip() == str(box.origin)
    finally:
        box.close()


# --- knowledge check ------------------------------------------------------------------------------
def test_quiz_per_question_partial_credit_and_explanations():
    assert m.check_quiz(keys.QUIZ_ANSWER).ok
    wrong = {**keys.QUIZ_ANSWER, "KC_PKL": "a"}
    (finding,) = m.check_quiz(wrong).findings
    assert "every clone" in finding.message and finding.path == "KC_PKL"
    assert m.CHECKS["01-quiz.KC_RM"](wrong).ok and not m.CHECKS["01-quiz.KC_PKL"](wrong).ok
    assert not m.CHECKS["01-quiz.KC_RM"]({"KC_PKL": "c"}).ok  # unanswered is not right
    assert json.dumps(wrong)  # graded answers are plain data


def test_quiz_choices_do_not_give_the_answer_away():
    longest_is_right = []
    for key, item in m.QUIZ.items():
        lengths = [len(text) for text in item["choices"].values()]
        assert max(lengths) <= 1.25 * min(lengths), (key, lengths)
        right = len(item["choices"][keys.QUIZ_ANSWER[key]])
        longest_is_right.append(right == max(lengths) and lengths.count(right) == 1)
    assert not all(longest_is_right)
    text = m.quiz_text()
    for item in m.QUIZ.values():  # full text, every choice
        assert item["question"] in text and all(c in text for c in item["choices"].values())


def test_quiz_asks_only_about_module_01():
    text = m.quiz_text().lower()
    assert "approv" not in text and "environment" not in text and "reviewer" not in text


# --- the grader's command line --------------------------------------------------------------------
def test_grading_runs_in_a_fresh_isolated_process():
    assert in_fresh_process("01-secret", "b")["ok"]
    verdict = in_fresh_process("01-secret", "a")
    assert not verdict["ok"] and "cloned" in verdict["summary"]
    proc = subprocess.run([sys.executable, "-m", "checkers.course.grade", "01-nope"],
                          input="1", capture_output=True, text=True)
    assert proc.returncode == 2 and "usage" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "checkers.course.grade", "01-quiz"],
                          input="{not json", capture_output=True, text=True)
    assert proc.returncode == 2 and "not JSON" in proc.stderr


def test_one_check_loads_only_its_module():
    """A self-check's process (one per self-check cell, in every graded kernel too) imports the
    checks of its own module only; an unknown name still lists every check."""
    code = ("import io, sys; sys.stdin = io.StringIO('\"b\"'); from checkers.course import grade; "
            "rc = grade.main(['01-secret']); "
            "print(rc, sorted(m for m in sys.modules if m.startswith('checkers.course.module')))")
    proc = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "0 ['checkers.course.module01']", proc.stderr
    from checkers.course.grade import checks

    assert checks("01-gitignore") == m.CHECKS
    assert checks("01-nope") == checks() and "02-push" in checks("01-nope")


@pytest.mark.parametrize("check, answer", [
    (m.check_gitignore, "*.pkl\n"), (m.check_repair, "true"), (m.check_repair, UNTRACK),
    (m.check_scaffold, "git commit -q --allow-empty -m init"),
    (m.check_feature_branch, "true"), (m.check_feature_branch, BRANCH + RAISE),
])
def test_first_hint_step_never_holds_the_answer_lines(check, answer):
    """A hint ladder: the first step names the principle and the first move, not the commands."""
    for finding in check(answer).findings:
        first = ladder_steps(finding.hint)[0]
        for answer_line in ("git filter-repo", "git rm", "*.csv", "*.pt", "mkdir", "touch ",
                            "git switch -c", "git push", "models/\n", ".env\n"):
            assert answer_line not in first, (finding.rule, first)
