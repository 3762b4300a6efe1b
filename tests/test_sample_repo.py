"""sample_repo follows every documented pattern: the checker passes and its own tests pass."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from checkers import check_repo
from checkers.cli import main

from .conftest import ROOT, commit_all, git

SAMPLE = ROOT / "sample_repo"


@pytest.fixture(scope="module")
def sample_clone(tmp_path_factory):
    """sample_repo as its own repository, the way a team would have it."""
    dest = tmp_path_factory.mktemp("sample") / "ml-project"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", "outputs", "data", "mlruns"))
    return dest


def test_checker_passes_on_sample_repo_as_its_own_repository(sample_clone):
    git(sample_clone, "init", "-q")
    commit_all(sample_clone, "NeuralSpark churn project")
    result = check_repo(sample_clone)
    assert result.findings == [], str(result)


def test_checker_exits_0_on_sample_repo_in_the_course_checkout(capsys):
    assert main(["repo", str(SAMPLE)]) == 0, capsys.readouterr().out


def test_sample_repo_tests_pass(sample_clone, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=sample_clone, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prepare_train_score_end_to_end(sample_clone, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(sample_clone, work, ignore=shutil.ignore_patterns(".git"))
    for script in ("src/prepare.py", "src/train.py"):
        proc = subprocess.run([sys.executable, script], cwd=work, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
    models = list((work / "outputs").rglob("*.joblib")) + list((work / "outputs").rglob("*.pkl"))
    assert models, "train.py wrote no model into outputs/"
    # the model is ignored by the project's own .gitignore: it would never be committed
    git(work, "init", "-q")
    ignored = subprocess.run(["git", "check-ignore", "-q", str(models[0].relative_to(work))],
                             cwd=work)
    assert ignored.returncode == 0
