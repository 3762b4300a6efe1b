"""sample_repo's pipeline runs locally as Azure ML would run it, and MLflow records the run
with the commit and branch it came from (in a temporary copy: the checkout is never written)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, commit_all, git

SAMPLE = ROOT / "sample_repo"
BRANCH = "feature/improve-churn-model"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    dest = tmp_path_factory.mktemp("local-pipeline") / "ml-project"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", "outputs", "data", "mlruns", "mlflow.db"))
    return dest


def run_pipeline(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "tools/run_pipeline.py", "--json", "--quiet", *args],
                          cwd=project, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def completed(project):
    git(project, "init", "-q", "-b", BRANCH)
    commit_all(project, "Churn model: balanced class weights")
    proc = run_pipeline(project, "--set", "n_rows=600")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_steps_run_in_order_and_produce_model_and_metrics(completed):
    assert list(completed["steps"]) == ["prepare", "train", "evaluate"]
    outputs = completed["outputs"]
    assert (ROOT / outputs["trained_model"]).joinpath("model.joblib").is_file()
    metrics = json.loads((ROOT / outputs["evaluation"]).joinpath("metrics.json").read_text())
    assert metrics["test_rows"] == 120  # 600 rows, 20 % held out: the --set reached prepare
    assert metrics["test_roc_auc"] >= 0.7 and completed["metrics"] == metrics


def test_training_run_records_commit_branch_params_and_metrics(project, completed):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=completed["tracking_uri"])
    train = client.get_run(completed["steps"]["train"]["run_id"])
    head = git(project, "rev-parse", "HEAD").strip()
    assert train.data.tags["mlflow.source.git.commit"] == head == train.data.tags["commit"]
    assert train.data.tags["mlflow.source.git.branch"] == BRANCH == train.data.tags["branch"]
    assert train.data.tags["mlflow.parentRunId"] == completed["pipeline_run_id"]
    assert train.data.params["lr_C"] == "0.5"
    assert 0.5 < train.data.metrics["train_roc_auc"] <= 1.0
    assert train.info.status == "FINISHED"
    evaluate = client.get_run(completed["steps"]["evaluate"]["run_id"])
    assert "test_roc_auc" in evaluate.data.metrics


def test_run_leaves_the_repository_clean(project, completed):
    assert git(project, "status", "--porcelain") == ""


def test_a_failing_step_stops_the_pipeline(project, completed):
    proc = run_pipeline(project, "--set", "n_rows=0")  # prepare refuses an empty table
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["ok"] is False and list(result["steps"]) == ["prepare"]  # nothing ran after it
    assert "n_rows must be at least 1" in (ROOT / result["run_dir"] / "prepare" / "std_log.txt").read_text()


def test_a_broken_wiring_is_one_line_not_a_traceback(project, completed, tmp_path):
    broken = tmp_path / "pipeline.yaml"
    text = (project / "pipelines" / "training-pipeline.yaml").read_text()
    broken.write_text(text.replace("../components", str(project / "components"))
                      .replace("parent.jobs.prepare.outputs.prepared_data",
                               "parent.jobs.prep.outputs.prepared_data", 1))
    proc = subprocess.run([sys.executable, "tools/run_pipeline.py", str(broken)], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "run_pipeline: error: step train: no step `prep` to read from"




def test_isolated_steps_give_the_same_model_metrics_as_steps_in_one_interpreter(project, completed):
    proc = run_pipeline(project, "--set", "n_rows=600", "--isolated", "--work-dir",
                        str(project.parent / "isolated"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["metrics"] == completed["metrics"]


def test_a_failing_step_in_the_interpreter_fails_its_run_and_leaves_the_runner_intact(tmp_path):
    sys.path.insert(0, str(SAMPLE / "tools"))
    try:
        import run_pipeline as runner
    finally:
        sys.path.remove(str(SAMPLE / "tools"))
    (tmp_path / "step.py").write_text("import os, sys\nprint('out', os.environ['X'])\n"
                                      "sys.exit('bad input')\n")
    before = (dict(os.environ), list(sys.argv), os.getcwd())
    done = runner.run_script([sys.executable, "step.py", "--a"], tmp_path, {"X": "1"})
    assert (done.returncode, done.stdout, done.stderr.strip()) == (1, "out 1\n", "bad input")
    assert (dict(os.environ), list(sys.argv), os.getcwd()) == before
    assert "step" not in sys.modules


def test_mlflow_schema_dump_matches_the_pinned_mlflow():
    import mlflow

    first = (SAMPLE / "tools" / "mlflow-schema.sql").read_text().splitlines()[0]
    assert first.startswith(f"-- mlflow {mlflow.__version__}:"), (
        "regenerate it: python sample_repo/tools/run_pipeline.py --write-schema")
