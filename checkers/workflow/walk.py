"""Small helpers shared by the workflow rules: walking the document, expressions, steps."""
from __future__ import annotations

import re
from collections.abc import Iterator

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

EXPRESSION = regexcache.compile(r"\$\{\{(.*?)\}\}", re.S)


def scalars(node: Any, parent: Any = None, key: Any = None, _seen: set | None = None
            ) -> list[tuple[Any, Any, str]]:
    """(container, key, string value) for every string in the document, each node once.

    Walks with the builtin dict and list methods: ruamel's overrides (merge keys, slicing) cost
    more than the walk itself, and the documents we build have no merge keys. The result for a
    whole document is computed once and reused by every rule (see ``WorkflowContext.scalars``).
    """
    found: list[tuple[Any, Any, str]] = []
    seen = set() if _seen is None else _seen
    stack = [(node, parent, key)]
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, str):
            if parent is not None:
                found.append((parent, key, node))
        elif isinstance(node, dict):
            if id(node) in seen:
                continue  # shared by an alias: already walked
            seen.add(id(node))
            stack.extend((v, node, k) for k, v in reversed(list(dict.items(node))))
        elif isinstance(node, list):
            if id(node) in seen:
                continue
            seen.add(id(node))
            items = list.__iter__(node)
            stack.extend((v, node, i) for i, v in reversed(list(enumerate(items))))
    return found


def close_matches(word: str, choices, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``, imported on first use: only a mistake needs a suggestion."""
    from difflib import get_close_matches

    return get_close_matches(word, choices, n=n, cutoff=cutoff)


# A `uses:` that names this repository's own files, not a published action: `./x` (the checked
# out workspace) or `$/x` (GitHub's self-repository syntax: this repository at the running
# commit, no checkout; github.blog changelog 2026-07-30). Neither takes an `@ref`.
LOCAL_USES = ("./", "$/")


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
