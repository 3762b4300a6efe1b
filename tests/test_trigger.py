"""The trigger simulator: GitHub's filter patterns and ``on:`` rules, from GitHub's own examples.

The pattern cases transcribe the "Filter pattern cheat sheet" of *Workflow syntax for GitHub
Actions* (github/docs) row by row; the evaluate() cases follow the documented push/pull_request
rules. Tables of (pattern, name) keep each documented example one line.
"""
from __future__ import annotations

import argparse
import json

import pytest

from checkers.workflow.filters import PatternError, compile_pattern, match_list
from checkers.workflow.trigger import Decision, add_parser, evaluate, run

from .conftest import ROOT


def matches(pattern: str, value: str) -> bool:
    return match_list([pattern], value)[0]


# -- the cheat sheet: "Patterns to match branches and tags" -------------------------------------

BRANCH_TAG_TABLE = [
    ("feature/*", ["feature/my-branch", "feature/your-branch"]),
    ("feature/**", ["feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"]),
    ("main", ["main"]),
    ("releases/mona-the-octocat", ["releases/mona-the-octocat"]),
    ("*", ["main", "releases"]),
    ("**", ["all/the/branches", "every/tag"]),
    ("*feature", ["mona-feature", "feature", "ver-10-feature"]),
    ("v2*", ["v2", "v2.0", "v2.9"]),
    ("v[12].[0-9]+.[0-9]+", ["v1.10.1", "v2.0.0"]),
]
# Not in the table, but what each row's description implies.
BRANCH_TAG_MISSES = [
    ("feature/*", "feature/beta-a/my-branch"),  # * does not match /
    ("feature/**", "feature"),
    ("main", "main2"),
    ("*", "releases/v1"),  # "names that don't contain a slash"
    ("*feature", "feature-x"),
    ("v2*", "v3.0"),
    ("v[12].[0-9]+.[0-9]+", "v3.0.0"),
    ("v[12].[0-9]+.[0-9]+", "v1.x.0"),
    ("v[12].[0-9]+.[0-9]+", "v1..0"),  # + is one or more
    ("v[12].[0-9]+.[0-9]+", "v1a0b0"),  # . is a literal dot
]


@pytest.mark.parametrize("pattern,value", [(p, v) for p, vs in BRANCH_TAG_TABLE for v in vs])
def test_branch_and_tag_table_matches(pattern, value):
    assert matches(pattern, value)


@pytest.mark.parametrize("pattern,value", BRANCH_TAG_MISSES)
def test_branch_and_tag_table_misses(pattern, value):
    assert not matches(pattern, value)


# -- the cheat sheet: "Patterns to match file paths" ---------------------------------------------

PATH_TABLE = [
    ("*", ["README.md", "server.rb"]),
    ("*.jsx?", ["page.js", "page.jsx"]),
    ("**", ["all/the/files.md"]),
    ("*.js", ["app.js", "index.js"]),
    ("**.js", ["index.js", "js/index.js", "src/js/app.js"]),
    ("docs/*", ["docs/README.md", "docs/file.txt"]),
    ("docs/**", ["docs/README.md", "docs/mona/octocat.txt"]),
    ("docs/**/*.md", ["docs/README.md", "docs/mona/hello-world.md", "docs/a/markdown/file.md"]),
    ("**/docs/**", ["docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc"]),
    ("**/README.md", ["README.md", "js/README.md"]),
    ("**/*src/**", ["a/src/app.js", "my-src/code/js/app.js"]),
    ("**/*-post.md", ["my-post.md", "path/their-post.md"]),
    ("**/migrate-*.sql", ["migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql"]),
]
PATH_MISSES = [
    ("*", "docs/README.md"),
    ("*.jsx?", "page.jsxx"),
    ("*.jsx?", "page.j"),
    ("*.js", "js/index.js"),  # "all .js files at the root of the repository"
    ("**.js", "index.jsx"),
    ("docs/*", "docs/mona/octocat.txt"),  # "within the root of the docs directory only"
    ("docs/**", "src/docs/a.md"),  # path patterns start from the repository's root
    ("docs/**/*.md", "docs/a/file.txt"),
    ("**/README.md", "README.md.bak"),
    ("**/*src/**", "a/srcs/app.js"),
    ("**/migrate-*.sql", "db/migrate/v1.sql"),
]


@pytest.mark.parametrize("pattern,value", [(p, v) for p, vs in PATH_TABLE for v in vs])
def test_path_table_matches(pattern, value):
    assert matches(pattern, value)


@pytest.mark.parametrize("pattern,value", PATH_MISSES)
def test_path_table_misses(pattern, value):
    assert not matches(pattern, value)


@pytest.mark.parametrize("value,included,decider", [
    ("hello.md", True, "*.md"),
    ("README.md", False, "!README.md"),  # "Does not match"
    ("docs/hello.md", False, None),  # "Does not match": * stops at /
])
def test_path_table_negation_row(value, included, decider):
    assert match_list(["*.md", "!README.md"], value) == (included, decider)


@pytest.mark.parametrize("value,decider", [
    ("hello.md", "*.md"), ("README.md", "README*"), ("README.doc", "README*")])
def test_path_table_reinclude_row(value, decider):
    assert match_list(["*.md", "!README.md", "README*"], value) == (True, decider)


# -- the cheat sheet's bullets, and what they imply ---------------------------------------------

@pytest.mark.parametrize("pattern,yes,no", [
    ("Octo*", ["Octocat", "Octo"], ["Octo/cat"]),
    ("[CB]at", ["Cat", "Bat"], ["Hat", "at", "CBat"]),
    ("[1-2]00", ["100", "200"], ["300", "00"]),
    ("[0-9a-z]", ["0", "7", "a", "q"], ["A", "-", "ab", ""]),
    ("[A-Z]x", ["Qx"], ["qx"]),
    ("colou?r", ["color", "colour"], ["colouur"]),  # ? is zero or one of the PRECEDING char
    ("Octoc?t", ["Octoct", "Octot"], ["Octocat"]),  # not "any one character"
    ("ab+c", ["abc", "abbbc"], ["ac"]),  # + is one or more of the preceding char
    ("v[0-9]+", ["v1", "v123"], ["v", "v1a"]),  # ... or of the preceding [] class
    ("v[0-9]?", ["v", "v7"], ["v77"]),
    ("a?+b", ["b", "ab", "aab"], ["c"]),  # both: zero or more
    ("*?x", ["x", "abcx"], ["a/x"]),  # after * a ? adds nothing
    ("?x", ["?x"], ["x"]),  # nothing precedes it: literal
    ("a.b", ["a.b"], ["axb"]),  # a dot is a dot
    ("x!y", ["x!y"], []),  # ! is special only at the start
])
def test_cheat_sheet_bullets(pattern, yes, no):
    for value in yes:
        assert matches(pattern, value), value
    for value in no:
        assert not matches(pattern, value), value


@pytest.mark.parametrize("pattern,value,other", [
    (r"\*", "*", "a"),
    (r"file\?", "file?", "file"),
    (r"\+1", "+1", "1"),
    (r"\[abc\]", "[abc]", "a"),
    (r"\!file", "!file", "file"),  # an escaped ! at the start is a literal, not a negation
    (r"escape\\backslash", "escape\\backslash", "escapebackslash"),
    (r"a\**", "a*bc", "abc"),
])
def test_backslash_escapes(pattern, value, other):
    assert matches(pattern, value)
    assert not matches(pattern, other)
    assert match_list([pattern], value) == (True, pattern)


@pytest.mark.parametrize("pattern", ["a[", "[]", "[a-Z]", "[z-a]", "[_]", "[!a]", "x\\", ""])
def test_invalid_patterns(pattern):
    with pytest.raises(PatternError):
        compile_pattern(pattern)


def test_compiled_patterns_are_anchored():
    regex = compile_pattern("main")
    assert regex.match("main") and not regex.match("mainline") and not regex.search("xmain")


# -- order matters (the docs' own examples) -----------------------------------------------------

@pytest.mark.parametrize("value,included", [
    ("releases/10", True), ("releases/beta/mona", True),
    ("releases/10-alpha", False), ("releases/beta/3-alpha", False),
])
def test_releases_negation_example(value, included):
    assert match_list(["releases/**", "!releases/**-alpha"], value)[0] is included


@pytest.mark.parametrize("value,included", [
    ("sub-project/index.js", True), ("sub-project/src/index.js", True),
    ("sub-project/docs/readme.md", False), ("other/index.js", False),
])
def test_sub_project_paths_example(value, included):
    assert match_list(["sub-project/**", "!sub-project/docs/**"], value)[0] is included


def test_positive_after_negative_re_includes():
    patterns = ["sub-project/**", "!sub-project/docs/**", "sub-project/docs/api/**"]
    assert match_list(patterns, "sub-project/docs/api/x.md") == (True, "sub-project/docs/api/**")
    assert match_list(patterns, "sub-project/docs/guide.md") == (False, "!sub-project/docs/**")


def test_a_negative_before_any_positive_does_nothing():
    assert match_list(["!main", "**"], "main") == (True, "**")


def test_negation_only_lists_match_nothing():
    assert match_list(["!main"], "main") == (False, "!main")
    assert match_list(["!main"], "develop") == (False, None)
    decision = evaluate("on:\n  push:\n    branches: ['!main']\n", "push", branch="develop")
    assert not decision.runs
    assert "only negative" in decision.explanation[0]
    assert "at least one positive pattern" in decision.explanation[0]


# -- evaluate(): the seed's train-on-push workflow ----------------------------------------------

TRAIN = """\
on:
  push:
    branches: ['feature/**']
    paths: ['src/**', 'components/**', 'pipelines/**']
jobs: {}
"""


def test_train_feature_branch_with_src_change_runs():
    decision = evaluate(TRAIN, "push", branch="feature/x", changed=["src/train.py"])
    assert decision.runs
    text = "\n".join(decision.explanation)
    assert "'feature/x' matches branches pattern 'feature/**'" in text
    assert "'src/train.py' matches paths pattern 'src/**'" in text


def test_train_feature_branch_with_docs_only_change_does_not_run():
    decision = evaluate(TRAIN, "push", branch="feature/x", changed=["docs/index.md", "README.md"])
    assert not decision.runs
    assert any("no changed file matches ['src/**', 'components/**', 'pipelines/**']" in line
               and "does not run" in line for line in decision.explanation)


def test_train_main_with_src_change_does_not_run():
    decision = evaluate(TRAIN, "push", branch="main", changed=["src/train.py"])
    assert not decision.runs
    assert "'main' matches none of the branches patterns ['feature/**']" in decision.explanation[0]
    assert any("both must be satisfied" in line for line in decision.explanation)


def test_train_tag_push_does_not_run():
    decision = evaluate(TRAIN, "push", tag="v1.0", changed=["src/train.py"])
    assert not decision.runs
    assert "only branch filters" in decision.explanation[0]


def test_the_sample_repos_workflow_file():
    path = ROOT / "sample_repo" / ".github" / "workflows" / "train-on-push.yml"
    assert evaluate(path, "push", branch="feature/churn", changed=["config/a.yml"]).runs
    assert not evaluate(str(path), "push", branch="feature/churn", changed=["notes.md"]).runs


def test_no_changed_files_with_a_paths_filter_is_explained():
    decision = evaluate(TRAIN, "push", branch="feature/x")
    assert not decision.runs
    assert any("No changed files were given" in line and "assumes" in line
               for line in decision.explanation)


def test_paths_negation_in_evaluate():
    wf = "on:\n  push:\n    paths: ['sub-project/**', '!sub-project/docs/**']\n"
    assert evaluate(wf, "push", branch="main", changed=["sub-project/src/index.js"]).runs
    decision = evaluate(wf, "push", branch="main", changed=["sub-project/docs/readme.md"])
    assert not decision.runs
    assert any("excluded by the negative pattern '!sub-project/docs/**'" in line
               for line in decision.explanation)


def test_more_than_300_changed_files():
    changed = [f"docs/{i}.md" for i in range(300)] + ["src/train.py"]
    decision = evaluate(TRAIN, "push", branch="feature/x", changed=changed)
    assert not decision.runs  # the only matching file is number 301
    assert any("301 changed files" in line and "first 300" in line for line in decision.explanation)
    assert evaluate(TRAIN, "push", branch="feature/x", changed=changed[-300:]).runs



def test_a_push_of_more_than_1000_commits_skips_the_path_filter():
    decision = evaluate(TRAIN, "push", branch="feature/x", changed=["README.md"], commits=1001)
    assert decision.runs
    assert any("1001 commits" in line and "not evaluated" in line for line in decision.explanation)
    assert not evaluate(TRAIN, "push", branch="feature/x", changed=["README.md"], commits=1000).runs
    # the branch filter still applies
    assert not evaluate(TRAIN, "push", branch="main", changed=["README.md"], commits=5000).runs


def test_commits_on_the_command_line(capsys, tmp_path):
    wf = tmp_path / "train.yml"
    wf.write_text(TRAIN)
    parser = argparse.ArgumentParser()
    args = add_parser(parser.add_subparsers()).parse_args(
        [str(wf), "--event", "push", "--branch", "feature/x", "--changed", "README.md",
         "--commits", "1500", "--format", "json"])
    assert run(args) == 0
    assert json.loads(capsys.readouterr().out)["runs"] is True
    with pytest.raises(SystemExit):
        add_parser(argparse.ArgumentParser().add_subparsers()).parse_args(
            [str(wf), "--event", "push", "--branch", "x", "--commits", "many"])

# -- evaluate(): push rules ---------------------------------------------------------------------

def test_tag_filters_only_skip_branch_pushes():
    wf = "on:\n  push:\n    tags: ['v*']\n"
    assert evaluate(wf, "push", tag="v1.2").runs
    assert not evaluate(wf, "push", tag="release-1").runs
    decision = evaluate(wf, "push", branch="main")
    assert not decision.runs and "only tag filters" in decision.explanation[0]


def test_no_ref_filters_runs_for_branches_and_tags():
    wf = "on:\n  push:\n    paths: ['src/**']\n"
    assert evaluate(wf, "push", branch="anything", changed=["src/a.py"]).runs
    decision = evaluate(wf, "push", tag="v1", changed=["docs/a.md"])
    assert decision.runs  # path filters are not evaluated for tag pushes
    assert any("not evaluated for tag pushes" in line for line in decision.explanation)


def test_branch_and_tag_examples_from_the_docs():
    wf = ("on:\n  push:\n    branches: [main, 'mona/octocat', 'releases/**']\n"
          "    tags: [v2, v1.*]\n")
    for branch in ("main", "mona/octocat", "releases/10"):
        assert evaluate(wf, "push", branch=branch).runs
    for tag in ("v2", "v1.9.1"):
        assert evaluate(wf, "push", tag=tag).runs
    assert not evaluate(wf, "push", tag="v3").runs
    ignore = ("on:\n  push:\n    branches-ignore: ['mona/octocat', 'releases/**-alpha']\n"
              "    tags-ignore: [v2, v1.*]\n")
    assert evaluate(ignore, "push", branch="main").runs
    assert not evaluate(ignore, "push", branch="releases/beta/3-alpha").runs
    assert not evaluate(ignore, "push", tag="v1.9").runs
    assert evaluate(ignore, "push", tag="v3").runs


def test_paths_ignore_all_match_vs_partial():
    wf = "on:\n  push:\n    paths-ignore: ['docs/**']\n"
    decision = evaluate(wf, "push", branch="main", changed=["docs/a.md", "docs/b/c.md"])
    assert not decision.runs
    assert any("every changed file" in line for line in decision.explanation)
    decision = evaluate(wf, "push", branch="main", changed=["docs/a.md", "src/app.py"])
    assert decision.runs
    assert any("'src/app.py'" in line for line in decision.explanation)


@pytest.mark.parametrize("pair", [("branches", "branches-ignore"), ("tags", "tags-ignore"),
                                  ("paths", "paths-ignore")])
def test_filter_and_its_ignore_twin_is_invalid(pair):
    wf = f"on:\n  push:\n    {pair[0]}: ['a']\n    {pair[1]}: ['b']\n"
    decision = evaluate(wf, "push", branch="a", changed=["a"])
    assert not decision.runs
    assert "invalid" in decision.explanation[0] and pair[1] in decision.explanation[0]


def test_on_string_and_list_forms():
    assert evaluate("on: push\n", "push", branch="main").runs
    assert evaluate("on: push\n", "push", tag="v1").runs
    assert not evaluate("on: push\n", "pull_request", base="main").runs
    both = "on: [push, pull_request]\n"
    assert evaluate(both, "push", branch="x").runs
    assert evaluate(both, "pull_request", base="main", head="x").runs
    decision = evaluate(both, "workflow_dispatch")
    assert not decision.runs and "not 'workflow_dispatch'" in decision.explanation[0]


def test_event_with_null_value_has_no_filters():
    wf = "on:\n  push:\n  workflow_dispatch:\n"
    assert evaluate(wf, "push", branch="main").runs
    decision = evaluate(wf, "workflow_dispatch")
    assert decision.runs and "by hand" in decision.explanation[0]


def test_plain_dict_and_yaml_1_1_key():
    assert evaluate({"on": {"push": {"branches": ["main"]}}}, "push", branch="main").runs
    assert evaluate({True: "push"}, "push", branch="main").runs  # PyYAML reads `on` as true


@pytest.mark.parametrize("text,words", [
    ("on: [push\n", "not valid YAML"),
    ("- just\n- a list\n", "not a YAML mapping"),
    ("name: x\njobs: {}\n", "no `on:`"),
    ("on:\n", "empty"),
    ("on:\n  push: [main]\n", "must be a mapping"),
    ("on:\n  push:\n    branch: [main]\n", "did you mean `branches`"),
    ("on:\n  push:\n    branches: ['v[0-9']\n", "bad pattern"),
])
def test_invalid_workflows_are_explained(text, words):
    decision = evaluate(text, "push", branch="main")
    assert decision == Decision(False, decision.explanation)
    assert words in " ".join(decision.explanation)


def test_argument_problems_raise_value_error():
    with pytest.raises(ValueError):
        evaluate("on: push", "push")
    with pytest.raises(ValueError):
        evaluate("on: push", "push", branch="a", tag="b")
    with pytest.raises(ValueError):
        evaluate("on: pull_request", "pull_request", branch="main")


# -- evaluate(): pull requests ------------------------------------------------------------------

PR = "on:\n  pull_request:\n    branches: [main]\n"


def test_pull_request_matches_the_base_branch():
    assert evaluate(PR, "pull_request", base="main", head="feature/x").runs
    assert not evaluate(PR, "pull_request", base="develop", head="feature/x").runs


def test_head_vs_base_confusion_is_explained():
    decision = evaluate(PR, "pull_request", base="develop", head="main")
    assert not decision.runs
    text = " ".join(decision.explanation)
    assert "base branch 'develop'" in text and "not the head branch 'main'" in text
    assert "would have matched" in text


def test_pull_request_target_and_branches_ignore():
    wf = "on:\n  pull_request_target:\n    branches-ignore: ['releases/**-alpha']\n"
    assert evaluate(wf, "pull_request_target", base="main").runs
    assert not evaluate(wf, "pull_request_target", base="releases/beta/3-alpha").runs


def test_pull_request_activity_types():
    assert evaluate(PR, "pull_request", base="main", activity="synchronize").runs
    decision = evaluate(PR, "pull_request", base="main", activity="closed")
    assert not decision.runs and "opened, synchronize, reopened" in decision.explanation[0]
    closed = "on:\n  pull_request:\n    types: [closed]\n"
    assert evaluate(closed, "pull_request", base="main", activity="closed").runs
    assert not evaluate(closed, "pull_request", base="main").runs  # default activity: opened


def test_pull_request_paths_and_ignored_tags():
    wf = "on:\n  pull_request:\n    paths: ['src/**']\n    tags: ['v*']\n"
    decision = evaluate(wf, "pull_request", base="main", changed=["src/a.py"])
    assert decision.runs
    assert "only apply to push" in decision.explanation[0]
    assert not evaluate(wf, "pull_request", base="main", changed=["README.md"]).runs


def test_refs_prefixes_are_stripped():
    assert evaluate(PR, "pull_request", base="refs/heads/main").runs


# -- the command line ---------------------------------------------------------------------------

def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="checkers")
    add_parser(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(["trigger", *argv]))


@pytest.fixture
def train_file(tmp_path):
    path = tmp_path / "train.yml"
    path.write_text(TRAIN)
    return str(path)


def test_cli_text_output(train_file, capsys):
    assert cli(train_file, "--event", "push", "--branch", "feature/x", "--changed", "src/a.py") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "runs: yes"
    assert all(line.startswith("- ") for line in out[1:]) and len(out) > 1


def test_cli_json_output_when_it_does_not_run(train_file, capsys):
    assert cli(train_file, "--event", "push", "--branch", "main", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["runs", "explanation"]
    assert data["runs"] is False and all(isinstance(line, str) for line in data["explanation"])


def test_cli_pull_request_and_repeated_changed(train_file, capsys):
    code = cli(train_file, "--event", "pull_request", "--base", "main", "--format", "json")
    assert code == 0 and json.loads(capsys.readouterr().out)["runs"] is False


def test_cli_invalid_yaml_is_a_decision(tmp_path, capsys):
    path = tmp_path / "bad.yml"
    path.write_text("on: [push\n")
    assert cli(str(path), "--event", "push", "--branch", "main") == 0
    assert capsys.readouterr().out.startswith("runs: no\n- The workflow is not valid YAML")


@pytest.mark.parametrize("args,words", [
    (["missing.yml", "--event", "push", "--branch", "main"], "no such file"),
    (["{file}", "--event", "push"], "--branch"),
    (["{file}", "--event", "push", "--branch", "a", "--tag", "b"], "not both"),
    (["{file}", "--event", "pull_request"], "--base"),
    (["{file}", "--event", "pull_request", "--base", "main", "--branch", "x"], "--base"),
])
def test_cli_usage_errors_exit_2(args, words, train_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli(*[a.format(file=train_file) for a in args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("checkers: error: ") and words in err[0]


def test_cli_directory_is_a_usage_error(tmp_path, capsys):
    assert cli(str(tmp_path), "--event", "workflow_dispatch") == 2
    assert "not a file" in capsys.readouterr().err


def test_cli_unknown_event_is_rejected_by_argparse(train_file):
    with pytest.raises(SystemExit) as exc:
        cli(train_file, "--event", "pushh", "--branch", "main")
    assert exc.value.code == 2
