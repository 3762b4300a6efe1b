"""The command line contract: formats, exit status, one-line errors."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys

import pytest

from checkers.cli import main
from checkers.registry import all_rules

from .conftest import ROOT, commit_all, fake_connection_string, write

FINDING_KEYS = {"rule", "severity", "path", "line", "column", "message", "hint", "docs"}


@pytest.fixture
def leaky(repo):
    write(repo, {"models/churn.pkl": b"\x80\x04weights", "src/prepare.py":
                 f'CONN = "{fake_connection_string()}"\n', "notes.md": "hello\n"})
    commit_all(repo)
    return repo


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_findings_have_exactly_the_contract_keys(leaky, capsys):
    code, out, _ = run(capsys, "repo", str(leaky), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["findings"], data
    for finding in data["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in {"error", "warning", "info"}
        assert finding["line"] is None or finding["line"] >= 1
    secret = next(f for f in data["findings"] if f["rule"] == "secret-in-file")
    assert (secret["path"], secret["line"]) == ("src/prepare.py", 1)
    model = next(f for f in data["findings"] if f["rule"] == "tracked-model")
    assert model["path"] == "models/churn.pkl" and model["line"] is None
    assert "model registry" in model["message"] and "git rm" in model["hint"]
    assert model["docs"].endswith("rules.md#tracked-model")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_format_prints_a_secret_in_full(leaky, capsys, fmt):
    from .conftest import fake_storage_key

    code, out, _ = run(capsys, "repo", str(leaky), "--format", fmt)
    assert code == 1
    assert fake_storage_key() not in out
    assert fake_storage_key()[:4] in out  # but enough to recognise it


def test_sarif_is_2_1_0_with_rule_metadata(leaky, capsys):
    _, out, _ = run(capsys, "repo", str(leaky), "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r.id for r in all_rules()}
    assert all(r["helpUri"].endswith("#" + r["id"]) and r["fullDescription"]["text"] for r in rules)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
    located = [r for r in run_["results"] if r["ruleId"] == "secret-in-file"][0]
    region = located["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1 and region["startColumn"] >= 1


def test_github_format_escapes_and_points_at_files(leaky, capsys, monkeypatch):
    monkeypatch.chdir(leaky.parent)
    _, out, _ = run(capsys, "repo", "repo", "--format", "github")
    lines = out.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    secret = next(line for line in lines if "title=secret-in-file" in line)
    assert "file=repo/src/prepare.py,line=1,col=" in secret
    assert "\n" not in secret and "%0A" in secret  # multi-line hints stay on one command line


def test_text_format_is_file_line_col_severity_message_rule(leaky, capsys):
    _, out, _ = run(capsys, "repo", str(leaky))
    assert any(line.startswith("src/prepare.py:1:") and line.endswith("[secret-in-file]")
               for line in out.splitlines())
    assert re.fullmatch(r"\d+ errors?(, \d+ warnings?)?", out.strip().splitlines()[-1])


def test_exit_0_when_only_warnings_and_1_with_strict(repo, capsys):
    write(repo, {"README.md": "x\n"})
    commit_all(repo)
    args = ["repo", str(repo), "--select", "repo-layout"]
    assert run(capsys, *args)[0] == 0
    assert run(capsys, *args, "--strict")[0] == 1


@pytest.mark.parametrize("argv, needle", [
    (["repo", "/no/such/folder"], "/no/such/folder: no such file or directory"),
    (["repo", __file__], "not a directory"),
    (["repo", ".", "--select", "no-such-rule"], "unknown rule(s): no-such-rule"),
    (["rules", "no-such-rule"], "unknown rule"),
])
def test_bad_input_is_exit_2_with_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [[], ["repo"], ["repo", ".", "--format", "xml"],
                                  ["repo", ".", "--max-blob-size", "big"], ["frobnicate"]])
def test_usage_errors_are_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "Traceback" not in err and err.strip()


def test_unreadable_directory_is_exit_2(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root reads every directory")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    code, _, err = run(capsys, "repo", str(locked))
    assert code == 2 and "cannot be read" in err


def test_python_dash_m_and_console_script_work(leaky):
    for cmd in ([sys.executable, "-m", "checkers"],
                [os.path.join(os.path.dirname(sys.executable), "checkers")]):
        proc = subprocess.run([*cmd, "repo", str(leaky), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 1, proc.stderr
        assert json.loads(proc.stdout)["findings"]


def test_rules_listing_names_every_rule(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    for r in all_rules():
        assert r.id in out


def test_cli_literals_match_their_sources():
    from checkers import cli, reporters
    from checkers.workflow import context

    assert cli.FORMATS == reporters.FORMATS and cli.PATTERNS == context.PATTERNS


def test_every_sarif_result_has_a_percent_encoded_location(tmp_path, capsys):
    (tmp_path / "a b%.yaml").write_text("a: [\n")
    code, out, _ = run(capsys, "repo", str(tmp_path), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert results and all(r["locations"] for r in results)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert "a%20b%25.yaml" in uris


@pytest.mark.parametrize("argv", [["repo", ".", "--format", "xml"], []])
def test_usage_errors_are_one_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("checkers: error:")


QUICK_EXIT_PROBE = """
import atexit, sys, threading
from checkers.cli import leave
atexit.register(lambda: print("atexit ran", flush=True))
print("output", end="")
sys.stderr.write("err")
if sys.argv[2] == "thread":
    stop = threading.Event()
    threading.Thread(target=stop.wait, args=(1,)).start()
leave(int(sys.argv[1]), sys.argv[3])
print(" then sys.exit", end="")
sys.exit(int(sys.argv[1]))
"""


@pytest.mark.parametrize("command, thread, expected", [
    ("workflow", "", "outputatexit ran\n"),           # ends at once, after the atexit functions
    ("repo", "", "output then sys.exitatexit ran\n"),  # other commands: the normal exit
    ("workflow", "thread", "output then sys.exitatexit ran\n"),  # a thread left: normal exit
])
def test_quick_exit_keeps_what_a_normal_exit_does(command, thread, expected):
    """`python -m checkers workflow` ends without the interpreter's teardown (cli.leave): the
    output, the exit status and the atexit functions (the kept regular expressions are saved
    there) are those of a normal exit."""
    done = subprocess.run([sys.executable, "-c", QUICK_EXIT_PROBE, "3", thread, command],
                          capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (3, expected, "err")


def test_python_m_checkers_workflow_exit_status_and_output(tmp_path):
    clean = ROOT / "sample_repo/.github/workflows/train-on-push.yml"
    done = subprocess.run([sys.executable, "-m", "checkers", "workflow", "--format", "json",
                           "--ignore", "workflow-security", str(clean)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and json.loads(done.stdout)["findings"] == []
    bad = tmp_path / "ci.yml"
    bad.write_text("on: push\njobs:\n  build:\n    steps: []\n")
    done = subprocess.run([sys.executable, "-m", "checkers", "workflow", "--format", "json",
                           "--ignore", "workflow-security", str(bad)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and json.loads(done.stdout)["findings"]


def test_python_m_checkers_workflow_without_stdout():
    """Started with its stdout closed (``>&-``), Python has no sys.stdout: still no traceback."""
    clean = ROOT / "sample_repo/.github/workflows/train-on-push.yml"
    done = subprocess.run([sys.executable, "-m", "checkers", "workflow", "--ignore",
                           "workflow-security", str(clean)], capture_output=False,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT,
                          preexec_fn=lambda: os.close(1))
    assert done.returncode == 0 and done.stderr == ""


def test_the_console_script_takes_the_same_way_out(tmp_path):
    """The installed ``checkers`` command is :func:`checkers.cli.console`, as ``python -m
    checkers`` is: same exit statuses and output, the same quick exit for ``workflow``."""
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "checkers"]
    assert script.value == "checkers.cli:console"
    bad = tmp_path / "ci.yml"
    bad.write_text("on: push\njobs:\n  build:\n    steps: []\n")
    probe = ("import sys; from checkers.cli import console; "
             "sys.argv = ['checkers', 'workflow', '--format', 'json', '--ignore', "
             f"'workflow-security', {str(bad)!r}]; sys.exit(console())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and json.loads(done.stdout)["findings"]
