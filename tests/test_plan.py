"""``checkers plan``: the sample repository's workflows, GitHub's documented job and matrix rules,
and the command line's contract (JSON shape, exit codes, one-line errors)."""
from __future__ import annotations

import json
import textwrap

import pytest

from checkers.cli import main
from checkers.workflow.plan import PlanError, expand_matrix, plan, shell_preview

from .conftest import ROOT

WORKFLOWS = ROOT / "sample_repo" / ".github" / "workflows"
TRAIN = WORKFLOWS / "train-on-push.yml"
DEPLOY = WORKFLOWS / "deploy-on-merge.yml"
SHA = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"


def wf(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def step(p, job_id: str, name: str, index: int = 0):
    jobs = [j for j in p.jobs if j.id == job_id]
    return next(s for s in jobs[index].steps if s.name == name)


# -- the sample repository -------------------------------------------------------------------------

def test_push_to_feature_branch_shows_the_training_command():
    p = plan(TRAIN, "push", branch="feature/x", sha=SHA, changed=["src/train.py"], run_number=7)
    assert p.runs is True
    assert any("feature/**" in line for line in p.why)
    assert [j.id for j in p.jobs] == ["test", "train"]
    assert [j.status for j in p.jobs] == ["runs", "runs"]
    assert p.job("train").needs == ["test"] and p.job("train").condition == "success()"
    submit = step(p, "train", "Submit the training pipeline")
    assert submit.kind == "run" and "az ml job create" in submit.body
    assert submit.env["BRANCH"] == "feature/x"
    assert submit.env["COMMIT"] == SHA
    assert submit.env["RUN_NUMBER"] == "7"
    assert submit.env["RESOURCE_GROUP"] == "rg-ml-dev"  # job-level env reaches the step
    filled = shell_preview(submit.body, submit.env)
    assert '--set tags.branch="feature/x"' in filled
    assert f'--set tags.commit="{SHA}"' in filled
    assert '--set display_name="feature-x-7"' in filled  # ${BRANCH//\//-}
    assert '--workspace-name "neuralspark-dev"' in filled
    text = p.text()
    assert f'--set tags.commit="{SHA}"' in text and "az ml job create" in text


def test_cli_json_for_the_sample_push(capsys):
    code = main(["plan", str(TRAIN), "--event", "push", "--branch", "feature/x", "--sha", SHA,
                 "--changed", "src/train.py", "--repo", "neuralspark/churn", "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"runs", "why", "jobs"} and out["runs"] is True
    for job in out["jobs"]:
        assert set(job) == {"id", "needs", "if", "status", "reason", "matrix", "steps"}
        for s in job["steps"]:
            assert set(s) in ({"name", "run", "env"}, {"name", "uses", "env"})
    train = out["jobs"][1]
    assert train["id"] == "train" and train["needs"] == ["test"] and train["matrix"] is None
    assert train["steps"][1] == {"name": "Azure login (OIDC)", "uses": "azure/login@v2",
                                 "env": {"RESOURCE_GROUP": "rg-ml-dev",
                                         "WORKSPACE": "neuralspark-dev"}}
    submit = train["steps"][3]
    assert submit["env"]["COMMIT"] == SHA and submit["env"]["BRANCH"] == "feature/x"
    # not given: stays an expression rather than a guess
    assert submit["env"]["RUN_NUMBER"] == "${{ github.run_number }}"


@pytest.mark.parametrize("branch,changed", [("main", ["src/train.py"]),
                                            ("feature/x", ["README.md"]),
                                            ("feature/x", [])])
def test_sample_push_that_does_not_run(branch, changed):
    p = plan(TRAIN, "push", branch=branch, changed=changed)
    assert p.runs is False and p.jobs == [] and p.why[-1] == "So the workflow does not run."


def test_deploy_on_merge_jobs_in_needs_order_with_unknown_outputs():
    p = plan(DEPLOY, "push", branch="main", sha=SHA,
             variables={"AZURE_RESOURCE_GROUP": "rg-staging"})
    assert [j.id for j in p.jobs] == ["register", "deploy-staging", "deploy-production"]
    staging = p.job("deploy-staging")
    assert staging.env["MODEL_VERSION"] == "${{ needs.register.outputs.model-version }}"
    assert staging.env["RESOURCE_GROUP"] == "rg-staging"                   # --var
    assert staging.env["WORKSPACE"] == "${{ vars.AZUREML_WORKSPACE }}"     # not given
    assert staging.env["MODEL_NAME"] == "churn-model"                      # workflow env
    register = step(p, "register", "Register the model and share it to the registry")
    assert register.env["JOB_NAME"] == "${{ steps.job.outputs.name }}"
    assert register.env["COMMIT"] == SHA


def test_deploy_on_merge_dispatch_inputs():
    p = plan(DEPLOY, "workflow_dispatch", branch="main", inputs={"training_job": "job-42"})
    assert step(p, "register", "Pick the training job").env["REQUESTED_JOB"] == "job-42"
    p = plan(DEPLOY, "workflow_dispatch", branch="main")
    assert step(p, "register", "Pick the training job").env["REQUESTED_JOB"] == ""
    with pytest.raises(PlanError, match="unexpected input"):
        plan(DEPLOY, "workflow_dispatch", branch="main", inputs={"nope": "1"})


# -- jobs: needs levels, if:, skipped and unknown -------------------------------------------------

GATED = wf("""
    on: push
    jobs:
      deploy:
        needs: [build, test]
        if: github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        steps: [{run: echo deploy}]
      build:
        runs-on: ubuntu-latest
        steps: [{run: echo build}]
      test:
        needs: build
        runs-on: ubuntu-latest
        steps: [{run: echo test}]
      notify:
        needs: deploy
        runs-on: ubuntu-latest
        steps: [{run: echo notify}]
      report:
        needs: deploy
        if: ${{ always() }}
        runs-on: ubuntu-latest
        steps: [{run: echo report}]
      cleanup:
        needs: deploy
        if: ${{ !cancelled() }}
        runs-on: ubuntu-latest
        steps: [{run: echo cleanup}]
      on-failure:
        needs: build
        if: failure()
        runs-on: ubuntu-latest
        steps: [{run: echo failed}]
      lint:
        runs-on: ubuntu-latest
        steps: [{run: echo lint}]
""")


def test_job_order_follows_needs_levels_then_file_order():
    p = plan(GATED, "push", branch="main")
    assert [j.id for j in p.jobs] == ["build", "lint", "test", "on-failure", "deploy", "notify",
                                      "report", "cleanup"]


def test_if_and_skipped_needs():
    p = plan(GATED, "push", branch="feature/x")
    status = {j.id: j.status for j in p.jobs}
    assert status == {"build": "runs", "lint": "runs", "test": "runs", "on-failure": "skipped",
                      "deploy": "skipped", "notify": "skipped", "report": "runs",
                      "cleanup": "runs"}
    assert "false" in p.job("deploy").reason
    assert "deploy" in p.job("notify").reason and "skipped" in p.job("notify").reason
    assert p.job("notify").condition == "success()"      # the default `if`
    assert p.job("report").condition == "always()"       # ${{ }} stripped
    assert "failure()" in p.job("on-failure").reason
    assert p.job("deploy").steps == []                   # a skipped job runs no step
    main_push = plan(GATED, "push", branch="main")
    assert main_push.job("deploy").status == "runs" and main_push.job("notify").status == "runs"


def test_if_on_run_time_values_is_unknown_and_so_are_its_dependents():
    p = plan(wf("""
        on: push
        jobs:
          check:
            runs-on: ubuntu-latest
            outputs: {changed: "${{ steps.diff.outputs.changed }}"}
            steps: [{id: diff, run: echo changed=true >> $GITHUB_OUTPUT}]
          train:
            needs: check
            if: needs.check.outputs.changed == 'true'
            runs-on: ubuntu-latest
            steps: [{run: echo train}]
          after:
            needs: train
            runs-on: ubuntu-latest
            steps: [{run: echo after}]
          certain:
            needs: check
            if: github.event_name == 'pull_request' && needs.check.outputs.changed == 'true'
            runs-on: ubuntu-latest
            steps: [{run: echo never}]
    """), "push", branch="main")
    status = {j.id: j.status for j in p.jobs}
    assert status == {"check": "runs", "train": "unknown", "after": "unknown",
                      "certain": "skipped"}
    assert "needs.check.outputs.changed" in p.job("train").reason


def test_if_written_as_text_around_an_expression_is_always_true():
    """A documented trap: text outside ${{ }} makes the condition a non-empty string."""
    p = plan(wf("""
        on: push
        jobs:
          a:
            if: ${{ false }} == true
            runs-on: ubuntu-latest
            steps: [{run: echo a}]
          b:
            if: ${{ false }}
            runs-on: ubuntu-latest
            steps: [{run: echo b}]
    """), "push", branch="main")
    assert p.job("a").status == "runs" and p.job("b").status == "skipped"


def test_step_if_and_step_env():
    p = plan(wf("""
        on: push
        env: {LEVEL: workflow, SHARED: from-workflow}
        jobs:
          build:
            runs-on: ubuntu-latest
            env: {LEVEL: job, TOKEN: "${{ secrets.DEPLOY_TOKEN }}"}
            steps:
              - name: on failure only
                if: failure()
                run: echo failed
              - name: always
                if: always()
                run: echo "$LEVEL"
              - name: on main
                if: github.ref == 'refs/heads/main'
                run: echo main
              - name: maybe
                if: steps.x.outputs.y == 'z'
                run: echo maybe
              - name: step env
                env: {LEVEL: step, FROM_ENV: "${{ env.SHARED }}-${{ env.LEVEL }}"}
                run: echo "${{ env.LEVEL }} ${{ secrets.DEPLOY_TOKEN }}"
              - uses: actions/checkout@v4
    """), "push", branch="feature/x")
    job = p.job("build")
    assert [(s.name, s.status) for s in job.steps] == [
        ("on failure only", "skipped"), ("always", "runs"), ("on main", "skipped"),
        ("maybe", "unknown"), ("step env", "runs"), ("Run actions/checkout@v4", "runs")]
    last = job.steps[4]
    assert last.env == {"LEVEL": "step", "SHARED": "from-workflow", "TOKEN": "***",
                        "FROM_ENV": "from-workflow-job"}
    assert last.body == "echo \"step ***\""
    names = [s["name"] for s in p.to_dict()["jobs"][0]["steps"]]
    assert names == ["always", "maybe", "step env", "Run actions/checkout@v4"]


# -- matrix: the examples of "Running variations of jobs in a workflow" ---------------------------

def test_matrix_include_documented_example():
    combos = expand_matrix({
        "fruit": ["apple", "pear"], "animal": ["cat", "dog"],
        "include": [{"color": "green"}, {"color": "pink", "animal": "cat"},
                    {"fruit": "apple", "shape": "circle"}, {"fruit": "banana"},
                    {"fruit": "banana", "animal": "cat"}]})
    assert combos == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_matrix_exclude_documented_example():
    combos = expand_matrix({
        "os": ["macos-latest", "windows-latest"], "version": [12, 14, 16],
        "environment": ["staging", "production"],
        "exclude": [{"os": "macos-latest", "version": 12, "environment": "production"},
                    {"os": "windows-latest", "version": 16}]})
    assert len(combos) == 9
    assert {"os": "macos-latest", "version": 12, "environment": "production"} not in combos
    assert not [c for c in combos if c["os"] == "windows-latest" and c["version"] == 16]
    assert combos[0] == {"os": "macos-latest", "version": 12, "environment": "staging"}


def test_matrix_expanding_and_adding_documented_examples():
    assert expand_matrix({"os": ["windows-latest", "ubuntu-latest"], "node": [14, 16],
                          "include": [{"os": "windows-latest", "node": 16, "npm": 6}]}) == [
        {"os": "windows-latest", "node": 14}, {"os": "windows-latest", "node": 16, "npm": 6},
        {"os": "ubuntu-latest", "node": 14}, {"os": "ubuntu-latest", "node": 16}]
    added = expand_matrix({"os": ["windows-latest", "ubuntu-latest"], "node": [14, 16],
                           "include": [{"os": "windows-latest", "node": 17}]})
    assert len(added) == 5 and added[-1] == {"os": "windows-latest", "node": 17}
    assert expand_matrix({"include": [{"site": "production", "datacenter": "site-a"},
                                      {"site": "staging", "datacenter": "site-b"}]}) == [
        {"site": "production", "datacenter": "site-a"},
        {"site": "staging", "datacenter": "site-b"}]


@pytest.mark.parametrize("matrix", [{"os": []}, {"os": "ubuntu"}, {"a": list(range(17)),
                                                                    "b": list(range(16))}])
def test_matrix_github_refuses(matrix):
    with pytest.raises(ValueError):
        expand_matrix(matrix)


def test_matrix_job_has_one_entry_per_combination():
    p = plan(wf("""
        on: push
        jobs:
          test:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                python: ['3.10', '3.11']
                os: [ubuntu-latest]
                include:
                  - python: '3.11'
                    coverage: true
            steps:
              - run: pytest --python ${{ matrix.python }} ${{ matrix.coverage && '--cov' || '' }}
                env: {INDEX: "${{ strategy.job-index }}/${{ strategy.job-total }}"}
          fan-in:
            needs: test
            runs-on: ubuntu-latest
            steps: [{run: echo done}]
          dynamic:
            needs: fan-in
            runs-on: ubuntu-latest
            strategy:
              matrix: ${{ fromJSON(needs.fan-in.outputs.matrix) }}
            steps:
              - run: echo ${{ matrix.x }}
    """), "push", branch="main")
    out = p.to_dict()["jobs"]
    assert [(j["id"], j["matrix"]) for j in out[:2]] == [
        ("test", {"python": "3.10", "os": "ubuntu-latest"}),
        ("test", {"python": "3.11", "os": "ubuntu-latest", "coverage": True})]
    assert out[0]["steps"][0]["run"] == "pytest --python 3.10 "
    assert out[1]["steps"][0]["run"] == "pytest --python 3.11 --cov"
    assert out[1]["steps"][0]["env"] == {"INDEX": "1/2"}
    dynamic = out[3]
    assert dynamic["id"] == "dynamic" and dynamic["status"] == "unknown"
    assert dynamic["matrix"] is None and "run time" in dynamic["reason"]
    assert dynamic["steps"][0]["run"] == "echo ${{ matrix.x }}"


# -- other events -----------------------------------------------------------------------------------

def test_pull_request_context():
    p = plan(wf("""
        on:
          pull_request:
            branches: [main]
        jobs:
          show:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.head_ref }} -> ${{ github.base_ref }} ${{ github.ref }}"
    """), "pull_request", base="main", head="feature/x")
    assert p.runs and p.jobs[0].steps[0].body == 'echo "feature/x -> main ${{ github.ref }}"'


def test_tag_push_and_repository():
    p = plan(wf("""
        on: {push: {tags: ['v*']}}
        jobs:
          release:
            if: github.ref_type == 'tag' && startsWith(github.ref, 'refs/tags/v')
            runs-on: ubuntu-latest
            steps: [{run: "echo ${{ github.ref_name }} ${{ github.repository }} ${{ github.repository_owner }}"}]
    """), "push", tag="v1.2", repo="neuralspark/churn")
    assert p.job("release").status == "runs"
    assert p.jobs[0].steps[0].body == "echo v1.2 neuralspark/churn neuralspark"


def test_dispatch_input_types():
    text = wf("""
        on:
          workflow_dispatch:
            inputs:
              dry-run: {type: boolean, default: true}
              stage: {type: choice, options: [dev, prod], default: dev}
              epochs: {type: number, required: true}
        jobs:
          go:
            if: inputs.dry-run == false && inputs.epochs > 5
            runs-on: ubuntu-latest
            steps: [{run: "echo ${{ inputs.stage }} ${{ github.event.inputs.dry-run }} ${{ inputs.epochs }}"}]
    """)
    p = plan(text, "workflow_dispatch", branch="main", inputs={"dry-run": "false", "epochs": "10"})
    assert p.job("go").status == "runs"
    assert p.jobs[0].steps[0].body == "echo dev false 10"
    assert plan(text, "workflow_dispatch", branch="main",
                inputs={"epochs": "10"}).job("go").status == "skipped"  # default true
    with pytest.raises(PlanError, match="required"):
        plan(text, "workflow_dispatch", branch="main")
    with pytest.raises(PlanError, match="one of"):
        plan(text, "workflow_dispatch", branch="main", inputs={"epochs": "1", "stage": "qa"})
    with pytest.raises(PlanError, match="boolean"):
        plan(text, "workflow_dispatch", branch="main", inputs={"epochs": "1", "dry-run": "yes"})


# -- workflows GitHub refuses ------------------------------------------------------------------------

@pytest.mark.parametrize("jobs,words", [
    ("a: {runs-on: x, needs: nope, steps: [{run: echo}]}", "not a job"),
    ("a: {runs-on: x, needs: b, steps: [{run: echo}]}\n  b: {runs-on: x, needs: a, steps: [{run: echo}]}",
     "cycle"),
    ("a: {runs-on: x, steps: [{run: 'echo ${{ github.sha = 1 }}'}]}", "line 3"),
    ("a: {runs-on: x, if: 'github.ref == \"main\"', steps: [{run: echo}]}", "cannot read"),
    ("a: {runs-on: x, if: matrix.os == 'linux', steps: [{run: echo}]}", "matrix"),
    ("a: {runs-on: x, env: {A: '${{ env.B }}'}, steps: [{run: echo}]}", "env"),
    # "Context availability": no secrets in a step's if:, hashFiles only in steps, status
    # functions only in if:
    ("a: {runs-on: x, steps: [{if: secrets.TOKEN != '', run: echo}]}", "secrets"),
    ("a: {runs-on: x, if: hashFiles('x') != '', steps: [{run: echo}]}", "hashFiles"),
    ("a: {runs-on: x, steps: [{run: 'echo ${{ success() }}'}]}", "success"),
])
def test_invalid_workflows_never_run(jobs, words):
    p = plan(f"on: push\njobs:\n  {jobs}\n", "push", branch="main")
    assert p.runs is False and p.jobs == []
    assert words in p.why[-1] and "never runs" in p.why[-1]


# -- the command line --------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["plan", "missing.yml", "--branch", "main"],
    ["plan", str(TRAIN)],                                        # a push needs --branch/--tag
    ["plan", str(TRAIN), "--branch", "main", "--input", "novalue"],
    ["plan", str(TRAIN), "--branch", "main", "--repo", "not a repo"],
    ["plan", str(TRAIN), "--event", "pull_request", "--branch", "main"],
    ["plan", str(TRAIN), "--branch", "main", "--run-number", "x"],
    ["plan", str(WORKFLOWS), "--branch", "main"],                # a folder
])
def test_cli_bad_arguments_exit_2_with_one_line(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("checkers: error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_cli_not_valid_yaml_is_decided(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs: [\n")
    assert main(["plan", str(bad), "--branch", "main", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["runs"] is False and out["jobs"] == [] and "line" in out["why"][0]


def test_shell_preview_leaves_what_bash_would_not_expand():
    env = {"A": "x/y", "S": "***", "U": "${{ steps.a.outputs.b }}"}
    script = ("echo $A ${A} '$A' \"$A\" \\$A ${A//\\//-} ${A#x} $U $OTHER # $A\n"
              "cat <<'EOF'\n$A\nEOF\necho $S")
    assert shell_preview(script, env) == (
        "echo x/y x/y '$A' \"x/y\" \\$A x-y ${A#x} $U $OTHER # $A\n"
        "cat <<'EOF'\n$A\nEOF\necho ***")


def test_env_names_set_by_earlier_steps_are_unknown_not_empty():
    p = plan(wf("""
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ env.VERSION }}"
              - run: echo "VERSION=1.2" >> "$GITHUB_ENV"
              - run: echo "${{ env.VERSION }}"
    """), "push", branch="main")
    first, _, last = p.jobs[0].steps
    assert first.body == 'echo ""'  # nothing could have set it yet: null, an empty string
    assert last.body == 'echo "${{ env.VERSION }}"'


def test_a_long_chain_of_needs():
    jobs = "".join(f"  j{i}:\n    runs-on: x\n    needs: j{i - 1}\n    steps: [{{run: echo}}]\n"
                   for i in range(1, 1500))
    p = plan("on: push\njobs:\n  j0:\n    runs-on: x\n    steps: [{run: echo}]\n" + jobs,
             "push", branch="main")
    assert len(p.jobs) == 1500 and p.jobs[-1].id == "j1499" and p.jobs[-1].status == "runs"


def test_plan_every_workflow_of_a_folder():
    from checkers.workflow.plan import plan_workflows

    plans = plan_workflows(WORKFLOWS, "push", branch="feature/x", changed=["src/train.py"])
    assert {name: p.runs for name, p in plans.items()} == {"deploy-on-merge.yml": False,
                                                           "train-on-push.yml": True}


def test_a_condition_on_needed_results_names_the_assumption():
    p = plan(wf("""
        on: push
        jobs:
          a: {runs-on: x, steps: [{run: echo}]}
          b:
            needs: a
            if: needs.a.result == 'failure'
            runs-on: x
            steps: [{run: echo}]
    """), "push", branch="main")
    assert p.job("b").status == "skipped" and "assumes" in p.job("b").reason


def test_hashfiles_in_a_step_stays_unknown():
    p = plan(wf("""
        on: push
        jobs:
          a:
            runs-on: x
            steps:
              - if: hashFiles('requirements.txt') != ''
                run: echo "key-${{ hashFiles('requirements.txt') }}"
    """), "push", branch="main")
    only = p.jobs[0].steps[0]
    assert only.status == "unknown" and only.body == "echo \"key-${{ hashFiles('requirements.txt') }}\""


def test_env_filled_in_only_for_posix_shells():
    p = plan(wf("""
        on: push
        defaults: {run: {shell: bash}}
        jobs:
          a:
            runs-on: ${{ matrix.os }}
            strategy: {matrix: {os: [ubuntu-latest, windows-latest]}}
            env: {NAME: x}
            steps:
              - run: echo $NAME
              - run: echo $NAME
                shell: pwsh
    """), "push", branch="main")
    assert [[s.posix_shell for s in j.steps] for j in p.jobs] == [[True, False], [True, False]]
    p = plan("on: push\njobs:\n  w:\n    runs-on: windows-2022\n    steps: [{run: echo $A}]\n",
             "push", branch="main")
    assert p.jobs[0].steps[0].posix_shell is False


# -- a real git push to a local bare origin ----------------------------------------------------------

def _practice_repo(tmp_path):
    import shutil
    import subprocess
    import sys

    from .conftest import git

    origin = tmp_path / "origin.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    hook = origin / "hooks" / "post-receive"
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -m checkers.workflow.push\n")
    hook.chmod(0o755)
    git(tmp_path, "init", "-q", str(work))
    (work / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(TRAIN, work / ".github" / "workflows" / "train-on-push.yml")
    (work / "README.md").write_text("churn\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "start")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return work, origin, subprocess, git


def test_a_real_push_answers_with_the_plan(tmp_path, monkeypatch):
    from checkers.workflow.push import plan_push

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("CHECKERS_REPOSITORY", "neuralspark/churn")
    work, origin, subprocess, git = _practice_repo(tmp_path)
    git(work, "switch", "-qc", "feature/x")
    (work / "src").mkdir()
    (work / "src" / "train.py").write_text("print('train')\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "train")
    sha = git(work, "rev-parse", "HEAD").strip()
    pushed = subprocess.run(["git", "push", "origin", "feature/x"], cwd=work,
                            capture_output=True, text=True, check=True)
    remote = "\n".join(line[len("remote: "):] for line in pushed.stderr.splitlines()
                       if line.startswith("remote: "))
    assert "train-on-push.yml: runs" in remote
    assert "changed files: src/train.py" in remote
    assert f'--set tags.commit="{sha}"' in remote and '--set tags.branch="feature/x"' in remote

    # the same, from Python: a new branch compares with the parent of its oldest new commit
    push = plan_push(origin, "feature/x", repository="neuralspark/churn")
    assert push.changed == ["src/train.py"] and push.running == ["train-on-push.yml"]
    submit = step(push.plans["train-on-push.yml"], "train", "Submit the training pipeline")
    assert submit.env["COMMIT"] == sha
    # an existing branch: a two-dot diff of the old and new heads; README only -> no run
    (work / "README.md").write_text("churn model\n")
    git(work, "commit", "-qam", "docs")
    git(work, "push", "-q", "origin", "feature/x")
    push = plan_push(origin, "feature/x", before=sha)
    assert push.changed == ["README.md"] and push.running == []
    # main only has README: the branch filter refuses whatever changed
    assert plan_push(origin, "main").running == []



def test_a_real_push_of_more_than_1000_commits_runs_whatever_the_paths(tmp_path):
    """GitHub: "If you push more than 1,000 commits ... the workflow will always run"."""
    import subprocess

    from checkers.workflow.push import plan_push

    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    workflow = (ROOT / "sample_repo/.github/workflows/train-on-push.yml").read_bytes()
    stream = [b"blob\nmark :1\ndata %d\n%s\n" % (len(workflow), workflow)]
    for n in range(1, 1003):  # README-only commits: the path filter alone would skip them
        text = b"%d\n" % n
        stream.append(b"commit refs/heads/feature/x\nmark :%d\n"
                      b"committer A <a@example.com> %d +0000\ndata 2\nc\n" % (n + 1, 1700000000 + n))
        if n == 1:
            stream.append(b"M 100644 :1 .github/workflows/train-on-push.yml\n")
        else:
            stream.append(b"from :%d\n" % n)
        stream.append(b"M 100644 inline README.md\ndata %d\n%s\n" % (len(text), text))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=origin, input=b"".join(stream),
                   check=True)
    first = subprocess.run(["git", "rev-parse", "feature/x~1001"], cwd=origin, check=True,
                           capture_output=True, text=True).stdout.strip()
    push = plan_push(origin, "feature/x", before=first)
    assert push.commits == 1001 and push.changed == ["README.md"]
    assert push.running == ["train-on-push.yml"]
    assert any("1001 commits" in line for line in push.plans["train-on-push.yml"].why)
    fewer = plan_push(origin, "feature/x", before=first, after="feature/x~1")
    assert fewer.commits == 1000 and fewer.running == []

def test_payload_keys_an_event_does_not_have_are_null():
    p = plan(wf("""
        on: [push, pull_request]
        jobs:
          a:
            if: github.event.pull_request.draft == false
            runs-on: x
            steps:
              - run: echo "${{ github.event.head_commit.message }}|${{ github.event.nope }}|${{ github.event.ref }}"
    """), "push", branch="main")
    # on a push there is no pull_request: null == false is true (both coerce to 0)
    assert p.job("a").status == "runs"
    assert p.jobs[0].steps[0].body == 'echo "${{ github.event.head_commit.message }}||refs/heads/main"'
    pr = plan(wf("""
        on: pull_request
        jobs:
          a:
            if: github.event.pull_request.draft == false
            runs-on: x
            steps: [{run: echo}]
    """), "pull_request", base="main", head="f")
    assert pr.job("a").status == "unknown"


def test_a_job_whose_expression_fails_at_run_time_fails_and_failure_jobs_run():
    p = plan(wf("""
        on: push
        jobs:
          build:
            runs-on: x
            env: {CONFIG: "${{ fromJSON(vars.NOT_JSON) }}"}
            steps: [{run: echo}]
          deploy:
            needs: build
            runs-on: x
            steps: [{run: echo}]
          report:
            needs: build
            if: failure()
            runs-on: x
            steps: [{run: echo report}]
    """), "push", branch="main", variables={"NOT_JSON": "{oops"})
    assert [(j.id, j.status) for j in p.jobs] == [("build", "runs"), ("deploy", "skipped"),
                                                  ("report", "runs")]
    assert "fails" in p.job("build").reason and "fromJSON" in p.job("build").reason
    assert "build (fails)" in p.job("deploy").reason
