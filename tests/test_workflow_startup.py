"""What `checkers workflow` loads on its way (issue #9's speed): a fresh interpreter each time,
so that what the test process has imported does not hide an import."""
from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

WORKFLOW = str(ROOT / "sample_repo/.github/workflows/train-on-push.yml")


def loaded(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_secret_scanner_loads_without_the_repository_checker():
    modules = loaded("from checkers.repo.secretscan import scan_text\n"
                     "assert scan_text('password: hunter2hunter2')")
    assert not modules & {"checkers.repo.context", "checkers.repo.config", "checkers.rules",
                          "checkers.registry", "dataclasses", "tomllib"}


def test_the_repository_package_still_offers_its_names():
    modules = loaded("import checkers.repo as r\n"
                     "from checkers.repo import *\n"
                     "assert r.RepoContext is RepoContext and callable(check_repo)\n"
                     "assert r.ConfigError and r.normalise and r.read_excludes and r.Result\n"
                     "assert r.all_rules and r.CheckError and r.LAYOUTS")
    assert "checkers.repo.context" in modules


def test_ignoring_a_workflow_rule_does_not_load_every_checker():
    modules = loaded("from checkers.cli import main\n"
                     f"assert main(['workflow', '--ignore', 'workflow-security', {WORKFLOW!r}]) == 0")
    assert "checkers.rules" not in modules and "checkers.repo.history" not in modules


def test_rule_names_are_still_checked_against_every_checker(capsys):
    from checkers.cli import main

    assert main(["workflow", "--select", "no-such-rule", WORKFLOW]) == 2
    assert "unknown rule(s): no-such-rule" in capsys.readouterr().err
    # a repository rule is a known name: it selects nothing here
    assert main(["workflow", "--select", "tracked-model", WORKFLOW]) == 0
    assert main(["workflow", "--ignore", "workflow-security,tracked-model,nope", WORKFLOW]) == 2
    assert "unknown rule(s): nope" in capsys.readouterr().err


def test_a_fresh_workflow_check_loads_every_workflow_rule():
    """What `checkers rules` lists (every checker imported) is what `checkers workflow` runs in
    a fresh process: a rule module nothing imports there would silently never run (the
    deploy-on-merge rules once did not, and an ungated production deploy passed)."""
    probe = ("from checkers.workflow import workflow_rules\n"
             "print(' '.join(sorted(r.id for r in workflow_rules())))")
    fresh = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           cwd=ROOT, check=True).stdout.split()
    from checkers.registry import all_rules

    listed = sorted(r.id for r in all_rules("workflow"))
    assert fresh == listed and "deploy-stages" in fresh


def test_a_repository_without_settings_does_not_load_the_environments_checker(tmp_path):
    """environment-undeclared needs `.github/settings.yml`; most repositories have none, and
    the environments package (dataclasses, inspect, typing, its rules) cost a sixth of Python's
    CPU on the benchmark's batch."""
    copy = tmp_path / ".github" / "workflows" / "train-on-push.yml"
    copy.parent.mkdir(parents=True)
    copy.write_text((ROOT / "sample_repo/.github/workflows/train-on-push.yml").read_text())
    modules = loaded("from checkers.cli import main\n"
                     f"assert main(['workflow', '--ignore', 'workflow-security', {str(copy)!r}]) == 0")
    assert not modules & {"checkers.environments", "dataclasses", "inspect"}
    # beside a settings file it is loaded, and the names are checked
    (copy.parent.parent / "settings.yml").write_text("environments:\n  - name: staging\n")
    modules = loaded("from checkers.cli import main\n"
                     f"main(['workflow', '--ignore', 'workflow-security', {str(copy)!r}])")
    assert "checkers.environments.settings" in modules
