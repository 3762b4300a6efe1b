"""YAML with positions: YAML 1.2 (``on:`` stays a string key), lines and columns 1-based.

A document that is not valid YAML is reported as a :class:`YamlProblem` at the offending line,
never raised: callers turn it into a finding of their ``*-syntax`` rule. Mappings and sequences
come as :mod:`checkers.yamlnodes`' ``CommentedMap``/``CommentedSeq`` (re-exported here), whichever
parser read them: libyaml (through PyYAML) when it is there, else ruamel.yaml.
"""
from __future__ import annotations

import re

from .records import Record
from .yamlnodes import CommentedMap, CommentedSeq, from_ruamel

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CommentedMap", "CommentedSeq", "YamlProblem", "load", "position"]

try:  # libyaml is 30-40x faster than ruamel's pure-Python round-trip loader
    from . import yamlfast as _fast

    if _fast.LOADER is None:
        _fast = None
except ImportError:
    _fast = None

# Anchors and aliases are legitimate YAML, but a handful of nested aliases can expand a document
# exponentially ("billion laughs"), and even building it takes exponential time. We count the
# nodes the document would expand to, from the event stream, before building anything.
MAX_EXPANDED_NODES = 100_000
# Where an alias can start a node (after a space, `[`, `{`, `,` or `:`); a `*` inside a glob such
# as 'src/**' cannot, and most workflows have such globs: they skip the counting pass.
_ALIAS = re.compile(r"(?:^|[\s\[{,:])\*[^\s\]},]", re.M)


def has_alias(text: str) -> bool:
    """``_ALIAS.search(text)``, looking only at the few `*` of a text (``re`` would try the
    pattern at every position: its first part is a class, not a character to look for)."""
    pos = text.find("*")
    while pos >= 0:
        before = text[pos - 1] if pos else "\n"
        after = text[pos + 1:pos + 2]
        if (before.isspace() or before in "[{,:") and after and not (
                after.isspace() or after in "]},"):
            return True
        pos = text.find("*", pos + 1)
    return False


class YamlProblem(Record):
    FIELDS = ("message", "line", "column")

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        self._set(message, line, column)


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def load(text: str) -> tuple[Any, YamlProblem | None]:
    """Parse one YAML document. Returns ``(data, None)`` or ``(None, problem)``."""
    if "\x00" in text:
        return None, YamlProblem("the file contains NUL bytes; it is not a text YAML file", 1, 1)
    if _fast is not None:
        return _load_fast(text)
    return _load_ruamel(text)


MULTI_DOCUMENT = "expected a single document in the stream"


def stream_problem(text: str) -> YamlProblem | None:
    """The problem of a YAML stream read as the several documents ``---`` separates (a
    Kubernetes manifest), or None when every one of them is valid YAML."""
    if "\x00" in text:
        return load(text)[1]
    return _load_ruamel(text, stream=True)[1]


def _load_ruamel(text: str, stream: bool = False) -> tuple[Any, YamlProblem | None]:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = _yaml()
    try:
        if has_alias(text) and expanded_size(yaml.parse(text)) > MAX_EXPANDED_NODES:
            return None, YamlProblem(
                f"the document's YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); refusing to read it", 1, 1)
        if stream:
            return [from_ruamel(doc) for doc in yaml.load_all(text)], None
        return from_ruamel(yaml.load(text)), None
    except RecursiveAlias as exc:
        return None, YamlProblem(str(exc), exc.line, exc.column)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "duplicate key" not in exc.problem:
            problem = f"{problem} ({exc.context})"
        mark, problem = _missing_colon(exc, mark, problem)
        # ruamel quotes both values of a duplicate key: never print what may be a password
        problem = re.sub(r'(found duplicate key "[^"]*") with value .*', r"\1", problem)
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        return None, YamlProblem(problem.strip(), line, column)
    except YAMLError as exc:  # errors without a position (reader errors and the like)
        return None, YamlProblem(str(exc).splitlines()[0], 1, 1)
    except RecursionError:
        return None, YamlProblem("the document is nested too deeply to read", 1, 1)


def _missing_colon(exc, mark, problem: str):
    """A key written without its `:` is where the scanner *started* the key (the context mark);
    the problem mark is where it gave up, a line further down, which shows nothing wrong."""
    start = exc.context_mark
    if start is None or "could not find expected ':'" not in problem or "simple key" not in problem:
        return mark, problem
    return start, ("this line's key has no `:` after it (YAML looked for the `:` until line "
                   f"{mark.line + 1}: could not find expected ':')" if mark else problem)


def _load_fast(text: str) -> tuple[Any, YamlProblem | None]:
    import yaml as pyyaml

    try:
        if has_alias(text) and expanded_size(_fast.events(text)) > MAX_EXPANDED_NODES:
            return None, YamlProblem(
                f"the document's YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); refusing to read it", 1, 1)
        return _fast.build(_fast.compose(text)), None
    except (_fast.DuplicateKey, RecursiveAlias) as exc:
        return None, YamlProblem(str(exc), exc.line, exc.column)
    except pyyaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark and "cannot start any token" in problem and _char_at(text, mark) == "\t":
            problem = "found a tab character, which YAML does not allow for indentation"
        elif exc.context and exc.problem:
            problem = f"{problem} ({exc.context})"
        mark, problem = _missing_colon(exc, mark, problem)
        return None, YamlProblem(problem.strip(), mark.line + 1 if mark else None,
                                 mark.column + 1 if mark else None)
    except pyyaml.YAMLError as exc:  # reader errors: unprintable characters and the like
        mark = getattr(exc, "position", None)
        return None, YamlProblem(str(exc).splitlines()[0], 1, 1)
    except RecursionError:
        return None, YamlProblem("the document is nested too deeply to read", 1, 1)


class RecursiveAlias(Exception):
    def __init__(self, anchor: str, mark):
        super().__init__(f"the alias *{anchor} refers to a node that contains it (an infinite, "
                         "recursive document)")
        self.line, self.column = mark.line + 1, mark.column + 1


def _char_at(text: str, mark) -> str:
    lines = text.split("\n")
    return lines[mark.line][mark.column: mark.column + 1] if mark.line < len(lines) else ""


def expanded_size(events, limit: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes a document has once every alias is expanded (stops past ``limit``).

    ``events`` is a parser's event stream, ruamel's or PyYAML's: both name their event classes
    alike. Raises :class:`RecursiveAlias` for an alias inside the node its anchor names.
    """
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]  # [anchor, nodes so far] per open collection
    for event in events:
        kind = type(event).__name__
        if kind == "ScalarEvent":
            stack[-1][1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif kind == "AliasEvent":
            if any(frame[0] == event.anchor for frame in stack):
                raise RecursiveAlias(event.anchor, event.start_mark)
            stack[-1][1] += sizes.get(event.anchor, 1)
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            stack.append([event.anchor, 1])
        elif kind in ("MappingEndEvent", "SequenceEndEvent") and len(stack) > 1:
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            stack[-1][1] += size
        if stack[-1][1] > limit:
            return stack[-1][1]
    return stack[0][1]


def position(node: Any, key: Any = None, *, value: bool = False) -> tuple[int | None, int | None]:
    """1-based (line, column) of ``node``, of its ``key``, or of the value under ``key``."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None, None
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(node, dict):  # ours, or ruamel's own (a subclass of dict too)
            line, col = lc.value(key) if value else lc.key(key)
        elif isinstance(node, list):
            line, col = lc.item(key)
        else:
            return None, None
    except (KeyError, IndexError, TypeError):
        return None, None
    return line + 1, col + 1
