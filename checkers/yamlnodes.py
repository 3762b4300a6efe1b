"""The mapping and sequence types :mod:`checkers.yamlload` returns: ``dict`` and ``list`` that
know where they are in the file.

They keep the part of ruamel.yaml's ``CommentedMap``/``CommentedSeq`` API the checkers use,
``.lc.line``, ``.lc.col``, ``.lc.key(k)``, ``.lc.value(k)`` and ``.lc.item(i)`` (0-based), under
the same names, without importing ruamel.yaml (a fifth of `checkers workflow`'s start-up) or
paying for its per-node comment bookkeeping. Standard library only.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any



class LineCol:
    """0-based positions: of the node itself, and of each key and value (or item) in it."""

    __slots__ = ("line", "col", "data")

    def __init__(self, line: int | None = None, col: int | None = None) -> None:
        self.line, self.col = line, col
        self.data: dict[Any, tuple[int, ...]] = {}

    def key(self, k: Any) -> tuple[int, int]:
        data = self.data[k]
        return data[0], data[1]

    def value(self, k: Any) -> tuple[int, int]:
        data = self.data[k]
        return data[2], data[3]

    def item(self, idx: int) -> tuple[int, int]:
        data = self.data[idx]
        return data[0], data[1]

    def __repr__(self) -> str:
        return f"LineCol({self.line}, {self.col})"


class CommentedMap(dict):
    """A YAML mapping (insertion-ordered, as every ``dict``) with its positions in ``.lc``."""

    __slots__ = ("lc",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lc = LineCol()


class CommentedSeq(list):
    """A YAML sequence with its positions in ``.lc``."""

    __slots__ = ("lc",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lc = LineCol()


def from_ruamel(node: Any, memo: dict[int, Any] | None = None) -> Any:
    """ruamel.yaml's round-trip document as these types (aliases stay shared objects)."""
    memo = {} if memo is None else memo
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, dict):
        out: Any = CommentedMap()
    elif isinstance(node, list):
        out = CommentedSeq()
    else:
        return node
    memo[id(node)] = out
    lc = getattr(node, "lc", None)
    if lc is not None:
        out.lc.line, out.lc.col = lc.line, lc.col
        out.lc.data.update((k, tuple(v)) for k, v in (lc.data or {}).items())
    if isinstance(out, CommentedMap):
        for key, value in node.items():
            out[key] = from_ruamel(value, memo)
    else:
        out.extend(from_ruamel(item, memo) for item in node)
    return out
