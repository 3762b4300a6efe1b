"""The workflow checker: CLI contract, hostile files, the repository integration."""
from __future__ import annotations

import json
import time

import pytest

from checkers import check_repo
from checkers.cli import main
from checkers.workflow import check_workflow_text

from .conftest import ROOT, commit_all, write

SAMPLE_TRAIN = ROOT / "sample_repo" / ".github" / "workflows" / "train-on-push.yml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_repo_workflows_pass_with_their_patterns(capsys):
    code, out, _ = run(capsys, "workflow", str(SAMPLE_TRAIN.parent), "--format", "json")
    assert code == 0, out
    assert [f for f in json.loads(out)["findings"] if f["severity"] != "info"] == []


def test_pattern_comes_from_the_file_name_or_the_option(tmp_path, capsys):
    wf = tmp_path / "ci.yml"
    wf.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n")
    assert run(capsys, "workflow", str(wf), "--select", "train-trigger")[0] == 0
    code, out, _ = run(capsys, "workflow", str(wf), "--select", "train-trigger",
                       "--pattern", "train-on-push")
    assert code == 1 and "[train-trigger]" in out


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("- a\n- b\n", "not a mapping"),
    ("on: push\njobs:\n  - build\n", "mapping of job ids"),
    ("on: [push\n", "invalid YAML"),
])
def test_bad_shapes_are_findings_not_crashes(text, words):
    result = check_workflow_text(text, select=["workflow-syntax"])
    assert len(result.errors) == 1 and words in result.errors[0].message


def test_alias_bomb_is_quick_and_a_finding(tmp_path, capsys):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    wf = tmp_path / "bomb.yml"
    wf.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    code, out, _ = run(capsys, "workflow", str(wf))
    assert time.perf_counter() - start < 20
    assert code == 1 and "alias" in out


def test_missing_file_is_exit_2_with_one_line(capsys):
    code, out, err = run(capsys, "workflow", "/no/such/workflow.yml")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "/no/such/workflow.yml" in err


def test_repo_checks_its_workflows(repo):
    write(repo, {".github/workflows/train-on-push.yml":
                 "on:\n  push:\n    branches: [main]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                 "    permissions: write-all\n    steps: [{uses: actions/checkout@main}]\n"})
    commit_all(repo)
    result = check_repo(repo)
    rules = result.rules()
    assert {"train-trigger", "workflow-write-all", "workflow-action-pinning"} <= rules
    pinned = result.by_rule("workflow-action-pinning")[0]
    assert pinned.path == ".github/workflows/train-on-push.yml" and pinned.line == 8


def test_one_oversized_workflow_does_not_hide_the_others(repo):
    write(repo, {".github/workflows/bad.yml": "on: push\npermissions: write-all\njobs:\n  t:\n"
                 "    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
                 ".github/workflows/huge.yml": "# " + "x" * (3 * 1024 * 1024) + "\n"})
    commit_all(repo)
    result = check_repo(repo, select=["workflow-write-all", "workflow-syntax"])
    assert {f.path for f in result} == {".github/workflows/bad.yml", ".github/workflows/huge.yml"}


@pytest.mark.parametrize("content, words", [
    (b"on: push\njobs: {}\nname: caf\xe9\n", "not valid UTF-8"),
    (b"jobs: &j {a: {runs-on: x, needs: *j}}\non: push\n", "recursive"),
])
def test_hostile_content_is_a_finding(tmp_path, capsys, content, words):
    wf = tmp_path / "w.yml"
    wf.write_bytes(content)
    code, out, err = run(capsys, "workflow", str(wf), "--format", "json")
    assert code == 1 and err == ""
    assert any(words in f["message"] for f in json.loads(out)["findings"])


def test_github_context_follows_if_and_ignores_step_ids():
    text = ("on: push\njobs:\n  b:\n    if: github.branch == 'main'\n    runs-on: x\n"
            "    steps:\n      - id: github\n        run: echo\n"
            "      - run: echo ${{ steps.github.outputs.sha }}\n")
    found = check_workflow_text(text, select=["workflow-github-context"]).findings
    assert [(f.line, "github.branch" in f.message) for f in found] == [(4, True)]


def test_workflow_run_checked_alone_reads_its_upstream_beside_it(tmp_path, capsys):
    """`checkers workflow .github/workflows/deploy.yml` judges a workflow_run by the workflow it
    follows, read from the same folder: writers-only upstream, a warning; unknown, an error."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    corpus = ROOT / "tests" / "workflows"
    deploy = folder / "deploy.yml"
    deploy.write_text((corpus / "bad-deploy-after-build-on-request.yml").read_text())
    args = ("workflow", str(deploy), "--select", "workflow-security", "--format", "json")

    def env_findings():
        code, out, _ = run(capsys, *args)
        return code, [f["severity"] for f in json.loads(out)["findings"]
                      if "[github-env]" in f["message"]]

    assert env_findings() == (1, ["error"])  # its upstream is not there: maybe a fork's run
    (folder / "build.yml").write_text((corpus / "good-build-model-on-request.yml").read_text())
    assert env_findings() == (0, ["warning"])
    (folder / "build.yml").write_text((corpus / "good-build-model-on-request.yml").read_text()
                                      .replace("  workflow_dispatch:\n", "  pull_request:\n"))
    assert env_findings() == (1, ["error"])


def test_if_on_an_unlisted_event_is_judged_for_every_listed_event_only():
    from checkers.workflow.event_conditions import never_true

    assert never_true("github.event_name == 'schedule'", ["push", "pull_request"])
    assert not never_true("github.event_name == 'schedule'", ["push", "schedule"])
    assert not never_true("github.event_name == 'schedule' || inputs.force", ["push"])
    assert never_true("always() && github.event_name == 'release'", ["push"])
    assert not never_true("failure() || github.event_name == 'release'", ["push"])
    assert not never_true("contains(fromJSON('[\"push\"]'), github.event_name)", ["push"])
    assert not never_true("github.event_name == (", ["push"])  # syntax: workflow-syntax's job


def test_a_reusable_workflow_is_not_judged_on_its_own_events():
    text = ("on: {0}\njobs:\n  a:\n    if: github.event_name == 'schedule'\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n")
    select = ["workflow-if-event-unlisted"]
    assert not check_workflow_text(text.format("[workflow_call, push]"), select=select).findings
    assert check_workflow_text(text.format("[push]"), select=select).findings
