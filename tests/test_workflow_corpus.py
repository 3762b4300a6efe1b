"""Real-world-shaped workflows (tests/workflows/): every finding is expected, nothing else is.

Each file says what it expects in its header, one finding per line::

    # expect: RULE SEVERITY [words in the message]

and a file without ``expect`` lines must get no finding at all. Files in ``pattern/`` and
``lesson/`` are checked with ``--pattern train-on-push``; ``lesson/`` holds the lesson's own
snippets. ``good-*`` files are the false-positive categories of issue #9 (GitHub runs them as
they say; the checker must not cry wolf), ``bad-*`` files the real problems.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from checkers.cli import main
from checkers.workflow import check_workflows
from checkers.workflow.trigger import evaluate

CORPUS = Path(__file__).parent / "workflows"
PATTERN_DIRS = {"pattern", "lesson"}
FILES = sorted(CORPUS.glob("**/*.yml"))


def expectations(path: Path) -> list[tuple[str, str, str]]:
    found = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            rule, severity, *words = line.split(":", 1)[1].split()
            found.append((rule, severity, " ".join(words)))
    return found


@pytest.fixture(scope="module")
def results() -> dict[Path, list]:
    """All files checked in two runs (one zizmor process each), findings by file."""
    by_file: dict[Path, list] = {f: [] for f in FILES}
    plain = [f for f in FILES if f.parent.name not in PATTERN_DIRS]
    pattern = [f for f in FILES if f.parent.name in PATTERN_DIRS]
    for files, mode in ((plain, None), (pattern, "train-on-push")):
        for finding in check_workflows(files, pattern=mode):
            by_file[Path(finding.path)].append(finding)
    return by_file


def test_the_corpus_has_good_and_bad_workflows():
    good = [f for f in FILES if f.name.startswith("good-")]
    bad = [f for f in FILES if f.name.startswith("bad-")]
    assert len(good) >= 15 and len(bad) >= 15
    assert all(expectations(f) for f in bad), "a bad example must expect a finding"
    for f in good:  # a good example may only expect notes and zizmor's skipped audit
        assert all(sev == "info" for _, sev, _ in expectations(f)), f.name


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(CORPUS)) for f in FILES])
def test_findings_are_exactly_the_expected_ones(path, results):
    expected = expectations(path)
    found = results[path]
    unmatched = list(found)
    for rule, severity, words in expected:
        match = next((f for f in unmatched if f.rule == rule and f.severity == severity
                      and all(w.lower() in (f.message + " " + f.hint).lower()
                              for w in words.split())), None)
        assert match is not None, (f"expected {rule} {severity} {words!r}; got:\n"
                                   + "\n".join(f"{f.location} {f.severity} [{f.rule}] {f.message}"
                                               for f in found))
        unmatched.remove(match)
    assert not unmatched, "unexpected findings:\n" + "\n".join(
        f"{f.location} {f.severity} [{f.rule}] {f.message}" for f in unmatched)


def test_no_finding_is_reported_twice(results):
    for path, found in results.items():
        places = [(f.line, f.column, f.message) for f in found]
        assert len(places) == len(set(places)), path
        lines = [f.line for f in found if f.rule.startswith(("train-oidc", "workflow-azure-login"))]
        assert len(lines) == len(set(lines)), path


def test_the_lessons_first_snippet_passes_the_pattern(results):
    found = results[CORPUS / "lesson" / "train-on-push-snippet1.yml"]
    assert found and not [f for f in found if f.severity == "error"]


def test_the_lessons_second_snippet_gets_the_env_fix(results):
    found = results[CORPUS / "lesson" / "train-on-push-snippet2.yml"]
    injections = [f for f in found if "template-injection" in f.message]
    assert injections and {f.severity for f in injections} == {"warning"}
    assert all("REF_NAME: ${{ github.ref_name }}" in f.hint and '"$REF_NAME"' in f.hint
               for f in injections)


def test_every_schema_exception_is_needed_by_a_corpus_workflow():
    """Each entry of the list of schema-vs-GitHub disagreements is used: without its change to
    the schema, some workflow GitHub accepts (tests/workflows/good-*) would be refused."""
    from checkers.workflow import schema
    from checkers.workflow.context import WorkflowContext

    good = [WorkflowContext.from_text(f, f.name, f.read_text()) for f in FILES
            if f.name.startswith("good-")]
    docs = [schema.plain(c.data) for c in good if c.ok and not c.is_action]  # workflows only
    original = json.loads(schema.schema_file().read_text())
    patched = schema.patched_schema()
    assert all(schema._Compiler(patched).compile(patched)(d) for d in docs)
    for entry in schema.GITHUB_ACCEPTS:
        assert entry.what and entry.evidence
        if entry.patch is None:
            continue
        without = copy.deepcopy(original)
        for other in schema.GITHUB_ACCEPTS:
            if other is not entry and other.patch is not None:
                other.patch(without)
        check = schema._Compiler(without).compile(without)
        assert not all(check(d) for d in docs), f"no corpus workflow needs: {entry.what}"


def test_fast_schema_check_agrees_with_jsonschema():
    from checkers.workflow import schema
    from checkers.workflow.context import WorkflowContext

    examples = [*FILES, *sorted((Path(__file__).parent / "examples").glob("workflow-*/*.yml")),
                *sorted((Path(__file__).parent / "examples").glob("train-*/*.yml"))]
    fast, full = schema.fast_valid(), schema.validator()
    verdicts = set()
    for path in examples:
        ctx = WorkflowContext.from_text(path, path.name, path.read_text())
        if ctx.ok:
            data = schema.plain(ctx.data)
            assert fast(data) == full.is_valid(data), path
            verdicts.add(fast(data))
    assert verdicts == {True, False}


def test_trigger_and_workflow_agree_on_a_file_github_cannot_read(tmp_path, capsys):
    wf = tmp_path / "train-on-push.yml"
    wf.write_bytes(b"on:\n  push:\n    branches: [main]\n# caf\xe9 au lait\njobs:\n  t:\n"
                   b"    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n")
    decision = evaluate(str(wf), "push", branch="main")
    assert not decision.runs and "UTF-8" in decision.explanation[0]
    assert evaluate(wf.read_bytes(), "push", branch="main") == decision
    assert main(["trigger", str(wf), "--event", "push", "--branch", "main"]) == 0
    assert "runs: no" in capsys.readouterr().out
    result = check_workflows([wf])
    assert [(f.rule, f.severity, f.line) for f in result] == [("workflow-syntax", "error", 4)]
    assert "UTF-8" in result.findings[0].message


def test_the_severity_policy_heads_the_rules_reference():
    text = (Path(__file__).parent.parent / "docs" / "rules.md").read_text()
    assert text.index("## Severity policy") < text.index("## Rules") < text.index("\n## train-")
    for word in ("**error**", "**warning**", "**info**", "zizmor"):
        assert word in text[:text.index("## Rules")]


def test_trigger_and_workflow_agree_on_a_file_too_large_to_be_a_workflow(tmp_path, capsys):
    wf = tmp_path / "ci.yml"
    wf.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n"
                  + "# padding\n" * 300_000)
    assert main(["trigger", str(wf), "--event", "push", "--branch", "main"]) == 0
    out = capsys.readouterr().out
    assert "runs: no" in out and "MiB" in out
    result = check_workflows([wf])
    assert [(f.rule, f.severity) for f in result] == [("workflow-syntax", "error")]
    assert "MiB" in result.findings[0].message
