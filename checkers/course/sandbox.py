"""Practice repositories in temporary folders, with real git and a git configuration of their own.

Nothing here touches the course checkout or the learner's global git configuration: every
sandbox has its own ``HOME``-like folder whose ``.gitconfig`` git uses instead
(``GIT_CONFIG_GLOBAL``), and git never looks above the sandbox for a repository
(``GIT_CEILING_DIRECTORIES``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path

IDENTITY = ("Kai Learner", "kai@neuralspark.example")
GITCONFIG = """\
[user]
\tname = {name}
\temail = {email}
[init]
\tdefaultBranch = main
[advice]
\tdetachedHead = false
[core]
\tpager = cat
"""


def shell() -> list[str]:
    """The shell that runs learners' commands (bash where there is one, as in git for Windows)."""
    for candidate in ("bash", "sh"):
        found = shutil.which(candidate)
        if found:
            return [found, "-e", "-c"] if candidate == "bash" else [found, "-e", "-c"]
    raise RuntimeError("no shell found to run the commands (install git, which brings bash)")


class Sandbox:
    """A temporary folder with a git configuration of its own; ``repo`` is the practice repository."""

    def __init__(self, prefix: str = "ml-git-course-") -> None:
        self.base = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
        self.home = self.base / "home"
        self.home.mkdir()
        (self.home / ".gitconfig").write_text(GITCONFIG.format(name=IDENTITY[0], email=IDENTITY[1]))
        self.repo = self.base / "repo"
        self.repo.mkdir()
        # the shared repository (GitHub, in real life): a bare repository next to the practice one
        self.origin = self.base / "origin.git"
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.base, ignore_errors=True)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key in [k for k in env if k.startswith("GIT_")]:
            del env[key]  # a hook or an outer repository must not leak in (GIT_DIR, GIT_INDEX_FILE ...)
        env.update({
            "GIT_CONFIG_GLOBAL": str(self.home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(self.base),
            "GIT_TERMINAL_PROMPT": "0",
            # no editor can open without a terminal: `git commit` without -m fails at once
            "GIT_EDITOR": "false", "GIT_SEQUENCE_EDITOR": "false", "GIT_MERGE_AUTOEDIT": "no",
            "EDITOR": "false", "VISUAL": "false", "GIT_PAGER": "cat", "PAGER": "cat",
            "HOME": str(self.home),
            # git filter-repo is installed next to this Python; git finds it on PATH.
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")]),
        })
        return env

    def run(self, script: str, *, check: bool = False, timeout: float = 30) -> subprocess.CompletedProcess:
        """Run shell commands in the practice repository; returns the completed process.

        A failing command stops the script and names its line on stderr; a script still running
        after ``timeout`` seconds (an endless loop, a command waiting for input) is stopped and
        reported with exit status 124, like coreutils' ``timeout``.
        """
        # `trap` reports the failing line (the script starts on line 2, hence the - 1)
        traced = "trap 'echo \"line $((LINENO - 1)): $BASH_COMMAND\" >&2' ERR\n" + script
        try:
            return subprocess.run([*shell(), traced], cwd=self.repo, env=self.env, text=True,
                                  capture_output=True, timeout=timeout, check=check,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(
                exc.cmd, 124, _text(exc.stdout),
                _text(exc.stderr) + f"\nstopped after {timeout:.0f} s: an endless loop, or a "
                "command waiting for input (an editor? use `git commit -m \"...\"`)")

    def sh(self, script: str) -> None:
        """Run commands and print what they print, like a terminal (for notebook cells)."""
        proc = self.run(script)
        sys.stdout.write(proc.stdout)
        if proc.stderr:
            sys.stdout.write(proc.stderr)
        if proc.returncode:
            print(f"(exit status {proc.returncode})")

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.repo, env=self.env, text=True,
                              capture_output=True, timeout=60)
        if proc.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def init_repo(self, origin: bool = True) -> None:
        """``git init`` the practice repository, with a local bare ``origin`` to push to."""
        self.git("init", "-q")
        if origin:
            subprocess.run(["git", "init", "-q", "--bare", str(self.origin)], env=self.env,
                           check=True, capture_output=True, timeout=60)
            self.git("remote", "add", "origin", str(self.origin))

    def write(self, files: dict[str, str | bytes]) -> None:
        for rel, content in files.items():
            path = self.repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    def commit(self, message: str, *paths: str, force: bool = False) -> None:
        self.git("add", *(["-f"] if force else []), *(paths or ["-A"]))
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def close(self) -> None:
        self._cleanup()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Sandbox({self.repo})"


def _remove_stale_sandboxes(prefix: str = "ml-git-course-", age: float = 24 * 3600) -> None:
    """Sandboxes of kernels that were killed (their clean-up never ran), older than a day."""
    import time

    base = Path(tempfile.gettempdir())
    for old in base.glob(prefix + "*"):
        try:
            if old.is_dir() and not old.is_symlink() and time.time() - old.stat().st_mtime > age:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def _text(data) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def start_module() -> Sandbox:
    """Isolate this notebook's git and give it a practice repository.

    Also points the kernel's own environment at the sandbox's git configuration, so that a
    ``!git ...`` line typed into a cell cannot touch the learner's global configuration, and
    changes the working directory into the practice repository, so that it cannot touch the
    course checkout either.
    """
    _remove_stale_sandboxes()
    box = Sandbox()
    box.init_repo()
    for key in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_CEILING_DIRECTORIES", "PATH"):
        os.environ[key] = box.env[key]
    os.chdir(box.repo)
    return box
