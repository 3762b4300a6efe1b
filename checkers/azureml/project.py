"""What the Azure ML rules look at: a project's components, pipelines, environments, conda specs
and infrastructure parameter files, recognised by their content and parsed with positions.

The rules share one :class:`Project` per check run (kept in ``ctx.cache``). A context is either the
repository checker's ``RepoContext`` or :class:`checkers.azureml.FilesContext` (single files); both
give ``root``, ``entries``, ``read_text`` and ``display``.
"""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..yamlnodes import CommentedMap

from ..repo.context import parsed_yaml
from ..yamlload import load, position

YAML_SUFFIXES = (".yml", ".yaml")
SYMLINK_MODE = "120000"

# Kinds of document this package checks.
COMPONENT, PIPELINE, ENVIRONMENT, CONDA, PARAMS = (
    "component", "pipeline", "environment", "conda", "params")


@dataclass
class Doc:
    path: str            # posix, relative to the root (or as given), as findings show it
    data: Any            # the parsed document (CommentedMap for the documents we check)
    kind: str | None
    text: str = ""
    checked: bool = True  # one of the files under check (False: only reached by a reference)


@dataclass
class Project:
    ctx: Any
    docs: dict[str, Doc] = field(default_factory=dict)
    _refs: dict[str, Doc | None] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx) -> "Project":
        project = ctx.cache.get("azureml-project")
        if project is None:
            project = cls(ctx)
            project._scan()
            ctx.cache["azureml-project"] = project
        return project

    # --- discovery ---------------------------------------------------------------------
    def _scan(self) -> None:
        for entry in self.ctx.entries:
            if entry.mode == SYMLINK_MODE:
                continue
            lower = entry.path.lower()
            if lower.endswith(YAML_SUFFIXES) or (lower.endswith(".json") and _is_params_name(lower)):
                doc = self._read(entry.path)
                if doc is not None and doc.kind is not None:
                    self.docs[entry.path] = doc

    def _read(self, path: str, checked: bool = True) -> Doc | None:
        if path.lower().endswith(".json"):
            text = self.ctx.read_text(path)
            return None if text is None else Doc(path, None, PARAMS, text, checked)
        text, data, problem = parsed_yaml(self.ctx, path)  # parsed once: yaml-syntax reads it too
        if text is None:
            return None
        if problem is not None or not isinstance(data, CommentedMap):
            return Doc(path, None, None, text, checked) if not checked else None
        return Doc(path, data, classify(path, data), text, checked)

    def of_kind(self, kind: str) -> list[Doc]:
        return [d for d in self.docs.values() if d.kind == kind]

    # --- references between files ------------------------------------------------------
    def resolve(self, base: str, ref: str) -> str | None:
        """``ref`` (relative to the folder of file ``base``) as a path under the root.

        None when it leaves the root in the repository checker (we never read outside the
        project); the single-file checker may follow it anywhere the user's files point.
        """
        ref = ref.strip()
        if ref.startswith("file:"):
            ref = ref[5:]
        if Path(ref).is_absolute():
            return ref if getattr(self.ctx, "allow_outside", False) else None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), ref))
        if (joined == ".." or joined.startswith("../")) and not getattr(self.ctx, "allow_outside", False):
            return None
        return joined

    def exists(self, path: str) -> bool:
        try:
            return (Path(self.ctx.root) / path).exists()
        except OSError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return (Path(self.ctx.root) / path).is_dir()
        except OSError:
            return False

    def referenced(self, path: str) -> Doc | None:
        """The document at ``path``, parsed, whether or not it is one of the checked files."""
        if path in self.docs:
            return self.docs[path]
        if path not in self._refs:
            doc = self._read(path, checked=False) if (Path(self.ctx.root) / path).is_file() else None
            self._refs[path] = doc
        return self._refs[path]


def is_pipeline_component(data) -> bool:
    schema = str(data.get("$schema") or "").lower().rstrip("#")
    return schema.endswith("/pipelinecomponent.schema.json")


def _is_params_name(lower: str) -> bool:
    name = lower.rsplit("/", 1)[-1]
    return name.startswith("params") or name.endswith(".parameters.json")


def classify(path: str, data: CommentedMap) -> str | None:
    """Which Azure ML document ``data`` is, from its ``$schema`` or, without one, its shape."""
    schema = str(data.get("$schema") or "").lower()
    if schema:
        name = schema.rstrip("#").rsplit("/", 1)[-1]
        if name == "commandcomponent.schema.json":
            return COMPONENT
        if name in ("pipelinejob.schema.json", "pipelinecomponent.schema.json") \
                and ("jobs" in data or "component" not in data):
            return PIPELINE
        if name == "environment.schema.json":
            return ENVIRONMENT
        return None  # another schema (a command job, an endpoint, a deployment ...)
    kind = data.get("type")
    if kind == "pipeline" and "jobs" in data:
        return PIPELINE
    if kind == "command" and "command" in data and "environment" in data:
        # a command *job* runs on a compute in an experiment; a component is a reusable step
        if "compute" in data or "experiment_name" in data:
            return None
        if "name" in data or "/components/" in f"/{path}":
            return COMPONENT
        return None
    if kind is None and "dependencies" in data and "jobs" not in data \
            and ("channels" in data or "conda" in path.lower().rsplit("/", 1)[-1]):
        return CONDA
    if kind is None and ("image" in data or "build" in data) and "conda_file" in data:
        return ENVIRONMENT
    return None


def load_json(text: str) -> tuple[Any, tuple[str, int, int] | None, Any]:
    """``(value, problem, positions)``: JSON's own verdict, and a position-aware copy of it."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (exc.msg, exc.lineno, exc.colno), None
    positions, problem = load(text)  # JSON is YAML 1.2: ruamel gives lines and columns
    return value, None, positions if problem is None else None


def pos(node: Any, key: Any = None, *, value: bool = False) -> tuple[int | None, int | None]:
    return position(node, key, value=value)


def where(node: Any, key: Any) -> tuple[int | None, int | None]:
    """The position of the value under ``key`` (of the key when the value has no position)."""
    line, col = position(node, key, value=True)
    if line is None:
        line, col = position(node, key)
    return line, col


def find_text(text: str, needle: str, line: int | None, col: int | None) -> tuple[int | None, int | None]:
    """Where ``needle`` first appears in ``text`` at or after (line, col): the exact position of
    a placeholder inside a multi-line (folded) command. Falls back to (line, col)."""
    if line is None:
        return line, col
    lines = text.split("\n")
    for number in range(line - 1, min(len(lines), line + 200)):
        start = (col - 1) if number == line - 1 and col else 0
        found = lines[number].find(needle, start)
        if found >= 0:
            return number + 1, found + 1
    return line, col


def closest(word: str, choices) -> str | None:
    import difflib

    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return match[0] if match else None
