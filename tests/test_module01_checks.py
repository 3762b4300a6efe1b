"""Module 01's exercise checks on learners' typical mistakes (the same functions grade them)."""
from __future__ import annotations

import json
import subprocess
import sys

from checkers.course import module01 as m
from checkers.course.grade import in_fresh_process


def test_sorting_explains_each_wrong_place():
    answer = {a: place for a, (place, _) in m.ARTIFACTS.items()}
    assert m.check_sorting(answer).ok
    answer["outputs/churn-model.pkl"] = "git"      # the exam trap: "version the model in Git"
    answer[".env with AZURE_STORAGE_KEY=..."] = "Azure Key Vault"  # synonyms are fine
    (finding,) = m.check_sorting(answer).findings
    assert finding.path == "outputs/churn-model.pkl" and "git-hygiene" in finding.docs
    assert not m.check_sorting(["git"]).ok


def test_gitignore_too_broad_points_at_the_line():
    good = "*.pkl\n*.pt\n*.pth\n*.joblib\n*.onnx\n*.h5\n*.safetensors\n*.ckpt\nmodels/\noutputs/\n" \
           "data/\n*.csv\n*.parquet\nmlruns/\nwandb/\n.env\n.env.*\n!.env.example\n*.pem\n"
    assert m.check_gitignore(good).ok
    result = m.check_gitignore(good + "*.yaml\n")
    (finding,) = result.findings
    assert finding.rule == "gitignore-ignores-code" and finding.line == good.count("\n") + 1
    assert not m.check_gitignore("").ok and not m.check_gitignore(None).ok


def test_repair_only_untracking_leaves_history_findings():
    result = m.check_repair("git rm -q --cached models/churn-model.pkl .env\n"
                            "printf '*.pkl\\n.env\\n' > .gitignore && git add .gitignore\n"
                            "git commit -q -m untrack")
    assert result.rules() == {"history-artifact"}


def test_repair_by_deleting_the_repository_is_caught():
    result = m.check_repair("rm -rf .git && git init -q && printf '*.pkl\\n.env\\n' > .gitignore"
                            " && git add -A && git commit -q -m restart")
    assert any("history is gone" in f.message for f in result.findings)


def test_feature_branch_mistakes():
    on_main = m.check_feature_branch("echo 'C: 2' > config/hyperparameters.yaml && "
                                     "git commit -q -am 'Raise C to 2 to reduce underfitting'")
    assert "no branch" in on_main.findings[0].message
    vague = m.check_feature_branch("git switch -q -c feature/improve-churn-model && echo x >> "
                                   "src/train.py && git commit -q -am wip")
    assert any("does not say what changed" in f.message for f in vague.findings)
    docs_only = m.check_feature_branch("git switch -q -c feature/improve-churn-model && echo x >> "
                                       "README.md && git commit -q -am 'Explain how to train'")
    assert any("no ML code" in f.message for f in docs_only.findings)


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


def test_quiz_explains_the_wrong_choice():
    answers = {k: q["answer"] for k, q in m.QUIZ.items()}
    assert m.check_quiz(answers).ok
    answers["KC_PKL"] = "a"
    (finding,) = m.check_quiz(answers).findings
    assert "every clone" in finding.message
    assert json.dumps(answers)  # graded answers are plain data


def test_commit_without_message_or_endless_loop_is_a_finding_not_a_hang():
    import time

    start = time.perf_counter()
    result = m.check_feature_branch("git switch -q -c feature/improve-churn-model\n"
                                    "echo 'C: 2' > config/hyperparameters.yaml\ngit commit -q -a")
    assert time.perf_counter() - start < 20
    assert any("line 3: git commit -q -a" in f.message for f in result.findings)
    box = m.Sandbox()
    proc = box.run("while true; do :; done", timeout=1)
    assert proc.returncode == 124 and "endless loop" in proc.stderr


def test_recreating_commits_with_the_same_messages_is_not_a_repair():
    result = m.check_repair("rm -rf .git models .env; git init -q; printf '*.pkl\\n.env\\n' > "
                            ".gitignore; git add -A; git commit -q -m 'Add churn training code'; "
                            "git commit -q --allow-empty -m 'Tune regularisation'")
    assert any("history is gone" in f.message for f in result.findings)


def test_layout_warnings_fail_the_exercise():
    result = m.check_scaffold("printf '*.pkl\\n' > .gitignore; git add -A && git commit -q -m init")
    assert not result.ok and "repo-layout" in result.rules()


def test_vague_commit_subjects():
    for subject in ("update stuff", "Update hyperparameters", "asdfasdfasdf", "fix bug in training"):
        assert m.vague(subject), subject
    for subject in ("Raise max_iter to 500 so the solver converges", "Add early stopping"):
        assert not m.vague(subject), subject


def test_exceptions_for_a_few_files_do_not_undo_an_overbroad_pattern():
    good = open(m.__file__.replace("checkers/course/module01.py", "sample_repo/.gitignore")).read()
    patch = "*.yaml\n!components/train/component.yaml\n!pipelines/training-pipeline.yaml\n"
    (finding,) = m.check_gitignore(good + patch).findings
    assert "components/prepare/component.yaml" in finding.message
