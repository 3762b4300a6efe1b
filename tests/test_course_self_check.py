"""The course passes its own checks: `checkers repo . --history-rev HEAD` on this checkout
reports no error.

Its deliberately bad examples (tests/examples/) and the secret scanner's recall samples
(tests/secret_samples/) are left out by `[tool.checkers] exclude` in pyproject.toml, the
documented way for any project to exclude paths.
"""
from __future__ import annotations

import json

from checkers.cli import main

from .conftest import ROOT


def test_the_course_checkout_has_no_error_finding(capsys, monkeypatch):
    """The history scanned is the checked-out branch's, what CI's clean clone holds: another
    branch in a shared checkout (a teammate's test secrets, not yet merged) is not this one's."""
    monkeypatch.chdir(ROOT)
    code = main(["repo", ".", "--history-rev", "HEAD", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    errors = [f"{f['path']}:{f['line']}: {f['message']} [{f['rule']}]"
              for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and code == 0


def test_without_the_exclusions_the_bad_examples_are_found(tmp_path, capsys, monkeypatch):
    """The exclusion is what makes the test above pass, not a blind checker."""
    monkeypatch.chdir(ROOT)
    code = main(["repo", "tests/examples/", "--no-history", "--format", "json",
                 "--select", "yaml-syntax,secret-in-file"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and {f["rule"] for f in report["findings"]} == {"yaml-syntax", "secret-in-file"}
