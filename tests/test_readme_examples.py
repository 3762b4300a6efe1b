"""Every `checkers ...` command the README shows runs as written, from the repository root.

Offline, on the files this repository holds. "Runs" means what a reader expects from a
command that is right: exit 0 (clean) or 1 (findings), never 2 (usage error, missing file) and
never a traceback. A comment showing JSON output (`# {"runs": false, ...}`) is checked too.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

COMMAND = re.compile(r"^\s*(?:-\s*run:\s*|entry:\s*)?(checkers\s.*)$")


def readme_examples() -> list[tuple[str, str, str]]:
    """(folder, command, comment) for each `checkers` line of the README's code blocks."""
    examples = []
    readme = (ROOT / "README.md").read_text()
    for block in re.findall(r"```[a-z]*\n(.*?)```", readme, re.S):
        folder = "."
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():  # continued lines joined
            if line.startswith("cd "):
                folder = os.path.normpath(os.path.join(folder, line[3:].strip()))
            found = COMMAND.match(line)
            if found:
                command, _, comment = found.group(1).partition("  #")
                examples.append((folder, command.strip(), comment.strip()))
    return examples


def test_the_readme_shows_checkers_examples():
    commands = [c for _, c, _ in readme_examples()]
    assert len(commands) >= 10
    for sub in ("repo", "workflow", "trigger", "rules"):
        assert any(c.startswith(f"checkers {sub}") for c in commands), sub


@pytest.mark.parametrize("folder,command,comment", readme_examples(),
                         ids=[c for _, c, _ in readme_examples()])
def test_readme_example_runs_as_written(folder, command, comment):
    checkers = Path(sys.executable).parent / "checkers"
    argv = [str(checkers), *shlex.split(command)[1:]]
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN"}}
    done = subprocess.run(argv, cwd=ROOT / folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode in (0, 1), f"exit {done.returncode}: {done.stderr.strip()}"
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout.strip(), "prints nothing"
    shown = re.match(r"(\{.*)", comment)
    if shown:
        expected = json.loads(re.sub(r"\[\.\.\.\]", "null", shown.group(1)))
        actual = json.loads(done.stdout)
        assert all(actual[k] == v for k, v in expected.items() if v is not None), actual
