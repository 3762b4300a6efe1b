"""YAML with positions (YAML 1.2): never a crash, always a line."""
import time

import pytest

from checkers.yamlload import load, position


def test_on_stays_a_string_key_and_positions_are_one_based():
    data, problem = load("name: t\non:\n  push:\n    branches: [main]\n")
    assert problem is None
    assert list(data) == ["name", "on"]
    assert position(data, "on") == (2, 1)
    assert position(data["on"], "push") == (3, 3)
    assert position(data["on"]["push"], "branches", value=True) == (4, 15)


@pytest.mark.parametrize("text, line, column, words", [
    ("a: 1\na: 2\n", 2, 1, "duplicate key"),
    ("jobs:\n\ttrain: 1\n", 2, 1, "tab character"),
    ("a: b: c\n", 1, 5, "mapping values are not allowed"),
    ("a: [1, 2\n", 2, 1, "expected"),
    ("a: 1\n---\nb: 2\n", 2, 1, "single document"),
    ("a: *nope\n", 1, 4, "undefined alias"),
])
def test_invalid_yaml_is_a_problem_at_its_line(text, line, column, words):
    data, problem = load(text)
    assert data is None
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    data, problem = load("\n".join(lines))
    assert time.perf_counter() - start < 5
    assert data is None and "alias bomb" in problem.message


def test_a_few_aliases_are_fine():
    data, problem = load("base: &b {x: 1}\nuse: *b\n")
    assert problem is None and data["use"]["x"] == 1


def test_nul_bytes_and_empty_documents():
    assert load("a: 1\x00")[1].line == 1
    assert load("") == (None, None)


@pytest.mark.parametrize("text", [
    "on: push\nyes: 1\nno: off\n", "a: 0o17\nb: 0x1F\nc: 1e3\nd: .inf\ne: ~\nf: 'true'\ng: True\n",
    "k: &x {a: [1, {b: 2}]}\nl: *x\n", "? [a]\n: 1\n" * 0 + "x: 'quoted: yes'\n",
])
def test_fast_loader_matches_ruamel_round_trip(text):
    """libyaml (fast path) and ruamel's YAML 1.2 loader agree on values and positions."""
    from ruamel.yaml import YAML

    from checkers import yamlload

    fast, problem = yamlload.load(text)
    slow = YAML(typ="rt").load(text)
    assert problem is None
    assert _plain(fast) == _plain(slow)
    for key in slow:
        assert position(fast, key) == position(slow, key)
        assert position(fast, key, value=True) == position(slow, key, value=True)


def _plain(value):
    import math

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def test_mapping_as_a_key_is_a_problem_not_a_crash():
    data, problem = load("? [a, b]\n: 1\n")
    assert data is None and "scalar" in problem.message


@pytest.mark.parametrize("text, words", [
    ("a: 1\na: 2\n", "duplicate key"),
    ("jobs: &j {a: {needs: *j}}\n", "recursive"),
    ("a: &a [1, 2]\nb: [*a, *a]\n", None),
])
def test_the_ruamel_fallback_behaves_like_the_fast_path(monkeypatch, text, words):
    """Without libyaml, ruamel parses; the problems and values must be the same."""
    from checkers import yamlload

    fast = yamlload.load(text)
    monkeypatch.setattr(yamlload, "_fast", None)
    slow = yamlload.load(text)
    if words is None:
        assert fast[1] is None and slow[1] is None and _plain(fast[0]) == _plain(slow[0])
    else:
        assert words in fast[1].message and words in slow[1].message
        assert fast[1].line == slow[1].line


def test_alias_precheck_agrees_with_its_pattern():
    import random

    from checkers.yamlload import _ALIAS, has_alias

    rng = random.Random(7)
    alphabet = " \t\n\r\x0b\x0c\x85\u2028\xa0*[]{},:ab"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert has_alias(text) == bool(_ALIAS.search(text)), repr(text)
