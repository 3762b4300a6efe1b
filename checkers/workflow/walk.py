"""Small helpers shared by the workflow rules: walking the document, expressions, steps."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ruamel.yaml.comments import CommentedMap, CommentedSeq

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def scalars(node: Any, parent: Any = None, key: Any = None, _seen: set | None = None
            ) -> Iterator[tuple[Any, Any, str]]:
    """(container, key, string value) for every string in the document, each node once."""
    seen = set() if _seen is None else _seen
    if id(node) in seen:
        return  # shared by an alias: already walked
    if isinstance(node, CommentedMap):
        seen.add(id(node))
        for k, v in node.items():
            yield from scalars(v, node, k, seen)
    elif isinstance(node, CommentedSeq):
        seen.add(id(node))
        for i, v in enumerate(node):
            yield from scalars(v, node, i, seen)
    elif isinstance(node, str) and parent is not None:
        yield parent, key, node


def uses(step: CommentedMap) -> tuple[str, str | None]:
    """``owner/repo`` (lower-cased, path kept) and the ref of a step's ``uses:``."""
    value = step.get("uses")
    if not isinstance(value, str):
        return "", None
    action, _, ref = value.partition("@")
    return action.strip().lower(), (ref.strip() or None) if "@" in value else None


def is_action(step: CommentedMap, name: str) -> bool:
    action, _ = uses(step)
    return action == name or action.startswith(name + "/")


def run_text(step: CommentedMap) -> str:
    run = step.get("run")
    return run if isinstance(run, str) else ""


def job_needs(job: Any) -> list[str]:
    needs = job.get("needs") if isinstance(job, CommentedMap) else None
    if isinstance(needs, str):
        return [needs]
    if isinstance(needs, CommentedSeq):
        return [n for n in needs if isinstance(n, str)]
    return []


def env_chain(*levels: Any) -> dict[str, str]:
    """The environment a step sees: workflow, then job, then step ``env:`` (later wins)."""
    env: dict[str, str] = {}
    for level in levels:
        values = level.get("env") if isinstance(level, CommentedMap) else None
        if isinstance(values, CommentedMap):
            env.update({str(k): str(v) for k, v in values.items()})
    return env
