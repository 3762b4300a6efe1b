"""gitleaks' rule set (vendored ``vendor/gitleaks.toml``), run by Python's ``re``.

gitleaks (MIT licence, see ``vendor/GITLEAKS-LICENSE``) keeps the field's best-maintained
collection of secret formats: a regex, keywords, an entropy floor and allowlists per rule. We
read its own configuration file, unchanged, and apply it with gitleaks' semantics (keyword
prefilter, first non-empty capture group as the secret, Shannon entropy strictly above the floor,
rule and global allowlists on the secret, the match or the line, stopwords). The file's SHA-256
is pinned below; ``tests/test_gitleaks_vendor.py`` fails when the file and the pin disagree.
Update: copy ``config/gitleaks.toml`` from a gitleaks release, then update ``SOURCE`` and ``SHA256``
and run ``python -m checkers.repo.gitleaks`` (it writes the JSON snapshot read at run time).
"""
from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter
from functools import cached_property, lru_cache
from pathlib import Path

from .. import regexcache
from ..records import Record

VENDORED = Path(__file__).with_name("vendor") / "gitleaks.toml"
# The same rules as JSON (``python -m checkers.repo.gitleaks`` writes it): ``json`` reads them
# in well under a millisecond, TOML's pure-Python parser takes ~10 ms at every start (the
# workflow checker's too). Used only while it records the vendored file's hash. Its name keeps
# "gitleaks.toml" in it: gitleaks' global path allowlist skips the rule set's own samples.
SNAPSHOT = VENDORED.with_name("gitleaks.toml.json")
SOURCE = "github.com/gitleaks/gitleaks config/gitleaks.toml at b58d3f102cf3 (v8.30.0-27, 2026-07-22)"
SHA256 = "e163e53b9e7e8a8511e77271e2b323ed057759542a6d988258afe3a1fa329caf"
# Rules we leave out: file-name-only rules (key files are tracked-secret-file's job).
SKIP = {"pkcs12-file"}


def go_regex(pattern: str) -> str:
    """A Go (RE2) pattern as Python ``re`` reads it.

    RE2 allows a flag group such as ``(?i)`` in the middle of a pattern, applying to the rest of
    the enclosing group; Python only at the start, so it becomes a scoped ``(?i:...)``. POSIX
    classes and ``\\z`` are spelled out.
    """
    pattern = pattern.replace(r"\z", r"\Z")
    for name, chars in (("alnum", "a-zA-Z0-9"), ("alpha", "a-zA-Z"), ("digit", "0-9"),
                        ("xdigit", "0-9A-Fa-f"), ("upper", "A-Z"), ("lower", "a-z"),
                        ("space", r"\s"), ("word", r"\w")):
        pattern = pattern.replace(f"[:{name}:]", chars)
    out: list[str] = []
    closers = [0]  # per open group (the pattern itself first): scoped flag groups to close
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        flags = re.match(r"\(\?([a-zA-Z]+)\)", pattern[i:])
        if flags and i > 0:
            out.append(f"(?{flags.group(1)}:")
            closers[-1] += 1
            i += flags.end()
            continue
        if c == "(":
            closers.append(0)
        elif c == ")" and len(closers) > 1:
            out.append(")" * closers.pop())
        out.append(c)
        i += 1
    out.append(")" * closers[0])
    return "".join(out)


class Allowlist(Record):
    FIELDS = ("spec",)
    FROZEN = False

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    @cached_property
    def target(self) -> str:  # "secret", "match" or "line"
        return self.spec.get("regexTarget", "secret")

    @cached_property
    def condition(self) -> str:
        return self.spec.get("condition", "OR").upper()

    @cached_property
    def regexes(self) -> list[re.Pattern]:
        return [_compile(r) for r in self.spec.get("regexes", [])]

    @cached_property
    def stopwords(self) -> tuple[str, ...]:
        return tuple(w.lower() for w in self.spec.get("stopwords", []))

    @cached_property
    def paths(self) -> list[re.Pattern]:
        return [_compile(p) for p in self.spec.get("paths", [])]

    def allows(self, secret: str, match: str, line: str, path: str | None) -> bool:
        target = {"match": match, "line": line}.get(self.target, secret)
        # The checks run cheapest first, each only while the answer still depends on it (with
        # OR, the first that holds decides; with AND, the first that fails): the answer of
        # running them all, without compiling patterns it does not need. Each pattern is
        # compiled on first use, once.
        low = secret.lower()
        checks = []
        if self.spec.get("paths"):
            checks.append(lambda: path is not None and any(p.search(path) for p in self.paths))
        if self.stopwords:
            checks.append(lambda: any(w in low for w in self.stopwords))
        if self.spec.get("regexes"):
            checks.append(lambda: any(_compile(r).search(target) for r in self.spec["regexes"]))
        if not checks:
            return False
        every = self.condition == "AND"
        for check in checks:
            if check() != every:
                return not every
        return every


class Rule(Record):
    # multiline: may match across lines (run on the whole text, not on candidate lines)
    FIELDS = ("id", "pattern", "keywords", "entropy", "secret_group", "path_pattern",
              "allowlists", "multiline")
    FROZEN = False

    def __init__(self, id: str, pattern: str, keywords: tuple[str, ...], entropy: float,
                 secret_group: int, path_pattern: str | None, allowlists: list[Allowlist],
                 multiline: bool) -> None:
        self._set(id, pattern, keywords, entropy, secret_group, path_pattern, allowlists,
                  multiline)

    # Compiled on first use: compiling all 220 patterns costs half a second, and most files
    # hold the keywords of only a few rules.
    @cached_property
    def regex(self) -> re.Pattern:
        return _compile(self.pattern)

    @cached_property
    def path(self) -> re.Pattern | None:
        return _compile(self.path_pattern) if self.path_pattern else None


@lru_cache(maxsize=None)
def _compile(pattern: str) -> re.Pattern:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" in literal classes
        return regexcache.compile(go_regex(pattern))


class RuleSet(Record):
    FIELDS = ("rules", "allowlists")
    FROZEN = False

    def __init__(self, rules: list[Rule], allowlists: list[Allowlist]) -> None:
        self._set(rules, allowlists)


def _config() -> dict:
    """The vendored configuration: from the JSON snapshot when it was made from this very file."""
    try:
        snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        if snapshot.get("sha256") == file_sha256():
            return snapshot["config"]
    except (OSError, ValueError, KeyError):
        pass
    return _parse_toml()


def _parse_toml() -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the same parser, from PyPI
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(VENDORED.read_text(encoding="utf-8"))


def write_snapshot() -> None:
    SNAPSHOT.write_text(json.dumps({"sha256": file_sha256(), "config": _parse_toml()},
                                   indent=0, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def ruleset() -> RuleSet:
    config = _config()
    rules = []
    for spec in config["rules"]:
        if spec["id"] in SKIP or "regex" not in spec:
            continue
        raw = spec["regex"]
        rules.append(Rule(
            id=spec["id"], pattern=raw,
            keywords=tuple(k.lower() for k in spec.get("keywords", [])),
            entropy=float(spec.get("entropy", 0)), secret_group=int(spec.get("secretGroup", 0)),
            path_pattern=spec.get("path"),
            allowlists=[Allowlist(a) for a in spec.get("allowlists", [])],
            multiline="(?s" in raw or "-----BEGIN" in raw or r"\n" in raw.replace(r"\\[nr]", "")))
    globals_ = [Allowlist(config["allowlist"])] if "allowlist" in config else []
    globals_ += [Allowlist(a) for a in config.get("allowlists", [])]
    return RuleSet(rules, globals_)


def file_sha256() -> str:
    return _sha256()(VENDORED.read_bytes()).hexdigest()


def _sha256():
    """SHA-256 from CPython's own module (hashlib's fallback when OpenSSL is missing): the
    same digest, without loading OpenSSL, which costs the workflow checker more (2 ms at
    start-up) than hashing the rule set (0.3 ms)."""
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:
            from hashlib import sha256
    return sha256


def shannon(text: str) -> float:
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def secret_of(rule: Rule, match: re.Match) -> tuple[str, int]:
    """gitleaks' choice of the secret in a match (its value and start offset)."""
    if match.re.groups:
        if rule.secret_group:
            if match.group(rule.secret_group) is not None:
                return match.group(rule.secret_group), match.start(rule.secret_group)
        else:
            for g in range(1, match.re.groups + 1):
                if match.group(g):
                    return match.group(g), match.start(g)
    return match.group(0).strip("\n"), match.start()


if __name__ == "__main__":
    write_snapshot()
    print(f"wrote {SNAPSHOT} from {VENDORED.name} ({file_sha256()[:12]})")
