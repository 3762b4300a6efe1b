"""What the workflow rules look at: one workflow file, parsed with positions."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..yamlload import YamlProblem, load, position

PATTERNS = ("train-on-push", "deploy-on-merge")
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class WorkflowContext:
    path: Path                  # the file on disk
    display: str                # the path as findings show it
    text: str
    data: Any = None            # the parsed document (ruamel CommentedMap) or None
    problem: YamlProblem | None = None
    pattern: str | None = None  # "train-on-push", "deploy-on-merge" or None (general checks)
    cache: dict = field(default_factory=dict)

    @classmethod
    def from_text(cls, path: Path, display: str, text: str, pattern: str | None = None):
        data, problem = load(text)
        return cls(path, display, text, data, problem, pattern)

    @property
    def ok(self) -> bool:
        """True when the document is a mapping the rules can walk."""
        return self.problem is None and isinstance(self.data, CommentedMap)

    @property
    def jobs(self) -> dict:
        jobs = self.data.get("jobs") if self.ok else None
        return jobs if isinstance(jobs, CommentedMap) else {}

    @property
    def on(self) -> Any:
        return self.data.get("on") if self.ok else None

    def pos(self, node: Any, key: Any = None, *, value: bool = False) -> tuple[int | None, int | None]:
        return position(node, key, value=value)

    def steps(self, job: Any) -> Iterator[tuple[int, CommentedMap]]:
        steps = job.get("steps") if isinstance(job, CommentedMap) else None
        if isinstance(steps, CommentedSeq):
            for i, step in enumerate(steps):
                if isinstance(step, CommentedMap):
                    yield i, step


def pattern_from_name(path: Path) -> str | None:
    stem = path.name.rsplit(".", 1)[0]
    return stem if stem in PATTERNS else None
