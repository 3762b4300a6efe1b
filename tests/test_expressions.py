"""The expression engine against GitHub's documented semantics.

Cases quote "Evaluate expressions in workflows and actions" (github/docs,
content/actions/reference/workflows-and-actions/expressions.md): its literal examples, the
loose-equality coercion table, the string-cast table, every function's example and the object
filter examples. Where the page is silent, the case follows the reference implementation
(actions/languageservices ``expressions/src``), and says so.
"""
from __future__ import annotations

import math

import pytest

from checkers.workflow import expressions as ex
from checkers.workflow.expressions import (Context, ExpressionError, ExpressionSyntaxError,
                                           Scope, Unknown, evaluate, render, truthy)

FRUITS = [{"name": "apple", "quantity": 1}, {"name": "orange", "quantity": 2},
          {"name": "pear", "quantity": 1}]
VEGETABLES = {
    "scallions": {"colors": ["green", "white", "red"], "ediblePortions": ["roots", "stalks"]},
    "beets": {"colors": ["purple", "red", "gold", "white", "pink"],
              "ediblePortions": ["roots", "stems", "leaves"]},
    "artichokes": {"colors": ["green", "purple", "red", "black"],
                   "ediblePortions": ["hearts", "stems", "leaves"]},
}


def scope(**extra) -> Scope:
    github = Context("github", {
        "event_name": "push", "sha": "3f2a9c1", "ref": "refs/heads/feature/x",
        "ref_name": "feature/x",
        "event": Context("github.event", {"issue": {"labels": [
            {"name": "bug"}, {"name": "help wanted"}]}}),
    }, unknown=["actor"])
    contexts = {"github": github, "env": {"continue": "true", "time": "3"},
                "steps": Context("steps"), "secrets": Context("secrets", display="***"),
                "vars": Context("vars", {"FRUITS": "x"}), "job": {"status": "success"},
                "matrix": {"fruits": FRUITS, "vegetables": VEGETABLES}}
    contexts.update(extra)
    return Scope(contexts, {"success": True, "always": True, "cancelled": False,
                            "failure": False, "hashfiles": None})


def ev(text: str):
    return evaluate(text, scope())


# -- "Literals" ------------------------------------------------------------------------------------

@pytest.mark.parametrize("template,expected", [
    # the page's "Example of literals", as the env values a step would see
    ("${{ null }}", ""),
    ("${{ false }}", "false"),
    ("${{ 711 }}", "711"),
    ("${{ -9.2 }}", "-9.2"),
    ("${{ 0xff }}", "255"),
    ("${{ -2.99e-2 }}", "-0.0299"),
    ("Mona the Octocat", "Mona the Octocat"),
    ("${{ 'It''s open source!' }}", "It's open source!"),
])
def test_documented_literals(template, expected):
    assert render(template, scope())[0] == expected


def test_literal_types():
    assert ev("null") is None and ev("true") is True and ev("false") is False
    assert ev("0xff") == 255 and ev("-2.99e-2") == pytest.approx(-0.0299)
    assert ev("'a''b''c'") == "a'b'c"  # every '' is one quote, not just the first


@pytest.mark.parametrize("literal", ["false", "0", "-0", "''", "null"])
def test_documented_falsy_values(literal):
    """"falsy values (false, 0, -0, "", '', null) are coerced to false"."""
    assert truthy(ev(literal)) is False
    assert ev(f"!{literal}") is True


@pytest.mark.parametrize("literal", ["true", "1", "'false'", "'0'", "' '", "fromJSON('[]')",
                                     "fromJSON('{}')"])
def test_truthy_values(literal):
    assert truthy(ev(literal)) is True


def test_double_quoted_strings_are_an_error():
    """"Wrapping with double quotes (") will throw an error."""
    with pytest.raises(ExpressionSyntaxError):
        ev('github.event_name == "push"')


# -- "Operators" -----------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,expected", [
    ("'ABC' == 'abc'", True),            # "GitHub ignores case when comparing strings"
    ("'Feature/X' == github.ref_name", True),
    ("'b' > 'A'", True),
    ("null == 0", True),                 # coercion table: Null -> 0
    ("true == 1", True),                 # Boolean true -> 1
    ("false == 0", True),                # Boolean false -> 0
    ("'' == 0", True),                   # "empty string returns 0"
    ("'1.5e1' == 15", True),             # "Parsed from any legal JSON number format"
    ("' 2 ' == 2", True),
    ("'abc' == 0", False),               # "... otherwise NaN"
    ("'abc' != 0", True),
    ("'true' == true", False),           # 'true' -> NaN, true -> 1
    ("null == false", True),             # both coerce to 0
    ("null == ''", True),
    ("fromJSON('[]') == 0", False),      # Array -> NaN
    ("fromJSON('{}') == 0", False),      # Object -> NaN
    ("fromJSON('[1]') == fromJSON('[1]')", False),  # "only equal when they are the same instance"
    ("matrix.fruits == matrix.fruits", True),
    ("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3", True),
    ("'10' > 9", True),                  # string coerced to a number
])
def test_operators_and_loose_equality(expr, expected):
    assert ev(expr) is expected


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_nan_makes_every_relational_comparison_false(op):
    """"When NaN is one of the operands of any relational comparison, the result is always false"."""
    assert ev(f"'abc' {op} 1") is False
    assert ev(f"1 {op} 'abc'") is False
    assert ev(f"NaN {op} NaN") is False


def test_and_or_return_an_operand():
    assert ev("github.event_name == 'push' && 'deploy' || 'skip'") == "deploy"
    assert ev("github.event_name == 'pull_request' && 'deploy' || 'skip'") == "skip"
    assert ev("'' || null") is None
    assert ev("0 && 'never'") == 0


def test_precedence():
    assert ev("!false == true") is True         # ! binds tighter than ==
    assert ev("true || false && false") is True  # && binds tighter than ||
    assert ev("1 < 2 == true") is True           # < binds tighter than ==
    assert ev("(true || false) && false") is False


def test_property_dereference_and_index():
    assert ev("github.sha") == "3f2a9c1"
    assert ev("github['sha']") == "3f2a9c1"
    assert ev("GitHub.SHA") == "3f2a9c1"          # contexts and properties ignore case
    assert ev("github.no_such_property") is None  # a missing property is null
    assert ev("fromJSON('[10, 20]')[1]") == 20
    assert ev("fromJSON('[10, 20]')[1.7]") == 20  # the index is floored
    assert ev("fromJSON('[10, 20]')[2]") is None
    assert ev("fromJSON('[10, 20]')[-1]") is None
    assert ev("fromJSON('{\"a\": {\"b\": 1}}').a.b") == 1
    with pytest.raises(ExpressionSyntaxError):
        ev("'text'.length")


# -- "Functions": the string-cast table and every function's documented example ---------------------

@pytest.mark.parametrize("expr,expected", [
    ("format('{0}', null)", ""),
    ("format('{0}', true)", "true"),
    ("format('{0}', false)", "false"),
    ("format('{0}', 3)", "3"),
    ("format('{0}', 1.5)", "1.5"),
    ("format('{0}', 1e15)", "1E+15"),      # "exponential for large numbers"
    ("format('{0}', 0.1)", "0.1"),
])
def test_string_casts(expr, expected):
    assert ev(expr) == expected


@pytest.mark.parametrize("expr,expected", [
    ("contains('Hello world', 'llo')", True),
    ("contains('Hello world', 'LLO')", True),            # "not case sensitive"
    ("contains(github.event.issue.labels.*.name, 'bug')", True),
    ("contains(github.event.issue.labels.*.name, 'BUG')", True),
    ("contains(github.event.issue.labels.*.name, 'wontfix')", False),
    ("contains(fromJSON('[\"push\", \"pull_request\"]'), github.event_name)", True),
    ("contains('abc', fromJSON('[]'))", False),
    ("contains(fromJSON('[1, 2]'), '2')", True),          # array elements use loose equality
    ("contains('true', true)", True),                     # "Casts values to a string"
    ("startsWith('Hello world', 'He')", True),
    ("startsWith('Hello world', 'he')", True),
    ("startsWith('Hello world', 'world')", False),
    ("endsWith('Hello world', 'ld')", True),
    ("endsWith('Hello world', 'LD')", True),
    ("endsWith('Hello world', 'He')", False),
    ("STARTSWITH('abc', 'a')", True),                     # function names ignore case
])
def test_documented_search_functions(expr, expected):
    assert ev(expr) is expected


def test_documented_format_examples():
    assert ev("format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')") == "Hello Mona the Octocat"
    assert ev("format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')") == \
        "{Hello Mona the Octocat!}"
    assert ev("format('{0}-{0}', 'a')") == "a-a"


@pytest.mark.parametrize("expr", ["format('{1}', 'a')", "format('{', 'a')", "format('}', 'a')",
                                  "format('{x}', 'a')"])
def test_format_errors_fail_at_run_time(expr):
    with pytest.raises(ExpressionError):
        ev(expr)


def test_documented_join_example():
    assert ev("join(github.event.issue.labels.*.name, ', ')") == "bug, help wanted"
    assert ev("join(github.event.issue.labels.*.name)") == "bug,help wanted"  # default ','
    assert ev("join('a string')") == "a string"  # "can be an array or a string"
    assert ev("join(fromJSON('[1, true, null]'), '-')") == "1-true-"


def test_documented_tojson_example():
    assert ev("toJSON(job)") == '{\n  "status": "success"\n}'
    assert ev("toJSON(fromJSON('[1, 2.5]'))") == "[\n  1,\n  2.5\n]"


def test_documented_fromjson_examples():
    # "converts the environment variable `continue` from a string to a boolean ... `time` ...
    # to an integer"
    assert ev("fromJSON(env.continue)") is True
    assert ev("fromJSON(env.time)") == 3
    assert ev("fromJSON('{\"include\":[{\"project\":\"foo\"}]}').include[0].project") == "foo"
    with pytest.raises(ExpressionError):
        ev("fromJSON('not json')")


def test_documented_case_examples():
    assert ev("case(github.ref == 'refs/heads/main', 'production', 'development')") == "development"
    assert ev("case(github.ref == 'refs/heads/main', 'production', "
              "github.ref == 'refs/heads/staging', 'staging', "
              "startsWith(github.ref, 'refs/heads/feature/'), 'development', 'unknown')") == \
        "development"
    with pytest.raises(ExpressionError):  # reference implementation: predicates are booleans
        ev("case('yes', 'a', 'b')")


def test_hashfiles_is_unknown_offline():
    value = ev("hashFiles('**/package-lock.json', '**/Gemfile.lock')")
    assert isinstance(value, Unknown)
    assert render("key-${{ hashFiles('**/requirements.txt') }}", scope())[0] == \
        "key-${{ hashFiles('**/requirements.txt') }}"


def test_status_functions_answer_from_the_scope():
    assert ev("success()") is True and ev("always()") is True
    assert ev("cancelled()") is False and ev("failure()") is False
    assert ev("failure() && steps.demo.conclusion == 'failure'") is False
    assert ex.uses_status_function(ex.parse("!cancelled()"))
    assert not ex.uses_status_function(ex.parse("github.ref == 'refs/heads/main'"))
    with pytest.raises(ExpressionSyntaxError):  # outside if: there are no status functions
        evaluate("success()", Scope({"github": {}}))


# -- "Object filters" ------------------------------------------------------------------------------

def test_documented_object_filters():
    assert ev("matrix.fruits.*.name") == ["apple", "orange", "pear"]
    assert sorted(ev("matrix.vegetables.*.ediblePortions")) == sorted(
        [["roots", "stalks"], ["hearts", "stems", "leaves"], ["roots", "stems", "leaves"]])
    assert ev("matrix.fruits.*.nothing") == []
    assert ev("matrix.vegetables.*.colors.*").count("red") == 3


# -- unknowns: never guessed -----------------------------------------------------------------------

def test_unknown_values_stay_unknown():
    assert isinstance(ev("steps.build.outputs.version"), Unknown)
    assert isinstance(ev("github.actor"), Unknown)          # documented, not given
    assert isinstance(ev("vars.NOT_GIVEN"), Unknown)
    assert ev("vars.fruits") == "x"                         # given; names ignore case
    assert isinstance(ev("steps.a.outputs.b == 'x'"), Unknown)
    assert isinstance(ev("contains(steps.a.outputs.b, 'x')"), Unknown)
    assert isinstance(ev("format('{0}', steps.a.outputs.b)"), Unknown)


def test_unknowns_with_a_certain_answer():
    assert ev("false && steps.a.outputs.b") is False
    assert ev("true || steps.a.outputs.b") is True
    later = ev("steps.a.outputs.b && false")
    assert isinstance(later, Unknown) and truthy(later) is False
    later = ev("steps.a.outputs.b || 'fallback'")
    assert isinstance(later, Unknown) and truthy(later) is True
    assert truthy(ev("steps.a.outputs.b && true")) is None
    assert ev("!(steps.a.outputs.b && false)") is True


def test_secrets_show_as_stars():
    assert render("--token ${{ secrets.AZURE_CLIENT_ID }}", scope())[0] == "--token ***"
    assert isinstance(ev("secrets.X"), Unknown)


def test_template_keeps_unknown_parts_verbatim():
    text, unknowns = render("v=${{ steps.v.outputs.version }} sha=${{ github.sha }}", scope())
    assert text == "v=${{ steps.v.outputs.version }} sha=3f2a9c1"
    assert [u.what for u in unknowns] == ["steps.v.outputs.version"]


# -- syntax GitHub refuses -------------------------------------------------------------------------

@pytest.mark.parametrize("expr", [
    "github.sha = 'x'", "a & b", "'unterminated", "nosuchcontext.x", "nosuchfunction()",
    "contains('a')", "toJSON(1, 2)", "(true", "github.", "", "1 +", "github..sha",
])
def test_syntax_errors(expr):
    with pytest.raises(ExpressionSyntaxError):
        ex.parse(expr)


def test_template_with_unclosed_expression():
    with pytest.raises(ExpressionSyntaxError):
        ex.check_template("echo ${{ github.sha ")
    # '}}' inside a string literal does not close the expression
    assert render("${{ format('{0}}}', 'a') }}", scope())[0] == "a}"


def test_number_parsing_and_printing_follow_the_runner():
    assert ex.parse_number("0x1F") == 31 and math.isnan(ex.parse_number("12abc"))
    assert ex.parse_number("") == 0 and ex.parse_number(".5") == 0.5
    assert ex.number_to_string(255.0) == "255" and ex.number_to_string(-0.0) == "0"
    assert ex.number_to_string(0.00001) == "1E-05"
    assert ex.number_to_string(123456789012345.0) == "123456789012345"
