"""Which submissions may run long, read from their code before anything runs: the order of a
first grading.

A cell that never ends costs its worker the whole cell timeout (15 s, against about 3 s for a
typical module 01 submission). Graded last, such a submission keeps one worker busy while the
others have nothing left to do; graded first, the others share the rest of the class meanwhile.
A regrade knows each submission's last time (``.grading/seconds.json``); a first grading knows
only what the submissions show, and they show the usual ways a cell does not end: a loop with
no way out (``while True`` without ``break``, ``for ... in itertools.count()``), a long sleep, and
the same in the shell scripts answers hand over (``while true; do ...; done``, ``sleep 300``).

The guess only orders the work: each submission is graded alone, in a sandbox of its own, so
the order never changes a score. A wrong guess costs only time (a submission flagged by
mistake is merely graded early; a missed loop is graded in name order, as without a guess).
Only cells that differ from the release count: the course's own code is never the learner's loop.
"""
from __future__ import annotations

import ast
import bisect
import functools
import json
import re
from pathlib import Path

# shell loops with no condition that can end them, and waits; in scripts handed over as strings
_SHELL_ENDLESS = re.compile(
    r"\bwhile\s+(?:true|:|\[\s*1\s*\]|\(\(\s*1\s*\)\))\s*[;\n]\s*do\b"
    r"|\buntil\s+false\s*[;\n]\s*do\b"
    r"|\bfor\s*\(\(\s*;\s*;\s*\)\)"
    r"|\btail\s+(?:-\w*\s+)*-\w*[fF]\b"
    r"|\bsleep\s+inf(?:inity)?\b")
_WORD = re.compile(r"\w+")
_SHELL_EXIT = re.compile(r"\b(?:break|exit|return)\b")
_SHELL_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d*)?)\b")
_ENDLESS_ITERATORS = {"count", "cycle"}  # itertools' iterators that never end on their own
# a cell without any of these words cannot hold what is looked for: not parsed (most cells)
_WORTH_A_LOOK = re.compile(r"\b(?:while|until|sleep|tail|count|cycle|iter)\b|\bfor\s*\(\(|^\s*!",
                           re.MULTILINE)


def extra_seconds(folder: Path, release: Path, timeout: float) -> float:
    """Seconds the submission in ``folder`` may take beyond a typical one: ``timeout`` for each
    changed cell that may never end, the length of each long sleep (at most ``timeout``); a
    script that never ends costs that in every later cell that names it (its self-check, a
    try-it cell and its graded cell each run it until the cell timeout)."""
    total = 0.0
    for path in sorted(folder.glob("*.ipynb")):
        given = _release_cells(release / path.name)
        try:
            cells = json.loads(path.read_text(encoding="utf-8", errors="replace")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue  # unreadable: nbgrader reports it at once
        code = [_text(c.get("source")) for c in (cells if isinstance(cells, list) else [])
                if isinstance(c, dict) and c.get("cell_type") == "code"]
        naming: dict[str, list[int]] = {}  # a name -> the code cells that name it, in order
        for n, source in enumerate(code):
            for word in set(_WORD.findall(source)):
                naming.setdefault(word, []).append(n)
        for n, source in enumerate(code):
            if _WORTH_A_LOOK.search(source) and source.strip() not in given:
                def uses(name: str, after: int = n) -> int:
                    found = naming.get(name, [])
                    return len(found) - bisect.bisect_right(found, after)
                total += cell_seconds(source, timeout, uses=uses)
    return total


def cell_seconds(source: str, timeout: float, uses=lambda name: 0) -> float:
    """What one code cell may cost beyond a typical cell: 0, a sleep's length, or ``timeout``;
    a script string it assigns to a name costs that once for each later cell that names it
    (``uses(name)``; once if none does: the grader's own check still runs it)."""
    python, shell = [], []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("!"):  # IPython shell escape: a shell line, not Python
            shell.append((stripped[1:], ()))
            python.append("")
        elif stripped.startswith("%"):  # a magic: not Python either
            python.append("")
        else:
            python.append(line)
    try:
        tree = ast.parse("\n".join(python))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0.0  # it stops at once, with a SyntaxError
    cost = 0.0
    named: dict[int, tuple] = {}  # a string constant -> the names it is assigned to
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and _always(node.test) and not _leaves(node.body):
            return timeout
        if isinstance(node, ast.For) and _endless_iterator(node.iter) and not _leaves(node.body):
            return timeout
        if isinstance(node, ast.Call) and _name(node.func) == "sleep" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float)):
                cost = max(cost, min(float(arg.value), timeout))
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = tuple(t.id for t in targets if isinstance(t, ast.Name))
            for inner in ast.walk(node.value):
                named[id(inner)] = names
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            shell.append((node.value, named.get(id(node), ())))
    for script, names in shell:
        if _SHELL_ENDLESS.search(script) and not _SHELL_EXIT.search(script):
            once = timeout
        else:
            once = max([min(float(s), timeout) for s in _SHELL_SLEEP.findall(script)] or [0.0])
        if once >= 1:
            cost = max(cost, once * max([1, *(uses(n) for n in names)]))
    return cost if cost >= 1 else 0.0


def _always(test: ast.expr) -> bool:
    """A loop condition that is true whatever runs: ``True``, ``1``, a non-empty literal."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    return isinstance(test, ast.Name) and test.id == "True"


def _endless_iterator(it: ast.expr) -> bool:
    """``itertools.count()``, ``count(1)``, ``cycle(...)``, ``iter(int, 1)``."""
    if not isinstance(it, ast.Call):
        return False
    name = _name(it.func)
    if name in _ENDLESS_ITERATORS:
        return True
    return name == "iter" and len(it.args) == 2


def _leaves(body: list) -> bool:
    """Whether a loop body has a way out of its own loop: ``break``, ``return``, ``raise``, or a
    call that ends the program (``sys.exit``, ``os._exit``, ``exit``, ``quit``)."""
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Break, ast.Return, ast.Raise)):
            return True
        if isinstance(node, ast.Call) and _name(node.func) in {"exit", "_exit", "quit", "abort"}:
            return True
        if isinstance(node, (ast.While, ast.For, ast.AsyncFor)):
            todo.extend(node.orelse)  # a break in there belongs to the inner loop
            todo.append(node.iter if isinstance(node, (ast.For, ast.AsyncFor)) else node.test)
            todo.extend(n for stmt in node.body for n in _calls_and_raises(stmt))
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # defined, not run here
        todo.extend(ast.iter_child_nodes(node))
    return False


def _calls_and_raises(stmt: ast.AST):
    """In an inner loop's body: what leaves the outer loop too (a raise, an exit call)."""
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Raise, ast.Return)):
            yield node
        elif isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


@functools.lru_cache(maxsize=64)
def _release_cells(path: Path) -> frozenset:
    """The stripped sources of a released notebook's code cells (read once per class)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return frozenset(_text(c.get("source")).strip() for c in cells
                         if isinstance(c, dict) and c.get("cell_type") == "code")
    except (OSError, ValueError, AttributeError):
        return frozenset()
