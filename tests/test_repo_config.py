"""Leaving paths out: `--exclude GLOB` and `[tool.checkers] exclude` in pyproject.toml."""
from __future__ import annotations

import pytest

from checkers import check_repo
from checkers.cli import main
from checkers.repo.config import excluded

from .conftest import commit_all, fake_connection_string, write


@pytest.mark.parametrize("path, pattern, hit", [
    ("tests/examples/a/b.sh", "tests/examples/", True),
    ("x/tests/examples/a.sh", "tests/examples/", False),  # a folder path is anchored
    ("src/build/x.py", "build/", True),                    # a folder name matches at any depth
    ("a/b/key.pem", "*.pem", True), ("docs/x/a.png", "docs/*.png", True),
    ("src/train.py", "*.pem", False), ("fixtures/k.pem", "fixtures", True),
])
def test_patterns(path, pattern, hit):
    assert excluded(path, (pattern,)) is hit


def test_configured_and_command_line_exclusions(repo, capsys, monkeypatch):
    write(repo, {"tests/fixtures/conn.py": f'C = "{fake_connection_string()}"\n',
                 "tests/fixtures/bad.yaml": "a: [\n", "src/app.py": f'C = "{fake_connection_string()}"\n'})
    commit_all(repo)
    assert {f.path for f in check_repo(repo).by_rule("secret-in-file", "yaml-syntax")} == {
        "tests/fixtures/conn.py", "tests/fixtures/bad.yaml", "src/app.py"}
    write(repo, {"pyproject.toml": '[tool.checkers]\nexclude = ["tests/fixtures/"]\n'})
    result = check_repo(repo)
    assert {f.path for f in result.by_rule("secret-in-file", "yaml-syntax", "history-secret")} == {"src/app.py"}
    monkeypatch.chdir(repo)
    assert main(["repo", ".", "--exclude", "src/app.py", "--select", "secret-in-file,yaml-syntax"]) == 0
    capsys.readouterr()


def test_a_wrong_configuration_is_a_one_line_usage_error(repo, capsys):
    write(repo, {"pyproject.toml": '[tool.checkers]\nexclude = "tests/"\n'})
    assert main(["repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pyproject.toml" in err and "list of path patterns" in err


def test_an_unparsable_pyproject_is_noted_not_fatal(repo):
    write(repo, {"pyproject.toml": "[tool.checkers\n"})
    result = check_repo(repo)
    assert any("pyproject.toml could not be read" in n for n in result.notes)
