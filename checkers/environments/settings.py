"""``.github/settings.yml``: GitHub environments written as code, read with positions.

The format is the ``environments:`` list of the Repository Settings app (``repository-settings/
app``, formerly ``probot/settings``) and of ``github/safe-settings``, which pass it on to GitHub's
REST API ("Create or update an environment")::

    environments:
      - name: production
        wait_timer: 30                  # minutes, 0..43,200
        prevent_self_review: true
        reviewers:                      # up to 6; one approval is enough
          - type: Team                  # or User
            id: 1234567                 # the numeric id, not the name
        deployment_branch_policy:       # omitted or null: every branch may deploy
          protected_branches: false     # exactly one of the two is true
          custom_branch_policies: true
          custom_branches: [main]       # the app's list of allowed branch (or tag) patterns

Both dialects of the allowed patterns are read: the app's ``custom_branches`` (strings, or
``{name, type}``) and safe-settings' ``custom_branch_policies`` as a list of ``{names, type}``.
Nothing here decides what is right or wrong; the rules in :mod:`.rules` do.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..yamlnodes import CommentedMap, CommentedSeq

from ..yamlload import YamlProblem, load, position

SETTINGS_PATHS = (".github/settings.yml", ".github/settings.yaml")
MAX_BYTES = 1024 * 1024
ENV_KEYS = ("name", "wait_timer", "prevent_self_review", "reviewers", "deployment_branch_policy",
            "can_admins_bypass", "variables", "deployment_protection_rules")
POLICY_KEYS = ("protected_branches", "custom_branch_policies", "custom_branches")
REVIEWER_TYPES = ("User", "Team")


class SettingsError(Exception):
    """The settings file cannot be read at all (missing, a folder, unreadable, binary)."""


@dataclass
class Reviewer:
    type: Any
    id: Any
    line: int | None = None
    column: int | None = None

    def label(self) -> str:
        return f"{self.type} {self.id}"


@dataclass
class BranchPolicy:
    """``deployment_branch_policy``; a flag left out of the file is None."""

    protected_branches: Any = None
    custom_branch_policies: Any = None
    patterns: list[tuple[str, str]] | None = None   # (pattern, "branch" | "tag"); None: not listed
    node: Any = None

    @property
    def protected(self) -> bool:
        return self.protected_branches is True

    @property
    def custom(self) -> bool:
        """Custom patterns are on: the flag, safe-settings' list, or the app's bare list."""
        if self.custom_branch_policies is True or isinstance(self.custom_branch_policies, list):
            return True
        return self.custom_branch_policies is None and self.patterns is not None

    def allows_branch(self, branch: str) -> bool | None:
        """May ``branch`` deploy? None when this file cannot tell (branch protection, or
        patterns kept outside the file)."""
        if self.protected and not self.custom:
            return None
        if not self.custom:
            return True
        if self.patterns is None:
            return None
        return any(kind == "branch" and fnmatch_ref(pattern, branch)
                   for pattern, kind in self.patterns)


@dataclass
class Environment:
    name: str
    node: CommentedMap
    index: int
    wait_timer: Any = 0
    prevent_self_review: Any = False
    reviewers: list[Reviewer] = field(default_factory=list)
    branch_policy: BranchPolicy | None = None

    @property
    def key(self) -> str:
        """GitHub's environment names are not case sensitive."""
        return self.name.lower()

    def pos(self, key: str | None = None, *, value: bool = False):
        if key is None or key not in self.node:
            return position(self.node, "name") if "name" in self.node else position(self.node)
        return position(self.node, key, value=value)

    @property
    def wait_minutes(self) -> int:
        ok = isinstance(self.wait_timer, int) and not isinstance(self.wait_timer, bool)
        return self.wait_timer if ok and self.wait_timer > 0 else 0


@dataclass
class Settings:
    """One settings file: its text, the parsed document, and its environments."""

    display: str
    text: str
    data: Any = None
    problem: YamlProblem | None = None
    environments: list[Environment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, display: str = ".github/settings.yml") -> "Settings":
        data, problem = load(text)
        settings = cls(display, text, data, problem)
        if problem is None:
            settings.environments = list(_environments(data))
        return settings

    @classmethod
    def from_path(cls, path: str | Path, display: str | None = None) -> "Settings":
        return cls.from_text(read_text(Path(path)), display or str(path))

    def get(self, name: str) -> Environment | None:
        for env in self.environments:
            if env.key == name.lower():
                return env
        return None

    @property
    def names(self) -> list[str]:
        return [env.name for env in self.environments]

    @property
    def environments_node(self) -> Any:
        return self.data.get("environments") if isinstance(self.data, CommentedMap) else None


def read_text(path: Path) -> str:
    """The file's text; :class:`SettingsError` with a one-line reason when it cannot be read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise SettingsError(f"{path}: not a file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise SettingsError(f"{path}: larger than {MAX_BYTES // 1024 // 1024} MiB; not a settings file")
    if b"\0" in data:
        raise SettingsError(f"{path}: a binary file, not YAML text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(f"{path}:{line}: not valid UTF-8 text") from None


def _environments(data: Any):
    envs = data.get("environments") if isinstance(data, CommentedMap) else None
    if not isinstance(envs, CommentedSeq):
        return
    for index, node in enumerate(envs):
        if not isinstance(node, CommentedMap) or not isinstance(node.get("name"), str) \
                or not node["name"].strip():
            continue
        env = Environment(node["name"].strip(), node, index,
                          wait_timer=node.get("wait_timer", 0),
                          prevent_self_review=node.get("prevent_self_review", False))
        reviewers = node.get("reviewers")
        if isinstance(reviewers, CommentedSeq):
            for i, item in enumerate(reviewers):
                line, col = position(reviewers, i)
                if isinstance(item, CommentedMap):
                    env.reviewers.append(Reviewer(item.get("type"), item.get("id"), line, col))
                else:
                    env.reviewers.append(Reviewer(None, item, line, col))
        policy = node.get("deployment_branch_policy")
        if isinstance(policy, CommentedMap):
            env.branch_policy = _policy(policy)
        yield env


def _policy(node: CommentedMap) -> BranchPolicy:
    custom = node.get("custom_branch_policies")
    patterns: list[tuple[str, str]] | None = None
    listed = [node["custom_branches"]] if isinstance(node.get("custom_branches"), CommentedSeq) else []
    if isinstance(custom, CommentedSeq):
        listed.append(custom)
    for items in listed:
        patterns = patterns or []
        for item in items:
            if isinstance(item, str):
                patterns.append((item, "branch"))
            elif isinstance(item, CommentedMap):
                kind = str(item.get("type", "branch"))
                names = item.get("names", [item.get("name")])
                names = [names] if isinstance(names, str) else names
                if isinstance(names, list):
                    patterns.extend((str(n), kind) for n in names if isinstance(n, str))
    return BranchPolicy(node.get("protected_branches"), custom, patterns, node)


def fnmatch_ref(pattern: str, name: str) -> bool:
    """GitHub's deployment branch and tag patterns (Ruby's ``File.fnmatch`` with
    ``FNM_PATHNAME``): ``*`` and ``?`` never match ``/`` (``release/*/*`` is needed for
    ``release/1/2``), ``**/`` matches any number of folders, ``[...]`` is a class."""
    import re

    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if c == "*":
            while pattern.startswith("*", i + 1):
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and pattern.find("]", i + 1) > i + 1:
            end = pattern.find("]", i + 1)
            body = pattern[i + 1:end].replace("\\", "\\\\")
            out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.fullmatch("".join(out), name) is not None
