"""Shared fixtures: real git in temporary folders, never the user's git configuration."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Fixed identities and dates make commit ids, and so golden outputs, reproducible.
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Kai Test", "GIT_AUTHOR_EMAIL": "kai@neuralspark.example",
    "GIT_COMMITTER_NAME": "Kai Test", "GIT_COMMITTER_EMAIL": "kai@neuralspark.example",
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T12:00:00Z",
    "GIT_TERMINAL_PROMPT": "0",
}


@pytest.fixture(scope="session", autouse=True)
def private_tmp():
    """One temporary folder for the whole run, removed at its end.

    Practice sandboxes (``ml-git-course-*``), kernels' and nbgrader's temporary files, and
    whatever a hostile test submission writes to its temp folder all land here, in this process
    and in every child (they inherit ``TMPDIR``), so a test run leaves nothing behind in /tmp.
    """
    base = Path(tempfile.mkdtemp(prefix="checkers-tests-"))
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(base)
    tempfile.tempdir = None  # recomputed from TMPDIR
    try:
        yield base
    finally:
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
        tempfile.tempdir = None
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    """Every test runs git with an empty global config of its own and fixed identities."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CHECKERS_DOCS_URL", raising=False)
    # nbgrader runs `alembic`, and git finds `git filter-repo`, on PATH: the venv's bin/ first.
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]))
    yield


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def commit_all(root: Path, message: str = "commit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


MODULES = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """One course folder for the whole run in which real `nbgrader generate_assignment` runs
    once per module (on first demand), gradebook included: ``released(module, ...)`` returns it.

    Generating is the slow part of every notebook test's setup; grading, collecting and
    feedback then happen in a copy (``course_from(released(...), folder)``), never in here.
    """
    root = tmp_path_factory.mktemp("released")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions")
    # nbgrader runs `alembic` from PATH: the venv's bin/ first, for this run and its children
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    generated: set[str] = set()

    def course_with(*modules: str) -> Path:
        for module in modules:
            if module not in generated:
                proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment",
                                       module, "--force"], cwd=root, capture_output=True,
                                      text=True, timeout=900)
                assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
                generated.add(module)
        return root

    return course_with


def course_from(released_root: Path, folder: Path) -> Path:
    """A private copy of the shared released course, to grade, collect or release in."""
    shutil.copytree(released_root, folder)
    return folder


@pytest.fixture
def repo(tmp_path):
    """An empty git repository (branch main) in a temporary folder."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    return path


def fake_storage_key() -> str:
    """An 88-character Azure storage key, built at run time so no secret is in our source."""
    return "Zm9v" * 21 + "YmFy=="


def fake_connection_string() -> str:
    return ("DefaultEndpointsProtocol=https;AccountName=neuralspark;"
            f"AccountKey={fake_storage_key()};EndpointSuffix=core.windows.net")


def processes():
    """(pid, command line, working folder or None where it cannot be read) of each running
    process whose command line can be read (Linux ``/proc``)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = None
        yield int(entry.name), " ".join(a.decode(errors="replace") for a in argv), cwd
