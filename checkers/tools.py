"""Starting the field's command-line tools (zizmor, actionlint) with a clean environment.

Deliberately light (standard library only): the CLI starts zizmor through :func:`prefetch`
before it imports anything heavy, so that zizmor's work overlaps Python's start-up; the
workflow-security rule then takes the running process instead of starting a new one.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ZIZMOR_CONFIG = Path(__file__).with_name("workflow") / "zizmor.yml"
_started: dict[tuple[str, ...], subprocess.Popen] = {}


def which(name: str, path: str | None = None) -> str | None:
    """``shutil.which`` (same search), without importing shutil and the compression modules
    it imports: the command line starts zizmor before anything else."""
    if os.name == "nt":  # PATHEXT and the current directory: shutil knows Windows' rules
        import shutil

        return shutil.which(name, path=path)
    if os.path.dirname(name):
        return name if _executable(name) else None
    if path is None:
        path = os.environ.get("PATH")
        if path is None:
            try:
                path = os.confstr("CS_PATH")
            except (AttributeError, ValueError):
                path = os.defpath
    if not path:
        return None
    seen = set()
    for folder in path.split(os.pathsep):
        if folder not in seen:
            seen.add(folder)
            candidate = os.path.join(folder, name)
            if _executable(candidate):
                return candidate
    return None


def _executable(path: str) -> bool:
    return os.path.exists(path) and os.access(path, os.F_OK | os.X_OK) and not os.path.isdir(path)


def find_zizmor() -> str | None:
    """zizmor on PATH, or next to this Python (a venv used without activating it)."""
    found = which("zizmor") or which("zizmor", path=os.path.dirname(sys.executable))
    if found:
        return found
    import sysconfig

    return which("zizmor", path=sysconfig.get_path("scripts"))


def tool_env() -> dict[str, str]:
    """The environment without GitHub tokens: with one, zizmor would go online."""
    return {k: v for k, v in os.environ.items()
            if k not in ("GH_TOKEN", "GITHUB_TOKEN") and not k.startswith("ZIZMOR_")}


def key(path) -> str:
    return os.path.realpath(os.path.abspath(path))


def zizmor_argv(zizmor: str, files: list[str]) -> list[str]:
    return [zizmor, "--offline", "--no-progress", "--no-exit-codes", "--format", "json",
            "--config", str(ZIZMOR_CONFIG), *files]


def start(argv: list[str]) -> subprocess.Popen | Captured:
    """The tool, started; ``communicate()``, ``kill()`` and ``returncode`` as ``Popen``'s."""
    files = _memory_files()
    if files is not None:
        return Captured(argv, files)
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=tool_env(), stdin=subprocess.DEVNULL)


def _memory_files() -> list[int] | None:
    """Two anonymous in-memory files, or None where there are none (not Linux, or a sandbox
    that forbids them): the tool's output then goes through pipes."""
    try:
        first = os.memfd_create("tool-stdout", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None
    try:
        return [first, os.memfd_create("tool-stderr", os.MFD_CLOEXEC)]
    except OSError:
        os.close(first)
        return None


class Captured:
    """A tool whose output goes to two in-memory files (Linux's memfd) instead of pipes.

    zizmor writes its JSON a line at a time: thousands of small writes for a batch. Through a
    pipe, every few of them wake the thread that collects the output, which then waits for the
    interpreter lock while our rules run, and makes them wait in turn. A file takes the writes
    without waking anyone: the collecting thread sleeps until the tool exits, then reads both
    files, decoded as ``Popen(text=True)`` decodes a pipe (the locale's encoding, universal
    newlines)."""

    def __init__(self, argv: list[str], files: list[int]):
        self._fds = files  # stdout, stderr; closed once read
        try:
            self.proc = subprocess.Popen(argv, stdout=self._fds[0], stderr=self._fds[1],
                                         env=tool_env(), stdin=subprocess.DEVNULL)
        except BaseException:
            self._close()
            raise

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def kill(self) -> None:
        self.proc.kill()

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self._wait(timeout)
        try:
            return self._read(self._fds[0]), self._read(self._fds[1])
        finally:
            self._close()

    def _wait(self, timeout: float | None) -> None:
        """``proc.wait(timeout)``, woken by the exit itself. With a timeout, ``Popen.wait``
        polls, sleeping twice as long each time up to 50 ms: it saw zizmor's exit up to 50 ms
        late, on the batch's critical path (zizmor alone takes about 90 ms). A pidfd (Linux
        5.3+) is readable the moment the process exits; elsewhere ``Popen.wait`` as before."""
        if timeout is None or self.proc.returncode is not None:
            self.proc.wait(timeout)
            return
        try:
            pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            self.proc.wait(timeout)
            return
        try:
            import select  # already imported by subprocess

            exited = select.poll()
            exited.register(pidfd, select.POLLIN)
            if not exited.poll(max(0, int(timeout * 1000) + 1)):  # ms, rounded up
                raise subprocess.TimeoutExpired(self.proc.args, timeout)
        finally:
            os.close(pidfd)
        self.proc.wait()  # it has exited: reaps it at once

    @staticmethod
    def _read(fd: int) -> str:
        os.lseek(fd, 0, os.SEEK_SET)
        with open(fd, closefd=False) as text:  # the locale's encoding, universal newlines
            return text.read()

    def _close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def prefetch(paths: list[str]) -> None:
    """Start zizmor on these files now; the security rule collects it later (or it is killed)."""
    zizmor = find_zizmor()
    files = [key(p) for p in paths if os.path.isfile(p)]
    try:
        "".join(files).encode("utf-8")
    except UnicodeEncodeError:
        return  # the rule drops such names; the command lines would not match
    if zizmor and files and ZIZMOR_CONFIG.is_file():
        argv = zizmor_argv(zizmor, files)
        try:
            _started[tuple(argv)] = start(argv)
        except OSError:
            pass


def take_zizmor(zizmor: str, files: list[str]) -> tuple[subprocess.Popen | Captured | None, bool]:
    """The zizmor process :func:`prefetch` started on these files and perhaps others, and
    whether there were others: it gets every existing file named on the command line, the rule
    only the workflows that parse (an action's metadata file or a file with a YAML error is
    left out). The others' findings name files the rule does not look up."""
    fixed = zizmor_argv(zizmor, [])
    for argv in list(_started):
        if list(argv[:len(fixed)]) == fixed and set(files) <= set(argv[len(fixed):]):
            return _started.pop(argv), set(argv[len(fixed):]) != set(files)
    return None, False
