"""What the repository rules look at: the root, its tracked files, and safe reads of them."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import config, gitcmd

# Folders that are never project content when a plain folder (no git) is walked.
WALK_SKIP = {".git", ".venv", "venv", "node_modules", "__pycache__", ".ipynb_checkpoints",
             ".mypy_cache", ".pytest_cache", ".tox", ".ruff_cache"}
# Default read limit (YAML files); secrets are read up to --max-blob-size, above which a file
# is reported as large by history-large-blob.
MAX_READ = 1024 * 1024
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


@dataclass(frozen=True)
class Entry:
    path: str       # posix, relative to the checked root
    mode: str       # git mode: 100644, 100755, 120000 (symlink), 160000 (submodule)


@dataclass
class RepoContext:
    root: Path
    history: bool = True
    max_blob_size: int = 5 * 1024 * 1024
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules not run (they need git)
    cache: dict = field(default_factory=dict)  # results several rules share (history, check-ignore)
    exclude: tuple[str, ...] = ()  # path patterns left out of every rule (see config.py)
    layout: str = "course"  # repo-layout: the course's file names, or "roles" (any names)
    # commit ids the history scan starts from (--history-rev); empty: every ref and stash entry
    history_revs: tuple[str, ...] = ()

    def excluded(self, path: str) -> bool:
        return bool(self.exclude) and config.excluded(path, self.exclude)

    @cached_property
    def prefix(self) -> str | None:
        """Where the root sits inside its git work tree (``""`` in a bare repository); None
        when it is not in one."""
        prefix = gitcmd.work_tree_prefix(self.root)
        if prefix is None and gitcmd.is_bare(self.root):
            return ""
        return prefix

    @cached_property
    def is_bare(self) -> bool:
        """A bare repository (a server's copy, a mirror): history only, no work tree."""
        return gitcmd.work_tree_prefix(self.root) is None and gitcmd.is_bare(self.root)

    @property
    def is_git(self) -> bool:
        return self.prefix is not None

    def git(self, *args: str, **kwargs) -> bytes:
        return gitcmd.git(self.root, *args, **kwargs)

    @cached_property
    def entries(self) -> list[Entry]:
        """Tracked files (the index) in a git work tree, every file of a plain folder otherwise."""
        if not self.is_git:
            return [e for e in self._walk() if not self.excluded(e.path)]
        if self.is_bare:
            return []
        out = self.git("ls-files", "-s", "-z", "--", ".")
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode = meta.split(b" ", 1)[0].decode()
            entry = Entry(os.fsdecode(path), mode)
            if not self.excluded(entry.path):
                entries.append(entry)
        return entries

    @cached_property
    def paths(self) -> set[str]:
        return {e.path for e in self.entries}

    def _walk(self):
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in WALK_SKIP
                                 and not os.path.islink(os.path.join(dirpath, d)))
            rel_dir = os.path.relpath(dirpath, self.root)
            links = [d for d in os.listdir(dirpath) if os.path.islink(os.path.join(dirpath, d))
                     and os.path.isdir(os.path.join(dirpath, d))]
            for name in sorted({*filenames, *links}):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                full = os.path.join(dirpath, name)
                mode = SYMLINK_MODE if os.path.islink(full) else "100644"
                yield Entry(rel.replace(os.sep, "/"), mode)

    @cached_property
    def _root_str(self) -> str:
        return os.fspath(self.root)

    def size(self, path: str) -> int | None:
        # several rules ask for every tracked file's size: one lstat each
        sizes = self.cache.setdefault("sizes", {})
        if path not in sizes:
            try:
                st = os.lstat(os.path.join(self._root_str, path))
            except OSError:
                sizes[path] = None
            else:
                sizes[path] = st.st_size if stat.S_ISREG(st.st_mode) else None
        return sizes[path]

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        """The file's text, or None for symlinks, binaries, oversized or unreadable files.

        Symlinks are never followed: a link may point anywhere on the machine.
        """
        full = os.path.join(self._root_str, path)
        try:
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError:
            return None
        return decode_text(data)

    def display(self, path: str) -> str:
        """A path as it can be printed (undecodable bytes shown escaped)."""
        return printable(path)


_CONTROL = {i: f"\\x{i:02x}" for i in [*range(32), 127]}
_CONTROL.update({ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"})


def printable(path: str) -> str:
    """A path as it can be printed: undecodable bytes and control characters escaped, so a file
    name can never break (or forge) a line of output."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.translate(_CONTROL)


def decode_text(data: bytes) -> str | None:
    """Text of a blob, or None when it looks binary (a NUL byte in the first 8 KiB, like git)."""
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parsed_yaml(ctx, path: str):
    """``(text, data, problem)`` of a YAML file (``yamlload.load``), read and parsed once per
    context (a ``RepoContext``, or the Azure ML checker's) for every rule that looks at it:
    ``yaml-syntax`` and the Azure ML project both do."""
    parsed = ctx.cache.setdefault("yaml", {})
    if path not in parsed:
        from ..yamlload import load

        text = ctx.read_text(path)
        parsed[path] = (text, *load(text)) if text is not None else (None, None, None)
    return parsed[path]
