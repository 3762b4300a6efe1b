"""Every rule's good and bad examples, with golden output (actionlint's testdata/ok and err/*.out).

An example is a shell script that builds a project (usually a real git repository) in an empty
temporary folder. ``bad-*.sh`` is paired with ``bad-*.out``, the exact text output of
``checkers repo <folder> --select <rule>``; ``good-*.sh`` must give no finding for its rule.
Workflow rules use ``good-*.yml``/``bad-*.yml`` files, checked with ``checkers workflow``.
Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_examples.py``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from checkers.cli import main
from checkers.registry import all_rules

EXAMPLES = Path(__file__).parent / "examples"
SCRIPTS = sorted([*EXAMPLES.glob("*/*.sh"), *EXAMPLES.glob("*/*.yml")])


def workflow_args(example: Path, where: Path) -> list[str]:
    """A workflow example is checked as a file of its own name; `# pattern: X` on line 1 sets X."""
    shutil.copy(example, where / example.name)
    first = example.read_text().splitlines()[:1]
    pattern = first[0].split(":", 1)[1].strip() if first and first[0].startswith("# pattern:") else None
    return ["workflow", example.name, *(["--pattern", pattern] if pattern else [])]


def azure_ai_ml_installed() -> bool:
    from checkers.azureml.sdk import available

    return available()


def repo_args(script: Path) -> list[str]:
    """Extra options for `checkers repo`, from a first line `# checkers: --layout course`."""
    first = script.read_text().splitlines()[:1]
    return first[0].split(":", 1)[1].split() if first and first[0].startswith("# checkers:") else []


def build(script: Path, where: Path) -> Path:
    project = where / "project"
    project.mkdir()
    subprocess.run(["bash", "-euo", "pipefail", str(script)], cwd=project, check=True,
                   capture_output=True, env={**os.environ, "EXAMPLES": str(EXAMPLES)})
    return project


@pytest.mark.parametrize("script", SCRIPTS, ids=[f"{s.parent.name}/{s.stem}" for s in SCRIPTS])
def test_example(script: Path, tmp_path, capsys):
    rule = script.parent.name
    if rule == "workflow-actionlint" and not shutil.which("actionlint"):
        pytest.skip("actionlint is optional and not on PATH")
    if rule == "azureml-sdk-validation" and not azure_ai_ml_installed():
        pytest.skip("azure-ai-ml is optional and not installed (pip install -e '.[azure]')")
    if script.suffix == ".yml":
        os.chdir(tmp_path)
        code = main([*workflow_args(script, tmp_path), "--select", rule])
    else:
        project = build(script, tmp_path)
        os.chdir(project)  # findings are relative to the root; run from it like a user would
        code = main(["repo", ".", "--select", rule, *repo_args(script)])
    out = capsys.readouterr().out
    if script.name.startswith("good-"):
        assert code == 0 and out.strip() == "no problems found", out
        return
    golden = script.with_suffix(".out")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out)
    assert golden.exists(), f"{golden.name} is missing: run with UPDATE_GOLDEN=1"
    assert out == golden.read_text()
    assert f"[{rule}]" in out
    has_error = any(": error: " in line for line in out.splitlines())
    assert code == (1 if has_error else 0)


@pytest.mark.parametrize("rule", [r.id for r in all_rules()])
def test_every_rule_has_good_and_bad_examples(rule):
    folder = EXAMPLES / rule
    good = [*folder.glob("good-*.sh"), *folder.glob("good-*.yml")]
    bad = [*folder.glob("bad-*.sh"), *folder.glob("bad-*.yml")]
    assert good, f"rule {rule} has no good example in {folder}"
    assert bad, f"rule {rule} has no bad example in {folder}"
    for script in bad:
        if rule == "workflow-actionlint" and not shutil.which("actionlint"):
            continue  # its output can only be recorded where the optional binary is installed
        assert script.with_suffix(".out").exists(), f"{script.name} has no expected output"


def test_no_example_for_an_unknown_rule():
    known = {r.id for r in all_rules()}
    assert {p.name for p in EXAMPLES.iterdir() if p.is_dir()} <= known
