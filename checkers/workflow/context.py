"""What the workflow rules look at: one workflow file, parsed with positions."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..yamlnodes import CommentedMap, CommentedSeq

from ..records import Record
from ..yamlload import YamlProblem, load, position

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

PATTERNS = ("train-on-push", "deploy-on-merge")
MAX_BYTES = 2 * 1024 * 1024


class WorkflowContext(Record):
    FIELDS = ("path", "display", "text", "data", "problem", "pattern", "cache")
    FROZEN = False

    def __init__(self, path: Path, display: str, text: str, data: Any = None,
                 problem: YamlProblem | None = None, pattern: str | None = None,
                 cache: dict | None = None) -> None:
        self.path = path            # the file on disk
        self.display = display      # the path as findings show it
        self.text = text
        self.data = data            # the parsed document (a CommentedMap) or None
        self.problem = problem
        self.pattern = pattern      # "train-on-push", "deploy-on-merge" or None (general checks)
        self.cache = {} if cache is None else cache

    @classmethod
    def from_text(cls, path: Path, display: str, text: str, pattern: str | None = None):
        data, problem = load(text)
        if problem and "duplicate anchor" in problem.message:
            data, problem = load_redefined_anchors(text, problem)
        return cls(path, display, text, data, problem, pattern)

    @property
    def ok(self) -> bool:
        """True when the document is a mapping the rules can walk."""
        return self.problem is None and isinstance(self.data, CommentedMap)

    @property
    def is_action(self) -> bool:
        """True for an action's metadata file (``runs:`` with ``using:``, no ``on:``/``jobs:``),
        such as DeepSpeed's ``.github/workflows/setup-venv/action.yml``: GitHub runs only the
        files directly in ``.github/workflows/`` as workflows, and reads this one when a step
        says ``uses: ./.github/workflows/setup-venv``. Directly in that folder it is not: GitHub
        reads it as a workflow there, and rejects it."""
        folder = self.path.parent
        if folder.name == "workflows" and folder.parent.name == ".github":
            return False
        if not self.ok or "on" in self.data or "jobs" in self.data:
            return False
        runs = self.data.get("runs")
        return isinstance(runs, CommentedMap) and "using" in runs

    @property
    def jobs(self) -> dict:
        if "jobs" not in self.cache:  # asked by every rule: looked up once
            jobs = self.data.get("jobs") if self.ok else None
            self.cache["jobs"] = jobs if isinstance(jobs, CommentedMap) else {}
        return self.cache["jobs"]

    @property
    def on(self) -> Any:
        return self.data.get("on") if self.ok else None

    @property
    def lines(self) -> list[str]:
        """The file's text as lines (split once, for the rules that quote a line)."""
        if "lines" not in self.cache:
            self.cache["lines"] = self.text.splitlines()
        return self.cache["lines"]

    def scalars(self) -> list:
        """Every string of the document with its container and key, walked once per file."""
        if "scalars" not in self.cache:
            from .walk import scalars

            self.cache["scalars"] = scalars(self.data) if self.ok else []
        return self.cache["scalars"]

    def pos(self, node: Any, key: Any = None, *, value: bool = False) -> tuple[int | None, int | None]:
        return position(node, key, value=value)

    def steps(self, job: Any) -> Iterator[tuple[int, CommentedMap]]:
        steps = job.get("steps") if isinstance(job, CommentedMap) else None
        if isinstance(steps, CommentedSeq):
            for i, step in enumerate(steps):
                if isinstance(step, CommentedMap):
                    yield i, step


def decode(data: bytes) -> tuple[str, YamlProblem | None]:
    """A workflow file's bytes as text, or why GitHub cannot read it (shared by ``checkers
    workflow`` and ``checkers trigger``, so that both agree on what GitHub can read)."""
    if len(data) > MAX_BYTES:
        return "", YamlProblem(f"the file is larger than {MAX_BYTES // 1024 // 1024} MiB: not a "
                               "workflow GitHub would read", 1, 1)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", YamlProblem("the file is not valid UTF-8 text, which GitHub requires of "
                               "workflows", line, exc.start - data.rfind(b"\n", 0, exc.start))


def load_redefined_anchors(text: str, problem: YamlProblem) -> tuple[Any, YamlProblem | None]:
    """The document when its only fault is a redefined anchor, which YAML allows and GitHub
    accepts (an alias refers to the latest definition); PyYAML's composer refuses it."""
    try:
        import yaml
        from yaml.composer import Composer
        from yaml.events import AliasEvent

        from .. import yamlfast
    except ImportError:
        return None, problem
    if yamlfast.LOADER is None:
        return None, problem
    from yaml.cyaml import CParser
    from yaml.resolver import Resolver

    class Redefining(CParser, Composer, Resolver):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

        def compose_node(self, parent, index):
            if not self.check_event(AliasEvent):
                anchor = self.peek_event().anchor
                if anchor is not None:
                    self.anchors.pop(anchor, None)  # a redefinition replaces the old one
            return Composer.compose_node(self, parent, index)

        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

    try:
        loader = Redefining(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        return yamlfast.build(node), None
    except (yaml.YAMLError, yamlfast.DuplicateKey, RecursionError):
        return None, problem


def pattern_from_name(path: Path) -> str | None:
    stem = path.name.rsplit(".", 1)[0]
    return stem if stem in PATTERNS else None
