"""Azure ML assets as code: components, pipeline jobs, environments, conda specs and the Bicep
parameter files, checked offline (``checkers azureml FILE...``, and as part of ``checkers repo``).

The rules are repository rules (scope ``repo``): ``checkers repo`` runs them on every tracked
file. :func:`check_files` runs the same rules on the files named, following their references
(a pipeline's component files, an environment's conda file) wherever they lead.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..findings import Result

__all__ = ["check_files", "check_texts", "CheckError", "FilesContext", "RULE_PREFIX"]

RULE_PREFIX = "azureml-"
MAX_READ = 1024 * 1024


class CheckError(Exception):
    """A named file cannot be checked at all (missing or unreadable)."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    mode: str = "100644"


@dataclass
class FilesContext:
    """The context of ``checkers azureml FILE...``: the files named, relative to ``root``."""

    root: Path
    entries: list[FileEntry]
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    allow_outside = True  # the user named these files: their references may lead anywhere
    is_git = False

    @property
    def paths(self) -> set[str]:
        return {e.path for e in self.entries}

    def read_text(self, path: str, limit: int = MAX_READ) -> str | None:
        from ..repo.context import decode_text

        full = self.root / path
        try:
            st = os.stat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            with open(full, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError:
            return None
        return decode_text(data)

    def display(self, path: str) -> str:
        from ..repo.context import printable

        return printable(path)


def _display(raw: str, root: Path) -> str:
    path = Path(raw)
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def rules(select: Iterable[str] | None = None, ignore: Iterable[str] = ()):
    from ..registry import all_rules

    wanted = [r for r in all_rules("repo") if r.id.startswith(RULE_PREFIX) or r.id == "yaml-syntax"]
    ignored = set(ignore)
    chosen = set(select or ())
    return [r for r in wanted if r.id not in ignored and (not chosen or r.id in chosen)]


def check_files(paths: Iterable[str | Path], *, select: Iterable[str] | None = None,
                ignore: Iterable[str] = (), root: str | Path | None = None) -> Result:
    """Check Azure ML files (components, pipelines, environments, conda specs, parameter files).

    Folders are walked for ``*.yml``, ``*.yaml`` and ``params*.json``. Findings name files
    relative to ``root`` (default: the current folder) when they are inside it.
    """
    base = Path(root or os.getcwd()).resolve()
    entries: list[FileEntry] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise CheckError(f"{raw}: no such file or directory")
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
                for name in sorted(filenames):
                    if name.lower().endswith((".yml", ".yaml", ".json", ".bicep")):
                        entries.append(FileEntry(_display(os.path.join(dirpath, name), base)))
            continue
        if not os.access(path, os.R_OK):
            raise CheckError(f"{raw}: cannot be read (permission denied)")
        entries.append(FileEntry(_display(str(path), base)))
    unique = list(dict.fromkeys(entries))
    ctx = FilesContext(root=base, entries=unique)
    findings = [f for r in rules(select, ignore) for f in r.run(ctx)]
    return Result(findings=findings, root=str(base), notes=ctx.notes)


def check_texts(files: dict[str, str], *, base: str | Path | None = None,
                select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> Result:
    """Check YAML/JSON text as if saved at the given relative paths (a learner's answer in a
    notebook), inside a temporary copy of the project ``base`` (e.g. sample_repo) when given, so
    that its components, scripts and ``main.bicep`` are there to be referenced. Only the files
    in ``files`` are checked; nothing is written outside the temporary folder."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="azureml-check-") as tmp:
        root = Path(tmp)
        if base is not None:
            shutil.copytree(base, root, dirs_exist_ok=True, symlinks=True, ignore=shutil.ignore_patterns(
                ".git", "outputs", "data", "mlruns", "__pycache__", ".venv"))
        for rel, text in files.items():
            target = (root / rel).resolve()
            if root.resolve() not in target.parents:
                raise CheckError(f"{rel}: must be a relative path inside the project")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        result = check_files([root / rel for rel in files], select=select, ignore=ignore, root=root)
        result.root = str(base) if base is not None else None
        return result
