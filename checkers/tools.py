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


def start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=tool_env(), stdin=subprocess.DEVNULL)


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


def take(argv: list[str]) -> subprocess.Popen | None:
    """The process :func:`prefetch` started with exactly this command line, if any."""
    return _started.pop(tuple(argv), None)
