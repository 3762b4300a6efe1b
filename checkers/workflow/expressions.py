"""GitHub Actions expressions (``${{ ... }}``), evaluated offline with honest unknowns.

Follows "Evaluate expressions in workflows and actions" (github/docs), and where the page is
silent, the reference implementation that runs them (actions/runner's expression engine and its
TypeScript twin, actions/languageservices ``expressions/``):

* Literals: ``true``/``false``, ``null``, numbers in any JSON number format plus hex
  (``0xff``) and exponents (``-2.99e-2``), strings in single quotes with ``''`` for a quote.
* Operators, loosest first: ``||``, ``&&``, ``== !=``, ``< <= > >=``, ``!``, then property
  access ``a.b``, index ``a['b']``/``a[0]`` and object filters ``a.*.b``. ``&&``/``||`` return
  one of their operands, like JavaScript. Falsy: ``false``, ``0``, ``-0``, ``''``, ``null``,
  ``NaN``.
* Loose equality: operands of different types are coerced to numbers (null -> 0, booleans ->
  1/0, strings parsed as JSON numbers with ``''`` -> 0, arrays and objects -> NaN); strings
  compare ignoring case; arrays and objects are equal only to themselves; NaN compares false.
* Functions (names ignore case): contains, startsWith, endsWith, format (``{{``/``}}``
  escapes), join, toJSON, fromJSON, hashFiles, case, and the status functions success(),
  always(), cancelled(), failure().
* Context names and property names ignore case; a missing property is ``null``.

What cannot be known offline (step outputs, job outputs, ``hashFiles``, the runner, repository
variables nobody gave, secrets) is an :class:`Unknown`: it flows through operators and
functions, and becomes a known value only where the language makes the answer certain
(``false && x`` is false whatever ``x`` is). A template with an unknown part keeps that part's
``${{ }}`` text, so nothing is guessed.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Iterable

MAX_EXPRESSION_LENGTH = 21000  # the runner refuses longer expressions
MAX_DEPTH = 50
CONTEXTS = ("github", "env", "vars", "secrets", "inputs", "matrix", "strategy", "needs",
            "steps", "job", "jobs", "runner")
STATUS_FUNCTIONS = ("success", "always", "cancelled", "failure")
# name: (min args, max args)
FUNCTIONS = {
    "contains": (2, 2), "startswith": (2, 2), "endswith": (2, 2), "format": (1, 255),
    "join": (1, 2), "tojson": (1, 1), "fromjson": (1, 1), "hashfiles": (1, 255),
    "case": (3, 255), "success": (0, 0), "always": (0, 0), "cancelled": (0, 0),
    "failure": (0, 0),
}


class ExpressionError(Exception):
    """An expression that fails when it is evaluated (GitHub fails the job or step)."""


class ExpressionSyntaxError(ExpressionError):
    """An expression GitHub refuses when it reads the workflow (the workflow never runs)."""


class Unknown:
    """A value that exists only when the workflow really runs.

    ``what`` names it (``steps.job.outputs.name``); ``truthy`` is its truthiness when that is
    certain anyway; ``display`` is what GitHub's log would show instead (``***`` for secrets).
    """

    __slots__ = ("what", "truthy", "display")

    def __init__(self, what: str, truthy: bool | None = None, display: str | None = None):
        self.what, self.truthy, self.display = what, truthy, display

    def __repr__(self) -> str:
        return f"Unknown({self.what!r})"


class Filtered(list):
    """The array an object filter (``.*``) produces."""


class Context(dict):
    """A context whose missing properties are unknown (``unknown=True``) or, for the names in
    ``unknown``, unknown while every other missing property is null, as GitHub makes it."""

    def __init__(self, path: str, known: dict | None = None,
                 unknown: bool | Iterable[str] = True, display: str | None = None):
        super().__init__(known or {})
        self.path = path
        self.unknown = unknown if isinstance(unknown, bool) else {u.lower() for u in unknown}
        self.display = display

    def missing(self, key: str) -> Any:
        if self.unknown is True or (self.unknown and key.lower() in self.unknown):
            return Unknown(f"{self.path}.{key}", display=self.display)
        return None


# -- values ---------------------------------------------------------------------------------------

def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def to_number(value: Any) -> float:
    """GitHub's conversion to a number (the table under "loose equality comparisons")."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return parse_number(value)
    return math.nan


_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RADIX = {"x": (16, "0123456789abcdef"), "o": (8, "01234567"), "b": (2, "01")}


def parse_number(text: str) -> float:
    """A string as a number: JSON number formats, ``0x``/``0o``/``0b``, '' -> 0, else NaN."""
    s = text.strip()
    if not s:
        return 0.0
    if _DECIMAL.fullmatch(s):
        return float(s)
    if len(s) > 2 and s[0] == "0" and s[1].lower() in _RADIX:
        base, digits = _RADIX[s[1].lower()]
        if all(c in digits for c in s[2:].lower()):
            return float(int(s[2:], base))
        return math.nan
    if s in ("Infinity", "+Infinity"):
        return math.inf
    if s == "-Infinity":
        return -math.inf
    return math.nan


def number_to_string(x: float) -> str:
    """Numbers as the runner prints them: .NET's ``G15`` (15 significant digits, exponent
    notation from 1E+15 and below 1E-05), ``NaN``, ``Infinity``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    return format(float(x), ".15g").replace("e", "E")


def to_string(value: Any) -> str:
    """GitHub's conversion to a string (null -> '', booleans -> 'true'/'false')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return str(value)


def unknown_status() -> dict[str, "Unknown"]:
    """The status functions (and ``hashFiles``) of an ``if:`` as unknowns: what a condition
    is judged with when the job's outcome and the files are not known (never guessed)."""
    return {name: Unknown(f"{name}()") for name in (*STATUS_FUNCTIONS, "hashfiles")}


def truthy(value: Any) -> bool | None:
    """Truthiness, or None when the value is unknown and so is its truthiness."""
    if isinstance(value, Unknown):
        return value.truthy
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    lk, rk = _kind(left), _kind(right)
    if lk == rk:
        return left, right
    if lk == "number" and rk == "string":
        return left, to_number(right)
    if lk == "string" and rk == "number":
        return to_number(left), right
    if lk in ("null", "boolean"):
        return _coerce(to_number(left), right)
    if rk in ("null", "boolean"):
        return _coerce(left, to_number(right))
    return left, right


def _upper(s: str) -> str:
    return s.upper()


def equals(left: Any, right: Any) -> bool:
    left, right = _coerce(left, right)
    lk, rk = _kind(left), _kind(right)
    if lk != rk:
        return False
    if lk == "null":
        return True
    if lk == "number":
        return not (math.isnan(left) or math.isnan(right)) and left == right
    if lk == "string":
        return _upper(left) == _upper(right)
    if lk == "boolean":
        return left == right
    return left is right


def _relation(left: Any, right: Any, greater: bool) -> bool:
    """``left > right`` (or ``<``) after loose coercion: NaN, mixed kinds, arrays and objects
    compare false; strings ignore case; false < true."""
    left, right = _coerce(left, right)
    kind = _kind(left)
    if kind != _kind(right) or kind not in ("number", "string", "boolean"):
        return False
    if kind == "number" and (math.isnan(left) or math.isnan(right)):
        return False
    if kind == "string":
        left, right = _upper(left), _upper(right)
    return left > right if greater else left < right


def get(obj: Any, key: Any) -> Any:
    """``obj[key]`` as GitHub does it: keys ignore case, a missing one is null."""
    if isinstance(obj, dict):
        if not isinstance(key, str):
            if isinstance(key, (list, dict)) or key is None:
                return None
            key = to_string(key)
        if key in obj:
            return obj[key]
        folded = key.lower()
        for k, v in obj.items():
            if isinstance(k, str) and k.lower() == folded:
                return v
        return obj.missing(key) if isinstance(obj, Context) else None
    if isinstance(obj, list):
        n = to_number(key) if not isinstance(key, (list, dict)) else math.nan
        if math.isnan(n) or math.isinf(n) or n < 0:
            return None
        i = int(math.floor(n))
        return obj[i] if i < len(obj) else None
    return None


def to_json(value: Any, indent: int | None = 2) -> str:
    """toJSON(): pretty-printed like the runner (two spaces), numbers without a spurious .0."""
    def plain(v: Any) -> Any:
        if isinstance(v, Unknown):
            raise ExpressionError("unknown")
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if is_number(v) and not isinstance(v, int):
            if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
                return int(v)
        return v
    return json.dumps(plain(value), indent=indent, ensure_ascii=False)


def from_json(text: str) -> Any:
    if text.strip() == "":
        raise ExpressionError("fromJSON: empty input is not JSON")
    try:
        return json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except (ValueError, RecursionError) as exc:
        raise ExpressionError(f"fromJSON: invalid JSON: {exc}") from None


def contains_unknown(value: Any, depth: int = 0) -> bool:
    if isinstance(value, Unknown):
        return True
    if depth > 64:
        return False
    if isinstance(value, Context):
        return True  # it has unknown parts by definition
    if isinstance(value, dict):
        return any(contains_unknown(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v, depth + 1) for v in value)
    return False


# -- lexer ----------------------------------------------------------------------------------------

_BOUNDARY = set("([)],.!><=&|") | set(" \t\r\n\f\v")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _tokens(text: str) -> list[tuple[str, Any]]:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionSyntaxError(f"the expression is longer than {MAX_EXPRESSION_LENGTH} "
                                    "characters")
    out: list[tuple[str, Any]] = []
    i, n = 0, len(text)

    def prev() -> str | None:
        return out[-1][0] if out else None

    while i < n:
        c = text[i]
        if c in " \t\r\n\f\v":
            i += 1
        elif c in "()[],*":
            out.append((c, None))
            i += 1
        elif c == "." and prev() in ("ident", "]", ")", "*"):
            out.append((".", None))
            i += 1
        elif c in "!<>=":
            two = text[i:i + 2]
            if two in ("!=", "<=", ">=", "=="):
                out.append((two, None))
                i += 2
            elif c == "=":
                raise ExpressionSyntaxError(f"unexpected symbol '=' at position {i + 1} (use "
                                            "'==' to compare)")
            else:
                out.append((c, None))
                i += 1
        elif c in "&|":
            if text[i:i + 2] != c * 2:
                raise ExpressionSyntaxError(f"unexpected symbol '{c}' at position {i + 1} (use "
                                            f"'{c * 2}')")
            out.append((c * 2, None))
            i += 2
        elif c == "'":
            j, chars = i + 1, []
            while True:
                if j >= n:
                    raise ExpressionSyntaxError(f"unterminated string starting at position {i + 1}")
                if text[j] == "'":
                    if text[j + 1:j + 2] == "'":
                        chars.append("'")
                        j += 2
                        continue
                    break
                chars.append(text[j])
                j += 1
            out.append(("string", "".join(chars)))
            i = j + 1
        elif c.isdigit() or c in "+-.":
            j = i + 1
            while j < n and (text[j] not in _BOUNDARY or text[j] == "."):
                j += 1
            lexeme = text[i:j]
            value = parse_number(lexeme) if lexeme.strip() else math.nan
            if math.isnan(value) and lexeme != "NaN":
                raise ExpressionSyntaxError(f"unexpected symbol '{lexeme}' at position {i + 1}")
            out.append(("number", value))
            i = j
        elif c == '"':
            raise ExpressionSyntaxError(f"unexpected symbol '\"' at position {i + 1}: strings "
                                        "take single quotes ('text'); double quotes are an error")
        else:
            j = i
            while j < n and text[j] not in _BOUNDARY and text[j] not in "'\"*":
                j += 1
            lexeme = text[i:j] or text[i]
            if not _IDENT.fullmatch(lexeme):
                raise ExpressionSyntaxError(f"unexpected symbol '{lexeme}' at position {i + 1}")
            if prev() != ".":
                if lexeme == "true":
                    out.append(("literal", True))
                elif lexeme == "false":
                    out.append(("literal", False))
                elif lexeme == "null":
                    out.append(("literal", None))
                elif lexeme == "NaN":
                    out.append(("number", math.nan))
                elif lexeme == "Infinity":
                    out.append(("number", math.inf))
                else:
                    out.append(("ident", lexeme))
            else:
                out.append(("ident", lexeme))
            i = j
    out.append(("eof", None))
    return out


# -- parser (to nested tuples) --------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> str:
        return self.tokens[self.i][0]

    def take(self) -> tuple[str, Any]:
        tok = self.tokens[self.i]
        if tok[0] != "eof":
            self.i += 1
        return tok

    def fail(self, what: str = "") -> ExpressionSyntaxError:
        kind, value = self.tokens[self.i]
        shown = "end of expression" if kind == "eof" else (
            repr(value) if kind in ("string", "ident") else to_string(value)
            if kind in ("number", "literal") else f"'{kind}'")
        return ExpressionSyntaxError(f"unexpected {shown}{what} in expression: {self.text.strip()}")

    def parse(self):
        if self.peek() == "eof":
            raise ExpressionSyntaxError("an expression was expected, found nothing")
        node = self.expression()
        if self.peek() != "eof":
            raise self.fail()
        return node

    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionSyntaxError(f"the expression nests deeper than {MAX_DEPTH} levels")
        try:
            return self.logical("||", lambda: self.logical("&&", self.equality))
        finally:
            self.depth -= 1

    def logical(self, op: str, sub: Callable):
        node = sub()
        if self.peek() != op:
            return node
        args = [node]
        while self.peek() == op:
            self.take()
            args.append(sub())
        return ("and" if op == "&&" else "or", args)

    def equality(self):
        node = self.comparison()
        while self.peek() in ("==", "!="):
            op = self.take()[0]
            node = ("cmp", op, node, self.comparison())
        return node

    def comparison(self):
        node = self.unary()
        while self.peek() in ("<", "<=", ">", ">="):
            op = self.take()[0]
            node = ("cmp", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == "!":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionSyntaxError(f"the expression nests deeper than {MAX_DEPTH} levels")
            try:
                return ("not", self.unary())
            finally:
                self.depth -= 1
        return self.postfix()

    def postfix(self):
        node, indexable = self.primary()
        if not indexable:
            return node
        chain = 0
        while self.peek() in ("[", "."):
            chain += 1
            if self.depth + chain > MAX_DEPTH:
                raise ExpressionSyntaxError(f"the expression nests deeper than {MAX_DEPTH} levels")
            if self.take()[0] == "[":
                if self.peek() == "*":
                    self.take()
                    index = ("star",)
                else:
                    index = self.expression()
                if self.peek() != "]":
                    raise self.fail(" (expected ']')")
                self.take()
            elif self.peek() == "ident":
                index = ("lit", self.take()[1])
            elif self.peek() == "*":
                self.take()
                index = ("star",)
            else:
                raise self.fail(" after '.'")
            node = ("index", node, index)
        return node

    def primary(self):
        kind, value = self.tokens[self.i]
        if kind in ("literal", "number", "string"):
            self.take()
            return ("lit", value), False
        if kind == "(":
            self.take()
            node = self.expression()
            if self.peek() != ")":
                raise self.fail(" (expected ')')")
            self.take()
            return node, True
        if kind == "ident":
            self.take()
            name = value.lower()
            if self.peek() == "(":
                self.take()
                args = []
                while self.peek() != ")":
                    if self.peek() == "eof":
                        raise self.fail(" (expected ')')")
                    args.append(self.expression())
                    if self.peek() == ",":
                        self.take()
                    elif self.peek() != ")":
                        raise self.fail(" (expected ',' or ')')")
                self.take()
                if name not in FUNCTIONS:
                    raise ExpressionSyntaxError(f"unrecognized function: '{value}'")
                low, high = FUNCTIONS[name]
                if not low <= len(args) <= high:
                    raise ExpressionSyntaxError(
                        f"{value}() takes {low if low == high else f'{low} to {high}'} "
                        f"argument{'s' if high != 1 else ''}, not {len(args)}")
                return ("call", name, args), True
            if name not in CONTEXTS:
                raise ExpressionSyntaxError(f"unrecognized named-value: '{value}' (the contexts "
                                            f"are {', '.join(CONTEXTS)})")
            return ("ctx", name), True
        raise self.fail()


def parse(text: str):
    """Parse one expression (without ``${{ }}``); raises ExpressionSyntaxError."""
    return _Parser(text).parse()


def uses_status_function(tree) -> bool:
    if isinstance(tree, tuple):
        if tree[0] == "call" and tree[1] in STATUS_FUNCTIONS:
            return True
        return any(uses_status_function(part) for part in tree[1:])
    if isinstance(tree, list):
        return any(uses_status_function(part) for part in tree)
    return False


# -- evaluation -----------------------------------------------------------------------------------

class Scope:
    """The contexts an expression may read at its place in the workflow, and the status
    functions' answers there (True, False or an Unknown)."""

    def __init__(self, contexts: dict[str, Any], status: dict[str, Any] | None = None,
                 place: str = "here"):
        self.contexts = {k.lower(): v for k, v in contexts.items()}
        self.status = status or {}
        self.place = place


def evaluate(text_or_tree: Any, scope: Scope) -> Any:
    tree = parse(text_or_tree) if isinstance(text_or_tree, str) else text_or_tree
    return _eval(tree, scope)


def _describe(tree) -> str:
    kind = tree[0]
    if kind == "ctx":
        return tree[1]
    if kind == "index":
        base, index = _describe(tree[1]), tree[2]
        if index[0] == "star":
            return base + ".*"
        if index[0] == "lit" and isinstance(index[1], str) and _IDENT.fullmatch(index[1]):
            return f"{base}.{index[1]}"
        return base + "[...]"
    if kind == "call":
        return f"{tree[1]}(...)"
    return "an expression"


def _eval(tree, scope: Scope) -> Any:
    kind = tree[0]
    if kind == "lit":
        return tree[1]
    if kind == "ctx":
        name = tree[1]
        if name not in scope.contexts:
            raise ExpressionSyntaxError(f"unrecognized named-value: '{name}' (not available in "
                                        f"{scope.place})")
        return scope.contexts[name]
    if kind == "not":
        t = truthy(_eval(tree[1], scope))
        return Unknown("!(...)") if t is None else not t
    if kind in ("and", "or"):
        stop = kind == "or"  # || stops at a truthy operand, && at a falsy one
        unknown = None
        result = None
        for arg in tree[1]:
            result = _eval(arg, scope)
            t = truthy(result)
            if t is None:
                unknown = unknown or result
                continue
            if t == stop:
                if unknown is None:
                    return result
                return Unknown(getattr(unknown, "what", "..."), truthy=stop)
        if unknown is not None:
            return Unknown(unknown.what)
        return result
    if kind == "cmp":
        left, right = _eval(tree[2], scope), _eval(tree[3], scope)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown((left if isinstance(left, Unknown) else right).what)
        op = tree[1]
        if op == "==":
            return equals(left, right)
        if op == "!=":
            return not equals(left, right)
        if op in ("<", ">"):
            return _relation(left, right, op == ">")
        return equals(left, right) or _relation(left, right, op == ">=")
    if kind == "index":
        obj = _eval(tree[1], scope)
        index = tree[2]
        if isinstance(obj, Unknown):
            return Unknown(_describe(tree), display=obj.display)
        if index[0] == "star":
            return _star(obj)
        key = _eval(index, scope)
        if isinstance(key, Unknown):
            return Unknown(_describe(tree))
        if isinstance(obj, Filtered):
            out = Filtered()
            for item in obj:
                if isinstance(item, (dict, list)):
                    value = get(item, key)
                    if value is not None or (isinstance(item, dict) and _has(item, key)):
                        out.append(value)
                elif isinstance(item, Unknown):
                    out.append(Unknown(_describe(tree)))
            return out
        return get(obj, key)
    if kind == "call":
        return _call(tree[1], tree[2], scope)
    raise ExpressionError(f"cannot evaluate {kind}")


def _has(obj: dict, key: Any) -> bool:
    folded = to_string(key).lower()
    return any(isinstance(k, str) and k.lower() == folded for k in obj)


def _star(obj: Any) -> Any:
    if isinstance(obj, Filtered):
        out = Filtered()
        for item in obj:
            if isinstance(item, dict):
                out.extend(item.values())
            elif isinstance(item, list):
                out.extend(item)
        return out
    if isinstance(obj, Context) and obj.unknown is True:
        return Unknown(f"{obj.path}.*")
    if isinstance(obj, dict):
        return Filtered(obj.values())
    if isinstance(obj, list):
        return Filtered(obj)
    return Filtered()


def _primitive(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _call(name: str, arg_trees: list, scope: Scope) -> Any:
    if name in STATUS_FUNCTIONS:
        answer = scope.status.get(name)
        if answer is None:
            raise ExpressionSyntaxError(f"{name}() is only allowed in `if:` conditions")
        return answer
    if name == "case":  # evaluates lazily, so an unknown after the match does not matter
        for k in range(0, len(arg_trees) - 1, 2):
            predicate = _eval(arg_trees[k], scope)
            if isinstance(predicate, Unknown):
                return Unknown("case(...)")
            if not isinstance(predicate, bool):
                raise ExpressionError("case(): each predicate must evaluate to a boolean")
            if predicate:
                return _eval(arg_trees[k + 1], scope)
        return _eval(arg_trees[-1], scope)
    args = [_eval(a, scope) for a in arg_trees]
    if name == "hashfiles":
        if "hashfiles" not in scope.status:
            raise ExpressionSyntaxError(f"hashFiles() is not available in {scope.place}")
        return Unknown("hashFiles(...)")  # it hashes the runner's checkout
    if any(isinstance(a, Unknown) for a in args):
        return Unknown(f"{name}(...)")
    if any(isinstance(a, Filtered) and contains_unknown(a) for a in args):
        return Unknown(f"{name}(...)")
    if name == "contains":
        search, item = args
        if _primitive(search):
            if not _primitive(item):
                return False
            return to_string(item).lower() in to_string(search).lower()
        if isinstance(search, list):
            return any(equals(item, v) for v in search)
        return False
    if name in ("startswith", "endswith"):
        left, right = args
        if not (_primitive(left) and _primitive(right)):
            return False
        a, b = to_string(left).lower(), to_string(right).lower()
        return a.startswith(b) if name == "startswith" else a.endswith(b)
    if name == "format":
        return _format(args)
    if name == "join":
        value = args[0]
        if _primitive(value):
            return to_string(value)
        if isinstance(value, list):
            sep = to_string(args[1]) if len(args) > 1 and _primitive(args[1]) else ","
            return sep.join(to_string(v) for v in value)
        return ""
    if name == "tojson":
        if contains_unknown(args[0]):
            return Unknown("toJSON(...)")
        return to_json(args[0])
    if name == "fromjson":
        if not _primitive(args[0]):
            raise ExpressionError("fromJSON() takes a string")
        return from_json(to_string(args[0]))
    raise ExpressionSyntaxError(f"unrecognized function: '{name}'")


def _format(args: list) -> str:
    fmt = to_string(args[0])
    out: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        lb, rb = fmt.find("{", i), fmt.find("}", i)
        if lb >= 0 and (rb < 0 or rb > lb):
            if fmt[lb + 1:lb + 2] == "{":
                out.append(fmt[i:lb + 1])
                i = lb + 2
                continue
            m = re.match(r"\d+", fmt[lb + 1:])
            if m and rb == lb + 1 + len(m.group()):
                index = int(m.group())
                if index + 1 > len(args) - 1:
                    raise ExpressionError("format(): the format string references more arguments "
                                          f"than were supplied: {fmt}")
                out.append(fmt[i:lb])
                out.append(to_string(args[index + 1]))
                i = rb + 1
                continue
            raise ExpressionError(f"format(): the format string is invalid: {fmt}")
        if rb >= 0:
            if fmt[rb + 1:rb + 2] == "}":
                out.append(fmt[i:rb + 1])
                i = rb + 2
                continue
            raise ExpressionError(f"format(): the format string is invalid: {fmt}")
        out.append(fmt[i:])
        break
    return "".join(out)


# -- templates: text with ${{ }} inside -----------------------------------------------------------

def split_template(text: str) -> list[tuple[str, str]]:
    """``text`` as parts: ("text", literal) and ("expr", inside of ``${{ }}``)."""
    parts: list[tuple[str, str]] = []
    i = 0
    while True:
        start = text.find("${{", i)
        if start < 0:
            if i < len(text):
                parts.append(("text", text[i:]))
            return parts
        if start > i:
            parts.append(("text", text[i:start]))
        j, quoted = start + 3, False
        while j < len(text):
            if text[j] == "'":
                quoted = not quoted  # '' inside a string toggles twice: still inside
            elif not quoted and text.startswith("}}", j):
                break
            j += 1
        else:
            raise ExpressionSyntaxError(f"an expression starting at '{text[start:start + 30]}' "
                                        "is never closed with '}}'")
        parts.append(("expr", text[start + 3:j]))
        i = j + 2


def is_single_expression(text: str) -> bool:
    s = text.strip()
    if not (s.startswith("${{") and s.endswith("}}")):
        return False
    parts = split_template(s)
    return len(parts) == 1 and parts[0][0] == "expr"


def condition_expression(text: str) -> str:
    """The expression an ``if:`` string holds: GitHub evaluates it with or without ``${{ }}``."""
    s = text.strip()
    return split_template(s)[0][1].strip() if is_single_expression(s) else s


def check_template(text: str) -> None:
    """Raise ExpressionSyntaxError for what GitHub would refuse when it reads the workflow."""
    for kind, part in split_template(text):
        if kind == "expr":
            parse(part)


def render(text: str, scope: Scope) -> tuple[str, list[Unknown]]:
    """The string GitHub makes of a template; unknown parts keep their ``${{ }}`` text (secrets
    show ``***``). Also returns the unknowns met, so callers can say what is left open."""
    out, unknowns = [], []
    for kind, part in split_template(text):
        if kind == "text":
            out.append(part)
            continue
        value = evaluate(part, scope)
        if isinstance(value, Unknown) or (isinstance(value, Filtered) and contains_unknown(value)):
            unknown = value if isinstance(value, Unknown) else Unknown(part.strip())
            unknowns.append(unknown)
            out.append(unknown.display if unknown.display is not None else "${{" + part + "}}")
        else:
            out.append(to_string(value))
    return "".join(out), unknowns


def value_of(raw: Any, scope: Scope) -> Any:
    """A YAML value as GitHub evaluates it: a lone ``${{ expr }}`` keeps the expression's type,
    other strings are templates, lists and mappings are evaluated inside."""
    if isinstance(raw, str):
        if is_single_expression(raw):
            return evaluate(split_template(raw.strip())[0][1], scope)
        if "${{" in raw:
            text, unknowns = render(raw, scope)
            if any(u.display is None for u in unknowns):
                return Unknown(raw.strip())
            return text
        return raw
    if isinstance(raw, list):
        return [value_of(v, scope) for v in raw]
    if isinstance(raw, dict):
        return {str(k): value_of(v, scope) for k, v in raw.items()}
    return raw
