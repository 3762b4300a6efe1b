"""Which paths the repository checker leaves out: ``--exclude GLOB`` and ``[tool.checkers]``.

A project keeps its deliberately bad examples (test fixtures with fake keys, invalid YAML for a
parser's tests) out of the check with, in the checked folder's ``pyproject.toml``::

    [tool.checkers]
    exclude = ["tests/examples/", "tests/fixtures/*.pem"]

and ``checkers repo . --exclude GLOB`` adds patterns for one run. A pattern ending in ``/`` is a
folder and everything below it (``build/`` at any depth, ``tests/examples/`` from the checked
folder); a pattern without ``/`` matches a file or folder name at any depth (``*.pem``);
otherwise ``*``, ``?`` and ``[...]`` match as in the shell, ``*`` across ``/`` too, against the
path from the checked folder. An excluded path gets no finding from any rule, and the history
scan skips its versions.
"""
from __future__ import annotations

import fnmatch
try:
    import tomllib
except ImportError:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib  # type: ignore[no-redef]
from pathlib import Path


class ConfigError(Exception):
    """The configuration is present but wrong (a usage error: exit 2)."""


def read_excludes(root: Path) -> tuple[list[str], str | None]:
    """``[tool.checkers] exclude`` of ``root/pyproject.toml``, and a note when it was unreadable."""
    path = root / "pyproject.toml"
    try:
        if not path.is_file() or path.is_symlink():
            return [], None
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], f"pyproject.toml could not be read ({exc}); its [tool.checkers] settings were not applied"
    table = data.get("tool", {}).get("checkers", {})
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.checkers] must be a table")
    excludes = table.get("exclude", [])
    if not isinstance(excludes, list) or not all(isinstance(e, str) and e.strip() for e in excludes):
        raise ConfigError("pyproject.toml: [tool.checkers] exclude must be a list of path patterns, "
                          'e.g. exclude = ["tests/examples/"]')
    return excludes, None


def normalise(pattern: str) -> str:
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def excluded(path: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            if path.startswith(pattern) or f"/{pattern}" in f"/{path}":
                if "/" in pattern.rstrip("/") and not path.startswith(pattern):
                    continue  # a folder path is anchored at the checked folder
                return True
        elif "/" not in pattern:
            if any(fnmatch.fnmatchcase(part, pattern) for part in path.split("/")):
                return True
        elif fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "/"):
            return True
    return False
