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
    ("jobs:\n\ttrain: 1\n", 2, 1, "'\\t'"),
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
