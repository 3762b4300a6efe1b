"""The field's usual mistakes, made by a learner who has not read closely, as the notebooks show
them: each self-check names the line, what is wrong and the fix, and no check is fooled.

Checks run the learner's way, in a fresh ``python -m checkers.course.grade`` process (what
``self_check`` starts), so a rule that only a test process had imported cannot hide; the
notebook cases execute the release's own cells with nbclient.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT
from .notebook_helpers import execute, grade_id

SOLUTIONS = ROOT / "solutions"


def grade(check: str, answer: object) -> dict:
    """The verdict a self-check gets: a fresh grading process, as the notebook starts it."""
    proc = subprocess.run([sys.executable, "-m", "checkers.course.grade", check],
                          input=json.dumps(answer), capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stdout)


def solution(module: str, gid: str) -> str:
    """The YAML of a solution cell (between its triple quotes, markers dropped)."""
    nb = nbformat.read(SOLUTIONS / module / f"{module}.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if grade_id(c) == gid)
    body = source.split('"""', 1)[1].rsplit('"""', 1)[0]
    return body.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")


def messages(verdict: dict, severity: str | None = None) -> list[str]:
    return [f["message"] for f in verdict["findings"] if severity in (None, f["severity"])]


# --- module 01 ---------------------------------------------------------------------------------
def test_gitignore_lines_git_reads_differently_are_named_by_line():
    text = "\n  *.pkl\n\t.env\nmodels\\\n*.csv  # datasets\n\\#notes.txt\n"
    verdict = grade("01-gitignore", text)
    typos = {f["line"]: f for f in verdict["findings"] if f["rule"] == "exercise-2-gitignore"}
    assert sorted(typos) == [2, 3, 4, 5]  # `\#` is an escape git knows: not a typo
    assert "starts with spaces" in typos[2]["message"] and "`*.pkl`" in typos[2]["hint"]
    assert "starts with a tab" in typos[3]["message"] and "`.env`" in typos[3]["hint"]
    assert "backslash" in typos[4]["message"] and "`models/`" in typos[4]["hint"]
    assert "end of a line" in typos[5]["message"] and "`*.csv`" in typos[5]["hint"]
    assert all(f["severity"] == "warning" for f in typos.values())
    # git itself still judges the file: nothing those lines meant to ignore is ignored
    assert any("model weights would be committed" in m for m in messages(verdict, "error"))


def test_a_correct_gitignore_gets_no_typo_warning():
    text = ("\n# models\n*.pkl\n*.pt\n*.pth\n*.onnx\n*.joblib\n*.h5\n*.ckpt\n*.safetensors\n"
            "models/\noutputs/\ncheckpoints/\n# data\ndata/\n*.csv\n*.parquet\n# runs\nmlruns/\n"
            "wandb/\n*.log\n# secrets\n.env\n*.pem\n!.env.example\n")
    verdict = grade("01-gitignore", text)
    assert not [f for f in verdict["findings"] if f["rule"] == "exercise-2-gitignore"], verdict


@pytest.mark.parametrize("answer", [["git rm --cached .env"], {"1": "git status"}])
def test_a_script_answer_of_the_wrong_type_is_named(answer):
    verdict = grade("01-repair", answer)
    assert verdict["ok"] is False
    assert messages(verdict) == [f"REPAIR_SCRIPT is a {type(answer).__name__}, not text"]


def test_a_windows_path_in_a_command_is_explained():
    verdict = grade("01-repair", "git rm --cached models\\churn-model.pkl .env\n")
    stopped = next(f for f in verdict["findings"] if "stopped at line 1" in f["message"])
    assert "modelschurn-model.pkl" in stopped["message"]  # what git got
    assert "Windows path" in stopped["hint"] and "`/`" in stopped["hint"]


def test_git_commit_with_nothing_staged_says_why_it_stopped():
    verdict = grade("02-push", "git switch -c feature/improve-churn-model\n"
                               "sed -i 's/max_iter=200/max_iter=500/' src/train.py\n"
                               "git commit\n")
    stopped = next(f for f in verdict["findings"] if "stopped at line 3" in f["message"])
    # git's reason (on stdout), not the branch switch that stderr also holds
    assert "no changes added to commit" in stopped["message"]
    assert "Switched" not in stopped["message"]
    assert "`git add`" in stopped["hint"]


def test_git_commit_without_message_says_to_use_dash_m():
    verdict = grade("01-repair", "git rm --cached models/churn-model.pkl .env\ngit commit\n")
    stopped = next(f for f in verdict["findings"] if "stopped at line 2" in f["message"])
    assert "`git commit -m" in stopped["hint"]


# --- module 02 ---------------------------------------------------------------------------------
def test_a_filter_indented_under_on_is_refused_as_github_does():
    text = "\non:\n  push:\n  branches: ['feature/**', '!feature/**-wip']\n"
    verdict = grade("02-filters", text)
    assert messages(verdict) and "`on.branches` is a filter, not an event" in messages(verdict)[0]
    assert "Indent it under" in messages(verdict)[0]


def test_a_windows_path_in_a_filter_is_named_by_line():
    text = solution("02-github-actions", "filters").replace("'src/**'", "'src\\**'", 1)
    verdict = grade("02-filters", text)
    slash = [f for f in verdict["findings"] if "backslash" in f["message"]]
    assert len(slash) == 1 and slash[0]["severity"] == "warning"
    assert text.splitlines()[slash[0]["line"] - 1].count("src\\**") == 1
    assert "`src/**`" in slash[0]["hint"]
    assert not [f for f in grade("02-filters", solution("02-github-actions", "filters"))["findings"]]


@pytest.mark.parametrize("check,variable", [("02-filters", "FILTERS"), ("02-workflow", "WORKFLOW"),
                                            ("02-push", "PUSH_SCRIPT")])
def test_an_answer_of_the_wrong_type_is_named_not_called_empty(check, variable):
    verdict = grade(check, {"on": "push"})
    assert messages(verdict) == [f"{variable} is a dict, not text"]


def test_head_ref_on_a_push_workflow_is_an_empty_branch_tag():
    good = solution("02-github-actions", "workflow")
    assert grade("02-workflow", good)["findings"] == []
    verdict = grade("02-workflow", good.replace("BRANCH: ${{ github.ref_name }}",
                                                "BRANCH: ${{ github.head_ref }}"))
    found = [f for f in verdict["findings"] if f["rule"] == "train-traceability"]
    assert len(found) == 1 and found[0]["severity"] == "warning"
    assert "only for pull requests" in found[0]["message"]
    # a workflow that also runs on pull requests has a head_ref there: no finding
    both = good.replace("on:\n  push:", "on:\n  pull_request:\n    branches: [main]\n  push:")
    assert not [f for f in grade("02-workflow", both.replace(
        "BRANCH: ${{ github.ref_name }}", "BRANCH: ${{ github.head_ref }}"))["findings"]
        if f["rule"] == "train-traceability"]


# --- module 03 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("change,expected", [
    (("    environment: production\n", ""), "no job deploys with `environment: production`"),
    (("    environment: production\n", "    environment: prod\n"), "environment: production"),
    (("    needs: [register, staging]\n", "    needs: register\n"), "without waiting for the staging"),
    (("  push:\n    branches: [main]\n", "  push:\n"), "would deploy too"),
])
def test_deploy_mistakes_fail_in_the_learners_own_process(change, expected):
    """The deploy-on-merge rules ran only where another import had loaded them: in the
    self-check's fresh process a production deploy without its environment passed."""
    good = solution("03-environments", "deploy")
    assert change[0] in good
    assert grade("03-deploy", good) == {"ok": True, "findings": [], "notes": []}
    verdict = grade("03-deploy", good.replace(*change))
    assert verdict["ok"] is False and any(expected in m for m in messages(verdict, "error")), verdict


def test_checkers_workflow_command_runs_the_deploy_pattern(tmp_path):
    good = solution("03-environments", "deploy")
    path = tmp_path / "deploy-on-merge.yml"
    path.write_text(good.replace("    environment: production\n", ""))
    proc = subprocess.run([sys.executable, "-m", "checkers", "workflow", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1 and "[deploy-stages]" in proc.stdout, proc.stdout


# --- in the notebook ---------------------------------------------------------------------------
def _cells(module: str, replace: dict[str, str], keep: tuple[str, ...]) -> nbformat.NotebookNode:
    """The release's setup cell, the answer cells in ``replace`` (edited) and the cells after
    them up to the next answer (the self-check, the graded cell), in the release's order."""
    nb = nbformat.read(ROOT / "notebooks" / module / f"{module}.ipynb", as_version=4)
    chosen, taking = [], False
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid == "setup":
            chosen.append(cell)
        elif gid in replace:
            cell.source = replace[gid]
            chosen.append(cell)
            taking = True
        elif cell.metadata.get("nbgrader", {}).get("solution") or cell.cell_type == "markdown":
            taking = False
        elif taking and (gid in keep or gid is None):
            chosen.append(cell)
    nb.cells = chosen
    return nb


def _text(cell) -> str:
    return "".join(o.get("text", "") + json.dumps(o.get("data", {})) for o in cell.outputs)


def test_notebook_01_gitignore_and_script_mistakes(tmp_path):
    nb = _cells("01-git-hygiene", {
        "gitignore": 'GITIGNORE = """\n  *.pkl\nmodels\\\\\n*.csv  # data\n.env\n"""',
        "repair": 'REPAIR_SCRIPT = ["git rm --cached .env"]',
    }, keep=())
    nb = execute(nb, tmp_path)
    out = [(_text(c), c.source) for c in nb.cells if c.source.startswith("# Self-check")]
    gitignore, repair = out[0][0], out[1][0]
    assert "2: warning" in gitignore and "starts with spaces" in gitignore
    assert "3: warning" in gitignore and "`models/`" in gitignore
    assert "4: warning" in gitignore and "end of a line" in gitignore
    assert "REPAIR_SCRIPT is a list, not text" in repair
    assert "Traceback" not in gitignore + repair


def test_notebook_03_ungated_production_deploy_fails_its_self_check(tmp_path):
    good = solution("03-environments", "deploy")
    bad = good.replace("    environment: production\n", "")
    nb = execute(_cells("03-environments", {"deploy": f'DEPLOY_WORKFLOW = """{bad}"""'},
                        keep=("test-deploy",)), tmp_path)
    check = next(c for c in nb.cells if c.source.startswith("# Self-check"))
    graded = next(c for c in nb.cells if grade_id(c) == "test-deploy")
    assert "no job deploys with `environment: production`" in _text(check)
    assert "environment-undeclared" not in _text(check)  # the next exercise's business
    errors = [o for o in graded.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "AssertionError"


# --- module 04 ---------------------------------------------------------------------------------
def test_component_indentation_slip_is_one_finding_with_the_right_fix():
    good = solution("04-azure-ml-assets", "component")
    assert grade("04-component", good)["ok"] is True
    slipped = good.replace("  test_split:\n    type: uri_folder\n", "  test_split:\n  type: uri_folder\n")
    assert slipped != good
    found = grade("04-component", slipped)["findings"]
    schema = [f for f in found if f["rule"] == "azureml-component-schema"]
    assert len(schema) == 1, schema
    assert "indent it under `test_split:`" in schema[0]["message"]
    assert schema[0]["hint"] == "test_split:\n  type: uri_folder"
    assert slipped.splitlines()[schema[0]["line"] - 1] == "  type: uri_folder"
    assert any("`test_split` declares no type" in f["message"] for f in found)


def test_component_windows_code_path_says_to_use_slashes():
    good = solution("04-azure-ml-assets", "component")
    found = grade("04-component", good.replace("code: ../../src", "code: ..\\..\\src"))["findings"]
    paths = [f for f in found if f["rule"] == "azureml-component-paths"]
    assert len(paths) == 1 and paths[0]["hint"].startswith("separate folders with `/`")


def test_params_of_the_wrong_type_is_named():
    assert messages(grade("04-params", {"parameters": {}})) == ["PARAMS_PROD is a dict, not text"]


# --- out of order ------------------------------------------------------------------------------
def test_notebook_02_plan_printed_before_any_push_says_what_to_do(tmp_path):
    """Learner (b): runs the plan cell of exercise 5b after the practice repository was made
    afresh (or after a restart and the setup cell), before any push: it printed `None`."""
    nb = nbformat.read(ROOT / "notebooks" / "02-github-actions" / "02-github-actions.ipynb",
                       as_version=4)
    setup = next(c for c in nb.cells if grade_id(c) == "setup")
    fresh = next(c for c in nb.cells if c.source.startswith("practice = Sandbox()"))
    plan = next(c for c in nb.cells if c.source.strip() == "print(pushed_plan(practice))")
    nb.cells = [setup, fresh, plan]
    out = _text(execute(nb, tmp_path).cells[2])
    assert "No feature branch has reached" in out and "practice.sh(PUSH_SCRIPT)" in out
    assert "None" not in out


def test_a_missing_colon_in_the_filters_is_reported_on_its_own_line():
    text = ("\non:\n  push:\n    branches: ['feature/**', '!feature/**-wip']\n"
            "  pull_request\n    branches: [main]\n")
    assert text.splitlines()[4] == "  pull_request"
    assert "at line 5 (this line's key has no `:`" in messages(grade("02-filters", text))[0]


@pytest.mark.parametrize("old,new,rule,said,at", [
    # a key without its colon: the finding is on that line, not the next
    ("    runs-on: ubuntu-latest\n    permissions:", "    runs-on ubuntu-latest\n    permissions:",
     "workflow-syntax", "this line's key has no `:`", "runs-on ubuntu-latest"),
    # a Windows path on a Linux runner (the step's `run:` block is where it is named)
    ("--file pipelines/training-pipeline.yaml", "--file pipelines\\training-pipeline.yaml",
     "train-job-create", "bash drops it, so az reads `pipelinestraining-pipeline.yaml`", "run: |"),
])
def test_one_slip_in_the_workflow_is_one_finding_at_its_line(old, new, rule, said, at):
    workflow = solution("02-github-actions", "workflow")
    assert workflow.count(old) == 1
    bad = workflow.replace(old, new)
    found = grade("02-workflow", bad)["findings"]
    assert [f["rule"] for f in found] == [rule] and said in found[0]["message"]
    assert bad.splitlines()[found[0]["line"] - 1].strip() == at
