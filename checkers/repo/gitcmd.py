"""Running git read-only and safely on a repository we did not write.

A hostile repository's own config can name programs for git to run (``core.fsmonitor``, hooks);
we switch those off on every call, and ignore the user's global excludes file so that only what
the repository itself ships (its ``.gitignore`` files) decides what is ignored.
"""
from __future__ import annotations

import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

SAFE_CONFIG = [
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.excludesFile=",
    "-c", "safe.directory=*",
    "-c", "core.quotePath=false",
    # Programs a repository's config could otherwise name. The commands we run never diff file
    # contents, apply filters or talk to a remote, but should one ever do, none of these runs.
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "core.sshCommand=false",
    "-c", "credential.helper=",
    "-c", "core.askPass=false",
    "-c", "protocol.allow=never",
    "-c", "core.untrackedCache=false",
    "-c", "maintenance.auto=false",
    "-c", "gc.auto=0",
]


class GitError(RuntimeError):
    pass


# Variables that point git at another repository, index or object store (set by a hook, an
# IDE or an outer git command) would make us check something else than the path we were given.
REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR",
                        "GIT_PREFIX", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
                        # programs git would run
                        "GIT_EXTERNAL_DIFF", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS",
                        "SSH_ASKPASS", "GIT_PAGER", "GIT_EDITOR", "GIT_PROXY_COMMAND")


def env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in REPOSITORY_VARIABLES and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
                "GIT_PAGER": "cat", "GIT_NO_REPLACE_OBJECTS": "1"})
    return env


# How much lower than ours the priority of a git command running in the background is: its
# output is needed only at the end, and until then it should leave the CPU to the git and
# Python work that everything else waits for (a walk of 5,000 commits that shared the CPU
# equally made the history scan 3-10% slower on two cores).
BACKGROUND_NICENESS = 5


def git(cwd: Path, *args: str, input: bytes | None = None, check: bool = True,
        background: bool = False) -> bytes:
    """git's output; ``background``: at a lower priority (``BACKGROUND_NICENESS``)."""
    with subprocess.Popen(
        ["git", *SAFE_CONFIG, *args], cwd=cwd, env=env(),
        stdin=None if input is None else subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as proc:
        if background:
            lower_priority(proc.pid)
        try:
            stdout, stderr = proc.communicate(input)
        except BaseException:  # (as subprocess.run does: an interrupted call leaves no git behind)
            proc.kill()
            raise
    if check and proc.returncode != 0:
        raise GitError(stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return stdout


def lower_priority(pid: int) -> None:
    """Raise the niceness of our child ``pid`` by ``BACKGROUND_NICENESS`` where the system
    lets us (a process may always lower its own children's priority on Linux and macOS)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid,
                       min(19, os.getpriority(os.PRIO_PROCESS, pid) + BACKGROUND_NICENESS))
    except (AttributeError, OSError):
        pass  # (Windows; or the process is gone already)


def popen(cwd: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        ["git", *SAFE_CONFIG, *args], cwd=cwd, env=env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )


# Linux lets any process grow a pipe to 1 MiB (/proc/sys/fs/pipe-max-size) instead of 64 KiB
PIPE_SIZE = 1 << 20


def widen_pipe(stream) -> None:
    """Let the pipe behind ``stream`` hold ``PIPE_SIZE`` bytes where the system allows it
    (Linux): a writer that runs ahead of its reader then waits less often."""
    try:
        import fcntl
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # another system, or a smaller limit: the default pipe works the same, only slower


@lru_cache(maxsize=1)
def version() -> tuple[int, int]:
    """(major, minor) of the git on PATH; (0, 0) when it cannot tell."""
    try:
        out = subprocess.run(["git", "version"], env=env(), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout
    except OSError:
        return (0, 0)
    found = re.search(rb"(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def work_tree_prefix(root: Path) -> str | None:
    """The root's path inside its git work tree (``""`` at the top, ``"sub/"`` below), or None."""
    try:
        out = git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    except (GitError, OSError):
        return None
    lines = out.decode(errors="surrogateescape").splitlines()
    if not lines or lines[0] != "true":
        return None
    return lines[1] if len(lines) > 1 else ""


def is_bare(root: Path) -> bool:
    try:
        return git(root, "rev-parse", "--is-bare-repository").strip() == b"true"
    except (GitError, OSError):
        return False


def has_commits(root: Path) -> bool:
    return bool(git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()) or bool(
        git(root, "for-each-ref", "--count=1", "--format=%(refname)").strip())


def split_z(data: bytes) -> list[str]:
    return [os.fsdecode(p) for p in data.split(b"\0") if p]
