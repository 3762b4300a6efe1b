"""checkers.regexcache: patterns compiled once per installation are the patterns re compiles."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from checkers import regexcache
from checkers.repo import gitleaks

from .conftest import ROOT

PATTERNS = [
    (r"\$\{\{(.*?)\}\}", re.S),
    (r"(?i)^(?P<name>[a-z_]\w*)\s*=\s*(?P<q>[\"'])(?P<value>.*?)(?P=q)$", 0),
    (r"(?im)^[ \t]*(?:export[ \t]+)?token[ \t]*[:=][ \t]*(\S{6,})", 0),
    ("[\u0130\u0131\u017f\u212a]", 0),
    (r"(.)\1{5}|^(?=.{0,15}$).*(?:asdf|qwer)", re.I),
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The module with an empty store kept in ``tmp_path``."""
    monkeypatch.setattr(regexcache, "_FILE", str(tmp_path / "__pycache__" / "regexes.marshal"))
    monkeypatch.setattr(regexcache, "_store", None)
    monkeypatch.setattr(regexcache, "_made", {})
    monkeypatch.setattr(regexcache, "_added", [])
    return tmp_path / "__pycache__" / "regexes.marshal"


def fresh(monkeypatch):
    """As a later process: the kept file read again, nothing compiled in this one."""
    monkeypatch.setattr(regexcache, "_store", None)
    monkeypatch.setattr(regexcache, "_made", {})


@pytest.mark.parametrize("pattern, flags", PATTERNS)
def test_kept_patterns_are_the_patterns_re_compiles(cache, monkeypatch, pattern, flags):
    first = regexcache.compile(pattern, flags)
    assert first == re.compile(pattern, flags)  # same flags, pattern and compiled code
    regexcache._save()
    assert cache.is_file()
    fresh(monkeypatch)
    again = regexcache.compile(pattern, flags)
    assert again == re.compile(pattern, flags) and again is not first
    assert again.groupindex == re.compile(pattern, flags).groupindex
    text = "token = 'abcdefgh'\nx = ${{ github.sha }} aaaaaa\u0130"
    assert [m.span() for m in again.finditer(text)] == [m.span() for m in re.finditer(pattern, text, flags)]


def test_gitleaks_rules_from_the_kept_file_match_as_compiled(cache, monkeypatch):
    rules = [r for r in gitleaks.ruleset().rules if r.keywords][:40]
    for r in rules:
        gitleaks._compile.cache_clear()
        assert gitleaks._compile(r.pattern) == re.compile(gitleaks.go_regex(r.pattern))
    regexcache._save()
    fresh(monkeypatch)
    gitleaks._compile.cache_clear()
    for r in rules:
        assert gitleaks._compile(r.pattern) == re.compile(gitleaks.go_regex(r.pattern))


def test_a_damaged_file_is_compiled_again(cache, monkeypatch):
    cache.parent.mkdir()
    cache.write_bytes(b"\x00not marshal data")
    assert regexcache.compile(r"a+b") == re.compile(r"a+b")
    regexcache._save()
    fresh(monkeypatch)
    # an entry whose code _sre refuses: compiled again, not an error
    regexcache._load()[(r"x+", 0)] = (32, b"\xff\xff\xff\xff", 0, {}, (None,))
    assert regexcache.compile(r"x+") == re.compile(r"x+")


def test_nothing_is_written_without_bytecode_writing(tmp_path):
    """PYTHONDONTWRITEBYTECODE: no file beside the package, as no .pyc."""
    probe = ("import sys, checkers.regexcache as r\n"
             f"r._FILE = {str(tmp_path / 'regexes.marshal')!r}\n"
             "r.compile('a+b')\n")
    env = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True)
    assert not (tmp_path / "regexes.marshal").exists()
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
                   check=True)
    assert (tmp_path / "regexes.marshal").is_file()


def test_pyyaml_imported_through_the_kept_code_has_re_s_own_patterns(tmp_path):
    """PyYAML compiles its patterns when imported; `import_module` hands them over from the
    kept file in a later process, equal to re's, and gives `re.compile` back afterwards."""
    probe = ("import re, sys, checkers.regexcache as r\n"
             f"r._FILE = {str(tmp_path / 'regexes.marshal')!r}\n"
             "own = re.compile\n"
             "yaml = r.import_module('yaml')\n"
             "assert re.compile is own\n"
             "from yaml.reader import Reader\n"
             "from yaml.resolver import Resolver\n"
             "found = [Reader.NON_PRINTABLE] + [p for v in Resolver.yaml_implicit_resolvers.values()\n"
             "                                  for _, p in v]\n"
             "assert found and all(p == re.compile(p.pattern, p.flags) for p in found), found\n"
             "print(len(r._store))\n")
    env = {"PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    assert (tmp_path / "regexes.marshal").is_file() and int(first.stdout) >= 8
    again = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True)
    assert int(again.stdout) == int(first.stdout)  # read back, nothing new to compile
