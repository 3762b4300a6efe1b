"""A fast path for :mod:`checkers.yamlload`: libyaml parses, we build position-aware types.

ruamel.yaml's round-trip loader is pure Python (about 40 ms for a 150-line workflow);
libyaml, through PyYAML, composes the same document in about 1 ms. We take libyaml's node
tree, whose every node carries its start line and column, and build ``CommentedMap`` and
``CommentedSeq`` (:mod:`checkers.yamlnodes`) with the same ``.lc`` positions ruamel would give,
resolving plain scalars with YAML 1.2's core schema (so ``on:`` stays the string ``"on"``, not
the boolean PyYAML's YAML 1.1 resolver would make it). Aliases share one object, as in ruamel:
nothing is expanded.
"""
from __future__ import annotations

import math
import re

from . import regexcache

yaml = regexcache.import_module("yaml")
from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # noqa: E402

from .yamlnodes import CommentedMap, CommentedSeq, LineCol

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

LOADER = getattr(yaml, "CSafeLoader", None)


if LOADER is not None:
    from yaml.cyaml import CParser
    from yaml.resolver import BaseResolver

    class Composer(CParser, BaseResolver):
        """libyaml's composer without PyYAML's YAML 1.1 tag guessing (a dozen regular
        expressions per plain scalar): :func:`resolve` decides what a plain scalar is.

        libyaml still asks the resolver for every node's tag (three calls per node); the tag
        of a node without an explicit one is never read, so those calls do nothing."""

        def resolve(self, kind, value, implicit):
            return None

        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass
else:
    Composer = None

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_STR_TAG = "tag:yaml.org,2002:str"


class DuplicateKey(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line, self.column = line, column


# The first characters of a plain scalar that can be anything but a string (null, booleans,
# numbers, .inf, .nan): any other plain scalar is a string without trying each pattern.
_NOT_STRING_START = frozenset("~nNtTfF0123456789+-.")


def resolve(node: ScalarNode) -> Any:
    """A scalar's value under YAML 1.2's core schema (quoted and explicitly !!str: a string)."""
    value = node.value
    if node.style or node.tag == _STR_TAG and not _implicit(node):
        return value
    if value and value[0] not in _NOT_STRING_START:
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _implicit(node: ScalarNode) -> bool:
    # libyaml tags a plain scalar with the YAML 1.1 resolver's guess; only an explicit `!!str`
    # in the text makes a plain scalar a string for sure, and libyaml does not tell us which.
    return True


def build(node: Any, memo: dict[int, Any] | None = None) -> Any:
    memo = {} if memo is None else memo
    if node is None:
        return None
    if type(node) is ScalarNode:  # (scalars are immutable: an alias to one needs no memo)
        return resolve(node)
    if id(node) in memo:
        return memo[id(node)]
    mark = node.start_mark
    # Built without their __init__ (which would make a LineCol only to replace it here).
    if isinstance(node, SequenceNode):
        seq = list.__new__(CommentedSeq)
        memo[id(node)] = seq
        seq.lc = lc = LineCol(mark.line, mark.column)
        data = lc.data
        for i, item in enumerate(node.value):
            seq.append(resolve(item) if type(item) is ScalarNode else build(item, memo))
            item_mark = item.start_mark
            data[i] = (item_mark.line, item_mark.column)
        return seq
    mapping = dict.__new__(CommentedMap)
    memo[id(node)] = mapping
    mapping.lc = lc = LineCol(mark.line, mark.column)
    data = lc.data
    for key_node, value_node in node.value:
        key_mark = key_node.start_mark
        if type(key_node) is ScalarNode:
            key = resolve(key_node)
        else:
            key = build(key_node, memo)
            if isinstance(key, (CommentedMap, CommentedSeq)):
                raise DuplicateKey("a mapping key must be a scalar, not a collection",
                                   key_mark.line + 1, key_mark.column + 1)
        value = resolve(value_node) if type(value_node) is ScalarNode else build(value_node, memo)
        if key in mapping:
            # Values are not quoted: a duplicated `password:` must not print the password.
            first = lc.key(key)[0] + 1
            raise DuplicateKey(f'found duplicate key "{key}" (first defined on line {first})',
                               key_mark.line + 1, key_mark.column + 1)
        mapping[key] = value
        value_mark = value_node.start_mark
        data[key] = (key_mark.line, key_mark.column, value_mark.line, value_mark.column)
    return mapping


def events(text: str):
    return yaml.parse(text, Loader=LOADER)


def compose(text: str):
    loader = Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
