"""`checkers repo` on a repository it did not write: nothing the repository configures runs.

Instructors check repositories learners submit, and teams check checkouts in CI. A repository's
own `.git/config` and `.gitattributes` can name programs for git to run: an fsmonitor hook,
clean/smudge/process filters, external diff drivers and textconv, a pager, ssh and credential
helpers. Each here writes a marker file; none may appear, and the findings must still be right.
"""
from __future__ import annotations

import subprocess

import pytest

from checkers import check_repo
from checkers.cli import main

from .conftest import commit_all, fake_connection_string, git, write

PROGRAMS = {
    "core.fsmonitor": "fsmonitor", "filter.evil.clean": "clean", "filter.evil.smudge": "smudge",
    "filter.evil.process": "process", "diff.evil.textconv": "textconv",
    "diff.evil.command": "diff-command", "diff.external": "external-diff", "core.pager": "pager",
    "pager.log": "pager-log", "core.sshCommand": "ssh", "credential.helper": "credential",
    "core.askPass": "askpass", "core.editor": "editor", "sequence.editor": "sequence-editor",
    "core.hooksPath": "hooks-path-unused", "gpg.program": "gpg",
}


@pytest.fixture
def hostile(repo, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    write(repo, {"src/train.py": "print('train')\n", "models/churn.pkl": b"\x80weights",
                 "src/upload.py": f'CONN = "{fake_connection_string()}"\n'})
    commit_all(repo, "train")
    git(repo, "rm", "-q", "--cached", "models/churn.pkl")
    write(repo, {"src/upload.py": "import os\nCONN = os.environ['CONN']\n",
                 ".gitignore": "*.pkl\n"})
    commit_all(repo, "clean up")
    # Only now the traps: our own setup above must not trigger them.
    for key, name in PROGRAMS.items():
        command = f"touch {markers / name}; false"
        git(repo, "config", key, ("!" + command) if key.startswith(("credential", "alias")) else command)
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction",
                 "fsmonitor-watchman"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {markers / ('hook-' + hook)}\n")
        (hooks / hook).chmod(0o755)
    git(repo, "config", "remote.origin.url", "ssh://git@example.invalid/neuralspark/churn.git")
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    (repo / "src" / "train.py").write_text("print('edited, so the index is stale')\n")
    return repo, markers


def test_no_program_of_the_repository_runs_and_findings_are_right(hostile, monkeypatch, capsys):
    repo, markers = hostile
    result = check_repo(repo)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert [f.path for f in result.by_rule("history-artifact")] == ["models/churn.pkl"]
    (secret,) = result.by_rule("history-secret")
    assert secret.path == "src/upload.py" and secret.line == 1
    for fmt in ("text", "json", "sarif", "github"):
        monkeypatch.chdir(repo)
        main(["repo", ".", "--format", fmt])
        main(["repo", ".", "--no-history", "--format", fmt])
    capsys.readouterr()
    assert sorted(p.name for p in markers.iterdir()) == []


def test_the_traps_are_real(hostile):
    """Plain git in the same repository does run them: the test above can fail."""
    repo, markers = hostile
    subprocess.run(["git", "status"], cwd=repo, capture_output=True)
    subprocess.run(["git", "log", "-p", "-1", "--", "src/upload.py"], cwd=repo, capture_output=True)
    assert {"fsmonitor", "clean"} & {p.name for p in markers.iterdir()}
