"""The field's tools: the SchemaStore schema, zizmor and (when installed) actionlint."""
from __future__ import annotations

import os
import shutil
import sys
import textwrap
import time
from pathlib import Path

import pytest

import checkers.workflow.external as external  # noqa: F401  (registers the rules)
import checkers.workflow.schema  # noqa: F401
from checkers import tools
from checkers.registry import get_rule
from checkers.workflow import check_workflows
from checkers.workflow.context import WorkflowContext

from .conftest import ROOT

SAMPLE_WORKFLOWS = sorted((ROOT / "sample_repo" / ".github" / "workflows").glob("*.yml"))
INJECTION = """\
name: Train
on: push
permissions:
  contents: read
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.head_commit.message }}"
"""


def context(tmp_path: Path, text: str, name: str = "workflow.yml") -> WorkflowContext:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return WorkflowContext.from_text(path, name, path.read_text())


def schema(tmp_path, text):
    return list(get_rule("workflow-schema").run(context(tmp_path, text)))


def security(contexts):
    return list(get_rule("workflow-security").run(contexts))


# --- workflow-schema ------------------------------------------------------------------------

def test_unknown_key_is_placed_and_gets_a_suggestion(tmp_path):
    findings = schema(tmp_path, """\
        on: push
        jobs:
          train:
            runs_on: ubuntu-latest
            step:
              - run: python train.py
        """)
    assert [(f.line, f.column, f.message) for f in findings] == [
        (4, 5, "unknown key `runs_on` in job `train`"),
        (5, 5, "unknown key `step` in job `train`"),
    ]
    assert findings[0].hint.startswith("did you mean `runs-on`?")
    assert findings[1].hint.startswith("did you mean `steps`?")
    assert {f.severity for f in findings} == {"error"}
    # the "missing runs-on" the schema also reports is the same mistake: said once
    assert not any("missing" in f.message for f in findings)


def test_need_suggests_needs(tmp_path):
    findings = schema(tmp_path, """\
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps: [{run: pytest}]
          train:
            need: test
            runs-on: ubuntu-latest
            steps: [{run: echo}]
        """)
    assert [(f.line, f.message) for f in findings] == [(7, "unknown key `need` in job `train`")]
    assert "`needs`" in findings[0].hint


def test_wrong_type_points_at_the_value(tmp_path):
    findings = schema(tmp_path, """\
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            steps: python train.py
        """)
    assert len(findings) == 1
    f = findings[0]
    assert (f.line, f.column) == (5, 12)
    assert f.message == "`steps` in job `train` must be a list, not the string `python train.py`"
    assert "list" in f.hint


def test_single_string_branch_glob_is_accepted(tmp_path):
    assert schema(tmp_path, """\
        on:
          push:
            branches: feature/**
            paths-ignore: docs/**
          pull_request:
            tags: v1
        jobs:
          train:
            runs-on: ubuntu-latest
            steps: [{run: echo}]
        """) == []


def test_union_errors_are_readable(tmp_path):
    findings = schema(tmp_path, """\
        on: push
        permissions: read
        jobs:
          train:
            runs-on: ubuntu-latest
            timeout-minutes: soon
            steps:
              - uses: actions/checkout@v4
                run: echo
              - name: only a name
        """)
    messages = {f.line: f.message for f in findings}
    assert messages == {
        2: "`permissions` cannot be `read`",
        6: "`timeout-minutes` in job `train` must be a number or an expression `${{ ... }}`, "
           "not the string `soon`",
        8: "step 1 of job `train` has both `uses` and `run`",
        10: "step 2 of job `train` needs `uses:` (an action) or `run:` (a shell command)",
    }
    assert all("valid under" not in f.message for f in findings)
    assert "`read-all`" in next(f.hint for f in findings if f.line == 2)


def test_misspelt_event_and_enum_value(tmp_path):
    findings = schema(tmp_path, """\
        on: pushh
        jobs:
          train:
            runs-on: ubuntu-latest
            permissions:
              contents: reed
            steps: [{run: echo}]
        """)
    assert [(f.line, f.column, f.message) for f in findings] == [
        (1, 5, "`on` cannot be `pushh`"),
        (6, 17, "`permissions.contents` in job `train` cannot be `reed`"),
    ]
    assert findings[0].hint.startswith("did you mean `push`?")
    assert findings[1].hint.startswith("did you mean `read`?")


def test_one_problem_per_location(tmp_path):
    findings = schema(tmp_path, """\
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            steps: [{run: echo}]
            strategy:
              matrix: [1, 2]
        """)
    assert len({(f.line, f.column) for f in findings}) == len(findings) == 1


def test_unparsed_files_are_left_to_workflow_syntax(tmp_path):
    assert schema(tmp_path, "on: [push\n") == []


@pytest.mark.parametrize("path", SAMPLE_WORKFLOWS, ids=lambda p: p.name)
def test_sample_workflows_match_the_schema(path):
    assert check_workflows([path], select=["workflow-schema"]).findings == []


def test_schema_is_loaded_once_and_checks_are_fast(tmp_path):
    checkers.workflow.schema.validator.cache_clear()
    start = time.perf_counter()
    checkers.workflow.schema.validator()
    load = time.perf_counter() - start
    ctx = WorkflowContext.from_text(SAMPLE_WORKFLOWS[0], "wf.yml", SAMPLE_WORKFLOWS[0].read_text())
    start = time.perf_counter()
    for _ in range(5):
        list(get_rule("workflow-schema").run(ctx))
    per_file = (time.perf_counter() - start) / 5
    assert checkers.workflow.schema.validator.cache_info().misses == 1
    print(f"schema load {load * 1000:.0f} ms, per file {per_file * 1000:.1f} ms")
    assert per_file < 0.5


# --- workflow-security (zizmor) -------------------------------------------------------------

def test_zizmor_finds_template_injection_at_the_expression(tmp_path):
    findings = security([context(tmp_path, INJECTION)])
    assert len(findings) == 1
    f = findings[0]
    # the column of `github.event...` inside `${{ }}`
    assert (f.path, f.line, f.column, f.severity) == ("workflow.yml", 9, 24, "error")
    assert f.message.startswith("[template-injection] ")
    assert "https://docs.zizmor.sh/audits/#template-injection" in f.hint


def test_zizmor_accepts_the_documented_pattern():
    assert security([WorkflowContext.from_text(p, p.name, p.read_text())
                     for p in SAMPLE_WORKFLOWS]) == []


def test_zizmor_keeps_the_checkout_credential_lesson(tmp_path):
    findings = security([context(tmp_path, """\
        name: Train
        on: push
        jobs:
          train:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
              contents: read
            steps:
              - uses: actions/checkout@v4
              - uses: azure/login@v2
        """)])
    assert [(f.line, f.severity, f.message.split("]")[0]) for f in findings] == [
        (10, "warning", "[artipacked")]  # tag pins are accepted by our zizmor.yml


def spy_on_subprocess(monkeypatch) -> list:
    """Record every tool process started (argv and environment), and still start it."""
    from checkers import tools

    calls = []
    real = tools.subprocess.Popen

    def popen(argv, **kwargs):
        calls.append((list(argv), kwargs))
        return real(argv, **kwargs)

    monkeypatch.setattr(tools.subprocess, "Popen", popen)
    return calls


def test_zizmor_runs_once_for_all_files(tmp_path, monkeypatch):
    calls = spy_on_subprocess(monkeypatch)
    paths = []
    for i in range(4):
        paths.append(tmp_path / f"wf{i}.yml")
        paths[-1].write_text(INJECTION)
    result = check_workflows(paths, select=["workflow-security"], root=tmp_path)
    assert len(calls) == 1
    argv = calls[0][0]
    assert "--offline" in argv and "--format" in argv and "--config" in argv
    assert sorted(f.path for f in result) == [f"wf{i}.yml" for i in range(4)]


def test_zizmor_started_on_more_files_is_not_started_again(tmp_path, monkeypatch, capsys):
    """The command line starts zizmor on every file named; the rule checks only the workflows
    that parse. An action's metadata file or a broken file among them must not cost a second
    zizmor run, nor change what the workflows get."""
    from checkers.cli import main

    workflow = tmp_path / "wf.yml"
    workflow.write_text(INJECTION)
    main(["workflow", "--format", "json", "--select", "workflow-security", str(workflow)])
    alone = capsys.readouterr().out
    action = tmp_path / "action" / "action.yml"
    action.parent.mkdir()
    action.write_text("name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n"
                      "      shell: bash\n")
    (tmp_path / "broken.yml").write_text("on: [push\njobs: {}\n")
    calls = spy_on_subprocess(monkeypatch)
    main(["workflow", "--format", "json", "--select", "workflow-security", str(workflow),
          str(action), str(tmp_path / "broken.yml")])
    batch = capsys.readouterr().out
    assert [argv[0] for argv, _ in calls] == [tools.find_zizmor()]
    assert {str(action), str(tmp_path / "broken.yml")} <= set(calls[0][0])
    assert batch.count("[template-injection]") == alone.count("[template-injection]") >= 1


def test_no_github_token_reaches_zizmor(tmp_path, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", "ghp_not_a_real_token")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token")
    monkeypatch.setenv("ZIZMOR_GITHUB_TOKEN", "ghp_not_a_real_token")
    calls = spy_on_subprocess(monkeypatch)
    findings = security([context(tmp_path, INJECTION)])
    env = calls[0][1]["env"]
    assert not {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"} & set(env)
    assert "PATH" in env
    assert [f.message.split("]")[0] for f in findings] == ["[template-injection"]


def test_zizmor_absent_gives_one_note(tmp_path, monkeypatch):
    monkeypatch.setattr(tools, "which", lambda *a, **k: None)
    contexts = [context(tmp_path, INJECTION, f"wf{i}.yml") for i in range(3)]
    findings = security(contexts)
    assert len(findings) == 1
    assert findings[0].severity == "info"
    assert "zizmor is not installed" in findings[0].message


def test_zizmor_failure_is_a_note_not_a_crash(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "zizmor"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'fatal: no audit was performed' >&2\necho boom >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(external, "find_zizmor", lambda: str(fake))
    findings = security([context(tmp_path, INJECTION)])
    assert [(f.severity, f.message) for f in findings] == [
        ("info", "security audit skipped: zizmor failed (no audit was performed: boom)")]


def test_file_zizmor_cannot_read_gets_a_note(tmp_path):
    bad = context(tmp_path, "on: push\njobs:\n  a:\n    runs_on: x\n    steps: [{run: echo}]\n",
                  "bad.yml")
    good = context(tmp_path, INJECTION, "good.yml")
    findings = security([bad, good])
    assert [(f.path, f.severity) for f in findings] == [("bad.yml", "info"), ("good.yml", "error")]
    assert [(f.path, f.severity) for f in security([bad])] == [("bad.yml", "info")]


# --- workflow-actionlint --------------------------------------------------------------------

FAKE_ACTIONLINT = """\
#!{python}
import json, sys
files = [a for a in sys.argv[1:] if a.endswith(".yml")]
assert sys.argv[1:4] == ["-no-color", "-format", "{{{{json .}}}}"], sys.argv
print(json.dumps([
    {{"message": 'job "train" needs job "tests" which does not exist in this workflow',
      "filepath": files[-1], "line": 7, "column": 12, "kind": "job-needs",
      "snippet": "    needs: tests\\n           ^~~~~", "end_column": 16}},
    {{"message": 'label "ubuntu-lates" is unknown',
      "filepath": files[-1], "line": 5, "column": 14, "kind": "runner-label",
      "snippet": "    runs-on: ubuntu-lates", "end_column": 26}},
    {{"message": "shellcheck reported issue in this script: SC2086:info:1:6: Double quote to "
                "prevent globbing and word splitting",
      "filepath": files[0], "line": 9, "column": 9, "kind": "shellcheck",
      "snippet": "      - run: echo $FOO\\n        ^~~~", "end_column": 12}},
]))
sys.exit(1)
"""


def test_actionlint_output_is_mapped(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "actionlint"
    fake.write_text(FAKE_ACTIONLINT.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    calls = spy_on_subprocess(monkeypatch)
    contexts = [context(tmp_path, INJECTION, "first.yml"), context(tmp_path, INJECTION, "last.yml")]
    findings = sorted(get_rule("workflow-actionlint").run(contexts), key=lambda f: f.path)
    assert len(calls) == 1
    assert [(f.path, f.line, f.column, f.severity, f.message) for f in findings] == [
        ("first.yml", 9, 9, "info", "[shellcheck] shellcheck reported issue in this script: "
         "SC2086:info:1:6: Double quote to prevent globbing and word splitting"),
        ("last.yml", 5, 14, "error", '[runner-label] label "ubuntu-lates" is unknown'),
    ]  # job-needs is left out: workflow-needs reports it (no finding twice)


def test_actionlint_absent_reports_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("actionlint") is None
    assert list(get_rule("workflow-actionlint").run([context(tmp_path, INJECTION)])) == []


def test_actionlint_failure_is_one_note(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "actionlint"
    fake.write_text("#!/bin/sh\necho 'invalid value for -format' >&2\nexit 2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    findings = list(get_rule("workflow-actionlint").run(
        [context(tmp_path, INJECTION, "a.yml"), context(tmp_path, INJECTION, "b.yml")]))
    assert [(f.path, f.severity) for f in findings] == [(None, "info")]
    assert "invalid value for -format" in findings[0].message


def test_rule_docs_have_summary_and_example():
    for rule_id in ("workflow-schema", "workflow-security", "workflow-actionlint"):
        rule = get_rule(rule_id)
        assert rule.scope == "workflow" and rule.summary.endswith(".")
        assert "Before::" in rule.doc and "After::" in rule.doc
    # zizmor's own severity never makes an error: only the policy's judges do (docs/rules.md)
    from checkers.workflow import zizmor_policy

    assert set(zizmor_policy.ZIZMOR_SEVERITY.values()) == {"warning", "info"}


def test_which_finds_what_shutil_finds(tmp_path, monkeypatch):
    good, plain_file, folder = tmp_path / "a" / "tool", tmp_path / "b" / "tool", tmp_path / "c" / "tool"
    for path in (good, plain_file):
        path.parent.mkdir()
        path.write_text("#!/bin/sh\n")
    good.chmod(0o755)
    folder.mkdir(parents=True)
    search = os.pathsep.join(str(p.parent) for p in (folder, plain_file, good))
    for path in (search, "", str(tmp_path), None):
        assert tools.which("tool", path=path) == shutil.which("tool", path=path)
    assert tools.which(str(good)) == shutil.which(str(good))
    monkeypatch.setenv("PATH", search)
    assert tools.which("tool") == shutil.which("tool") == str(good)


TOOL_OUTPUT = "import sys; sys.stdout.write('line one\\r\\ncaf\\u00e9 \\u2713\\rend'); " \
              "sys.stderr.write('WARN x\\r\\n'); sys.exit(3)"


def test_tool_output_reads_as_a_pipe_would(tmp_path):
    """zizmor's output is collected from in-memory files, not pipes (see tools.Captured): the
    same text, exit code and end of the process as ``Popen(text=True).communicate()``."""
    import subprocess

    argv = [sys.executable, "-c", TOOL_OUTPUT]
    piped = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    expected = piped.communicate()
    proc = tools.start(argv)
    assert proc.communicate(timeout=60) == expected and proc.returncode == piped.returncode == 3
    assert expected[0] == "line one\ncafé ✓\nend"


def test_a_tool_that_hangs_is_killed_and_leaves_no_open_file():
    import subprocess

    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()
    proc = tools.start([sys.executable, "-c", "import time; print('started', flush=True); "
                        "time.sleep(60)"])
    with pytest.raises(subprocess.TimeoutExpired):
        proc.communicate(timeout=0.5)
    proc.kill()
    out, _ = proc.communicate()
    assert proc.returncode is not None and proc.returncode < 0
    if before:
        assert set(os.listdir("/proc/self/fd")) <= before


def test_without_in_memory_files_the_output_comes_through_pipes(monkeypatch):
    def forbidden(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "memfd_create", forbidden, raising=False)
    proc = tools.start([sys.executable, "-c", TOOL_OUTPUT])
    assert not isinstance(proc, tools.Captured)
    assert proc.communicate(timeout=60) == ("line one\ncafé ✓\nend", "WARN x\n")
    assert proc.returncode == 3


def test_waiting_for_a_tool_with_a_timeout_does_not_poll(monkeypatch):
    """``Popen.wait(timeout)`` sleeps in a loop (up to 50 ms at a time) and so noticed zizmor's
    exit late; the tool's exit itself ends the wait where the system can say so (a pidfd)."""
    if not hasattr(os, "pidfd_open"):
        pytest.skip("no pidfd on this system")
    proc = tools.start([sys.executable, "-c", TOOL_OUTPUT])
    if not isinstance(proc, tools.Captured):
        pytest.skip("no in-memory files here")

    def no_sleep(seconds):
        raise AssertionError(f"slept {seconds} s waiting for the tool")

    monkeypatch.setattr(time, "sleep", no_sleep)
    assert proc.communicate(timeout=60) == ("line one\ncafé ✓\nend", "WARN x\n")
    assert proc.returncode == 3
