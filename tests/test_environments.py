"""Environments as code, the promotion simulator and the OIDC subject lab.

The subjects are checked against the examples in GitHub's "OpenID Connect reference" (subject
claim examples for octo-org/octo-repo); the plan against GitHub's documented job semantics
(``needs`` skips dependents of a failed job unless a status function says otherwise).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from checkers import check_repo
from checkers.cli import main
from checkers.environments import check_environments, check_settings_text
from checkers.environments.oidc import (CASE_ONLY, NO_MATCH, Credential, OidcError, prefix,
                                        subject_for, subjects)
from checkers.environments.promote import PromoteError, draw, plan
from checkers.environments.settings import fnmatch_ref
from checkers.workflow.deploy import runs_after_failure

from .conftest import ROOT

SAMPLE = ROOT / "sample_repo"
DEPLOY = SAMPLE / ".github/workflows/deploy-on-merge.yml"
TRAIN = SAMPLE / ".github/workflows/train-on-push.yml"
SETTINGS = SAMPLE / ".github/settings.yml"
CREDENTIALS = SAMPLE / "infra/federated-credentials.yml"
REPO = "neuralspark/churn-model"

WORKFLOW = """\
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: pytest}]
  prod:
    needs: test
    environment: Production
    runs-on: ubuntu-latest
    permissions: {id-token: write}
    steps:
      - uses: azure/login@v2
        with: {client-id: a, tenant-id: b, subscription-id: c}
  build:
    runs-on: ubuntu-latest
    permissions: {id-token: write}
    steps:
      - uses: azure/login@v2
        with: {client-id: a, tenant-id: b, subscription-id: c}
"""


# -- OIDC: GitHub's documented subject examples -------------------------------------------------

@pytest.mark.parametrize("kwargs, expected", [
    ({"environment": "Production"}, "repo:octo-org/octo-repo:environment:Production"),
    ({}, "repo:octo-org/octo-repo:pull_request"),
    ({"branch": "demo-branch"}, "repo:octo-org/octo-repo:ref:refs/heads/demo-branch"),
    ({"tag": "demo-tag"}, "repo:octo-org/octo-repo:ref:refs/tags/demo-tag"),
])
def test_documented_subject_examples(kwargs, expected):
    event = "pull_request" if not kwargs else "push"
    assert subject_for("repo:octo-org/octo-repo", event, **kwargs) == expected


def test_environment_wins_over_pull_request_and_ref():
    p = subjects(WORKFLOW, "octo-org/octo-repo", "pull_request", base="main")
    assert p.jobs["prod"].subject == "repo:octo-org/octo-repo:environment:Production"
    assert p.jobs["build"].subject == "repo:octo-org/octo-repo:pull_request"
    p = subjects(WORKFLOW, "octo-org/octo-repo", "push", branch="refs/heads/main")
    assert p.jobs["build"].subject == "repo:octo-org/octo-repo:ref:refs/heads/main"


def test_immutable_ids_form_and_note():
    assert prefix("octo-org/octo-repo", 123, 456) == "repo:octo-org@123/octo-repo@456"
    with_ids = subjects(WORKFLOW, "octo-org/octo-repo", "push", tag="v1", owner_id=1, repo_id=2)
    assert with_ids.jobs["build"].subject == "repo:octo-org@1/octo-repo@2:ref:refs/tags/v1"
    assert not any("2026-07-15" in n for n in with_ids.notes)
    without = subjects(WORKFLOW, "octo-org/octo-repo", "push", branch="main")
    assert any("2026-07-15" in n for n in without.notes)


@pytest.mark.parametrize("kwargs", [
    {"repo": "octo-repo"}, {"repo": "a/b", "owner_id": 1}, {"repo": "a/b", "owner_id": "x", "repo_id": 2},
])
def test_bad_oidc_arguments(kwargs):
    with pytest.raises(OidcError):
        prefix(**kwargs)


def test_credentials_exact_case_only_and_missing():
    creds = [Credential("prod", "repo:octo-org/octo-repo:environment:production")]
    p = subjects(WORKFLOW, "octo-org/octo-repo", "push", branch="main", credentials=creds)
    assert p.jobs["prod"].error == CASE_ONLY and "case" in p.jobs["prod"].message
    assert p.jobs["build"].error == NO_MATCH and "environment" in p.jobs["build"].fix
    assert p.jobs["test"].error is None  # never signs in: nothing to match
    creds.append(Credential("prod2", "repo:octo-org/octo-repo:environment:Production"))
    creds.append(Credential("main", "repo:octo-org/octo-repo:ref:refs/heads/main"))
    p = subjects(WORKFLOW, "octo-org/octo-repo", "push", branch="main", credentials=creds)
    assert not p.failing and p.jobs["prod"].match == "prod2"


def test_sample_repo_credentials_cover_every_login(capsys):
    for workflow, ref in ((DEPLOY, ["--branch", "main"]), (TRAIN, ["--branch", "feature/x"])):
        code = main(["oidc", str(workflow), "--repo", REPO, "--event", "push", *ref,
                     "--credentials", str(CREDENTIALS), "--format", "json"])
        out = json.loads(capsys.readouterr().out)
        assert code == 0, out
    assert out["jobs"]["train"]["subject"] == f"repo:{REPO}:environment:dev"


def test_oidc_cli_reports_the_azure_error(capsys, tmp_path):
    creds = tmp_path / "creds.yml"
    creds.write_text(f"- repo:{REPO}:environment:Production\n")
    code = main(["oidc", str(DEPLOY), "--repo", REPO, "--event", "workflow_dispatch",
                 "--branch", "main", "--credentials", str(creds)])
    out = capsys.readouterr().out
    assert code == 1
    assert CASE_ONLY in out and NO_MATCH in out


# -- the promotion simulator --------------------------------------------------------------------

def test_sample_plan_order_gates_and_smoke_failure():
    p = plan(DEPLOY, SETTINGS)
    assert [s.job for s in p.stages] == ["register", "deploy-staging", "deploy-production"]
    prod = p.stage("deploy-production")
    assert prod.needs == ["deploy-staging"] and prod.environment == "production"
    assert [g["type"] for g in prod.gates] == ["wait_timer", "required_reviewers"]
    assert prod.gates[0]["minutes"] == 30
    assert prod.gates[1]["reviewers"] == [{"type": "Team", "id": 7654321}]
    assert p.stage("deploy-staging").gates == []
    assert "AZURE_CLIENT_ID" in prod.secrets and "production" in prod.secrets_from
    assert p.smoke_tests["job"] == "deploy-staging"
    assert p.smoke_tests["skipped"] == ["deploy-production"]


def test_plan_json_cli(capsys):
    assert main(["promote", str(DEPLOY), "--settings", str(SETTINGS), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["job"] for s in data["stages"]] == ["register", "deploy-staging", "deploy-production"]
    assert set(data["stages"][0]) >= {"job", "needs", "environment", "gates"}


def test_status_function_lets_production_run_after_failure():
    text = DEPLOY.read_text().replace("    environment: production\n",
                                      "    environment: production\n    if: always()\n")
    p = plan(text, SETTINGS)
    assert p.smoke_tests["skipped"] == []
    assert "deploy-production still runs" in p.stage("deploy-staging").when_fails


def test_branch_policy_blocks_and_undeclared_environment_is_noted():
    settings = SETTINGS.read_text().replace("  - name: staging\n", "  - name: stage\n")
    p = plan(DEPLOY, settings, branch="feature/x")
    assert not p.runs  # only merges to main start it
    p = plan(DEPLOY, settings)
    assert any("`staging` is not declared" in n for n in p.notes)
    text = DEPLOY.read_text().replace("branches: [main]", "branches: [main, develop]")
    p = plan(text, SETTINGS, branch="develop")
    assert p.stage("deploy-production").gates[0]["type"] == "branch_policy"


def test_drawing_is_svg_with_text_fallback():
    picture = draw(plan(DEPLOY, SETTINGS))
    root = ET.fromstring(picture._repr_svg_())
    assert root.tag.endswith("svg")
    assert "deploy-production" in picture._repr_svg_() and "approval" in picture._repr_svg_()
    assert "deploy-production" in str(picture)


@pytest.mark.parametrize("args, needle", [
    (["promote", "missing.yml"], "missing.yml: no such file"),
    (["promote", str(DEPLOY), "--settings", "nope.yml"], "nope.yml: no such file"),
    (["oidc", str(DEPLOY), "--repo", "bad", "--event", "push", "--branch", "main"], "OWNER/REPO"),
    (["oidc", str(DEPLOY), "--repo", REPO, "--event", "push"], "--branch"),
    (["environments", "missing.yml"], "missing.yml: no such file"),
    (["environments", str(SETTINGS), "--workflow", "nope.yml"], "nope.yml: no such file"),
])
def test_bad_input_is_one_line_exit_2(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_invalid_yaml_workflow_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "deploy.yml"
    bad.write_text("on: push\njobs:\n  a: [\n")
    assert main(["promote", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and err.count("\n") == 1


def test_binary_settings_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "settings.yml"
    bad.write_bytes(b"\x00\x01")
    assert main(["environments", str(bad)]) == 2
    assert "binary" in capsys.readouterr().err


# -- environments as code -----------------------------------------------------------------------

def test_sample_settings_clean_with_plan_note():
    result = check_environments(SETTINGS, workflows=[DEPLOY, TRAIN])
    assert result.findings == [] and any("GitHub Enterprise" in n for n in result.notes)


def test_settings_text_api_and_invalid_yaml_is_a_finding():
    result = check_settings_text("environments:\n  - name: production\n    reviewers: [\n")
    assert [f.rule for f in result] == ["environments-format"] and not result.ok
    result = check_settings_text("environments:\n  - name: staging\n")
    assert result.by_rule("environments-production-approval")


def test_repo_checker_runs_environment_rules(tmp_path):
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/settings.yml").write_text(
        "environments:\n  - name: staging\n  - name: production\n    wait_timer: 99999\n")
    (tmp_path / ".github/workflows/deploy-on-merge.yml").write_text(
        DEPLOY.read_text().replace("environment: production", "environment: prod"))
    result = check_repo(tmp_path, select=["environments-limits", "environments-production-approval",
                                          "environment-undeclared"])
    assert {f.rule for f in result} == {"environments-limits", "environments-production-approval",
                                        "environment-undeclared"}


def test_repo_without_promotion_is_not_asked_for_production(tmp_path):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/settings.yml").write_text("environments:\n  - name: github-pages\n")
    assert check_repo(tmp_path, select=["environments-production-approval"]).findings == []


@pytest.mark.parametrize("pattern, name, expected", [
    ("main", "main", True), ("release/*", "release/1", True), ("release/*", "release/1/2", False),
    ("release/*/*", "release/1/2", True), ("feature/**/*", "feature/a/b", True), ("*", "a/b", False),
])
def test_deployment_branch_patterns(pattern, name, expected):
    assert fnmatch_ref(pattern, name) is expected


@pytest.mark.parametrize("condition, expected", [
    ("always()", True), ("${{ always() }}", True), ("${{ !cancelled() }}", True), ("failure()", True),
    ("success()", False), ("${{ !failure() }}", False), ("github.ref == 'refs/heads/main'", False),
    ("${{ !cancelled() && needs.smoke.result == 'success' }}", False),
])
def test_status_functions(condition, expected):
    assert runs_after_failure(condition) is expected


def test_walkthrough_approve_reject_and_failing_smoke_tests():
    p = plan(DEPLOY, SETTINGS)
    states = lambda **kw: [e["state"] for e in p.walkthrough(**kw)]  # noqa: E731
    assert states() == ["succeeded"] * 3
    assert states(approve=False) == ["succeeded", "succeeded", "failed"]
    assert states(smoke_passes=False) == ["succeeded", "failed", "skipped"]
    text = DEPLOY.read_text().replace("    environment: staging\n",
                                      "    environment: staging\n    continue-on-error: true\n")
    p = plan(text, SETTINGS)
    assert states(smoke_passes=False) == ["succeeded", "failed", "succeeded"]


def test_reusable_workflows_and_computed_environments_are_info(tmp_path, capsys):
    workflow = tmp_path / "deploy-on-merge.yml"
    workflow.write_text(
        "on:\n  push:\n    branches: [main]\njobs:\n"
        "  staging:\n    uses: ./.github/workflows/deploy.yml\n    with: {env: staging}\n"
        "  production:\n    needs: staging\n    strategy: {matrix: {env: [production]}}\n"
        "    environment: ${{ matrix.env }}\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n")
    code = main(["workflow", str(workflow), "--select",
                 "deploy-stages,deploy-registry,deploy-smoke-tests", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 0 and findings and {f["severity"] for f in findings} == {"info"}


def test_github_pages_needs_no_declaration(tmp_path):
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/settings.yml").write_text("environments:\n  - name: production\n")
    (tmp_path / ".github/workflows/pages.yml").write_text(
        "on: push\njobs:\n  deploy:\n    environment: {name: github-pages}\n"
        "    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n  other:\n    environment: prod\n"
        "    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n")
    result = check_repo(tmp_path, select=["environment-undeclared"])
    assert [f.message.split("`")[1] for f in result] == ["other"]


def test_smoke_tests_in_their_own_job_count(tmp_path):
    text = DEPLOY.read_text()
    start = text.index("      - name: Smoke test")
    smoke_job = ("  smoke:\n    needs: deploy-staging\n    runs-on: ubuntu-latest\n    steps:\n"
                 + text[start:text.index("  deploy-production:")])
    text = text[:start] + smoke_job + text[text.index("  deploy-production:"):]
    ok = text.replace("    needs: deploy-staging\n    # The production", "    needs: smoke\n    # The production")
    assert ok != text
    for body, expected in ((ok, []), (text, ["deploy-smoke-tests"])):
        (tmp_path / "deploy-on-merge.yml").write_text(body)
        result = __import__("checkers").check_workflows(
            [tmp_path / "deploy-on-merge.yml"], select=["deploy-smoke-tests", "deploy-stages"])
        assert [f.rule for f in result] == expected


def test_settings_and_workflow_as_text():
    workflow = DEPLOY.read_text().replace("environment: staging", "environment: stagging")
    result = check_settings_text(SETTINGS.read_text(), workflows=[workflow])
    assert [(f.rule, f.path) for f in result] == [("environment-undeclared", "workflow.yml")]
    assert "environment: staging" in result.findings[0].hint


# GitHub's "Using jobs in a workflow" examples: job2 waits for job1; job3 waits for both and,
# with always(), runs whether or not they succeeded.
DOCUMENTED_NEEDS = """\
on:
  push:
    branches: [main]
jobs:
  job1:
    runs-on: ubuntu-latest
    steps: [{run: echo 1}]
  job2:
    needs: job1
    runs-on: ubuntu-latest
    steps: [{run: echo 2}]
  job3:
    if: ${{ always() }}
    needs: [job1, job2]
    runs-on: ubuntu-latest
    steps: [{run: echo 3}]
"""


def test_documented_needs_example():
    p = plan(DOCUMENTED_NEEDS)
    assert [(s.job, s.level) for s in p.stages] == [("job1", 0), ("job2", 1), ("job3", 2)]
    assert p.stage("job1").skipped_on_failure == ["job2"]
    assert "job3 still runs" in p.stage("job1").when_fails
    assert p.stage("job3").gates == [] and p.stage("job3").environment is None


def test_cli_login_with_federated_token_counts(tmp_path):
    from checkers import check_workflows

    body = ("on:\n  push:\n    branches: [main]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: |\n          {login}\n          az ml model create --name m\n")
    for login, expected in (('az login --service-principal -u "$ID" --federated-token "$T"', []),
                            ("echo no login", ["deploy-oidc-login"])):
        path = tmp_path / "deploy-on-merge.yml"
        path.write_text(body.format(login=login))
        assert [f.rule for f in check_workflows([path], select=["deploy-oidc-login"])] == expected


def test_drawing_marks_walkthrough_states_and_secret_scopes():
    p = plan(DEPLOY, SETTINGS)
    states = {e["job"]: e["state"] for e in p.walkthrough(smoke_passes=False)}
    svg = p.draw(states)._repr_svg_()
    ET.fromstring(svg)
    assert "failed" in svg and "skipped" in svg
    assert p.stage("deploy-production").secret_scopes == [
        "repository", "organization", "environment:production"]


def test_github_format_points_at_the_settings_file(capsys):
    bad = SETTINGS.read_text().replace("wait_timer: 30", "wait_timer: 99999")
    result = check_settings_text(bad, name="sample_repo/.github/settings.yml")
    from checkers.reporters import render

    line = render(result, "github").splitlines()[0]
    assert line.startswith("::error file=sample_repo/.github/settings.yml,line=")


@pytest.mark.parametrize("content, needle", [
    (None, "no such file"), ("credentials: [\n", "invalid YAML"),
    ("credentials:\n  - name: x\n", ":2:"), ("just text\n", "credentials:"),
])
def test_bad_credentials_file_is_one_line_exit_2(tmp_path, capsys, content, needle):
    creds = tmp_path / "creds.yml"
    if content is not None:
        creds.write_text(content)
    code = main(["oidc", str(DEPLOY), "--repo", REPO, "--event", "push", "--branch", "main",
                 "--credentials", str(creds)])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and err.count("\n") == 1


def test_promote_cli_walkthrough(capsys):
    assert main(["promote", str(DEPLOY), "--settings", str(SETTINGS), "--walk", "reject",
                 "--format", "json"]) == 0
    walk = json.loads(capsys.readouterr().out)["walkthrough"]
    assert [e["state"] for e in walk] == ["succeeded", "succeeded", "failed"]
