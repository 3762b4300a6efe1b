"""Starting the field's command-line tools (zizmor, actionlint) with a clean environment.

Deliberately light (standard library only): the CLI starts zizmor through :func:`prefetch`
before it imports anything heavy, so that zizmor's work overlaps Python's start-up; the
workflow-security rule then takes the running process instead of starting a new one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

ZIZMOR_CONFIG = Path(__file__).with_name("workflow") / "zizmor.yml"
_started: dict[tuple[str, ...], subprocess.Popen] = {}


def find_zizmor() -> str | None:
    """zizmor on PATH, or next to this Python (a venv used without activating it)."""
    return shutil.which("zizmor") or shutil.which("zizmor", path=sysconfig.get_path("scripts"))


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
