"""Regular expressions compiled once per installation, not once per process.

``re`` parses and compiles a pattern in Python (``re._parser``, ``re._compiler``); only the
last step, ``_sre.compile`` of the compiled code, is C. For the secret scanner's patterns
(gitleaks' rules and allowlists, ours, the workflow prefilter's keyword trie) that Python part
was about a sixth of `checkers workflow`'s own CPU on a batch of 80 workflows. :func:`compile`
keeps what the Python part produces beside the package's bytecode, where Python keeps its own
compiled code, under the same conditions (not with ``PYTHONDONTWRITEBYTECODE``; nothing is
written where the package cannot be written), and hands it to ``_sre.compile`` in later runs:
the same pattern object, without the work. The file is named after the interpreter's exact
version and ``_sre``'s code format; anything unreadable or unexpected is compiled as usual.

Only for fixed patterns (the source's, the vendored rule set's): each distinct pattern stays in
the file, so patterns made from what a user wrote (filters, globs) go to ``re.compile``.
"""
from __future__ import annotations

import os
import re
import sys

try:
    import _sre
    from array import array
    from re import _compiler, _parser

    if array("I").itemsize != _sre.CODESIZE:
        _sre = None
except ImportError:  # pragma: no cover - another Python: plain re.compile
    _sre = None

_RE_COMPILE = re.compile  # re's own, kept: import_module routes re.compile here for a moment
_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__",
                     f"regexes.{sys.implementation.name}-{sys.hexversion:x}-"
                     f"{getattr(_sre, 'MAGIC', 0)}.marshal")
_store: dict | None = None
_made: dict[tuple[str, int], re.Pattern] = {}  # this process's, as re's own cache (unbounded)
_added: list[bool] = []


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - re.compile's name
    """``re.compile(pattern, flags)``, from the kept compiled code when there is some."""
    if _sre is None or not isinstance(pattern, str):
        return _RE_COMPILE(pattern, flags)
    flags = int(flags)
    made = _made.get((pattern, flags))
    if made is not None:
        return made
    made = _made[pattern, flags] = _compile(pattern, flags)
    return made


def import_module(name: str):
    """Import a module whose import compiles fixed patterns with ``re.compile`` (PyYAML's
    reader, resolver and constructor: about 10 ms a process), with those patterns taken from
    the kept compiled code. ``re.compile`` is this module's only while the import runs."""
    import importlib

    if name in sys.modules or _sre is None:
        return importlib.import_module(name)
    re.compile = compile
    try:
        return importlib.import_module(name)
    finally:
        re.compile = _RE_COMPILE


def _compile(pattern: str, flags: int) -> re.Pattern:
    store = _load()
    entry = store.get((pattern, flags))
    if entry is not None:
        try:
            final, code, groups, groupindex, indexgroup = entry
            return _sre.compile(pattern, final, array("I", code).tolist(), groups, groupindex,
                                indexgroup)
        except Exception:  # noqa: BLE001 - a damaged entry: compile it again
            pass
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry = (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex,
             tuple(indexgroup))
    compiled = _sre.compile(pattern, *entry)
    # the code as bytes: the file loads without making an int object per code word
    store[(pattern, flags)] = (entry[0], array("I", code).tobytes(), *entry[2:])
    if not _added and not sys.dont_write_bytecode:
        import atexit

        atexit.register(_save)
    _added.append(True)
    return compiled


def _load() -> dict:
    global _store
    if _store is None:
        import marshal

        try:
            with open(_FILE, "rb") as fh:
                data = marshal.load(fh)
            _store = data if isinstance(data, dict) else {}
        except (OSError, EOFError, ValueError, TypeError):
            _store = {}
    return _store


def _save() -> None:
    """Written whole to a new file that replaces the old one: a reader never sees half of it
    (two runs that save at once: the last one's patterns are kept, the others are compiled again)."""
    import marshal

    temporary = f"{_FILE}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(_FILE), exist_ok=True)
        with open(temporary, "wb") as fh:
            marshal.dump(_store, fh)
        os.replace(temporary, _FILE)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass
