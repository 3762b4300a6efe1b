"""The repository checker on real git repositories built in temporary folders."""
from __future__ import annotations

import os
import subprocess

import pytest

from checkers import check_repo
from checkers.repo.artifacts import MUST_IGNORE, MUST_KEEP

from .conftest import commit_all, fake_connection_string, fake_storage_key, git, write

GOOD_GITIGNORE = """\
*.pkl
*.pt
*.pth
*.joblib
*.onnx
*.h5
*.safetensors
*.ckpt
models/
outputs/
data/
*.csv
*.parquet
mlruns/
wandb/
.env
.env.*
!.env.example
*.pem
"""
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"


def rules_of(result):
    return {f.rule for f in result.findings}


def test_model_removed_in_a_later_commit_is_found_in_history(repo):
    write(repo, {"src/train.py": "print(1)\n", "models/churn.pkl": b"\x80\x04weights"})
    commit_all(repo, "train")
    git(repo, "rm", "-q", "--cached", "models/churn.pkl")
    write(repo, {".gitignore": GOOD_GITIGNORE})
    commit_all(repo, "untrack model")
    result = check_repo(repo)
    assert "tracked-model" not in rules_of(result)
    (finding,) = result.by_rule("history-artifact")
    assert finding.path == "models/churn.pkl" and finding.severity == "error"
    assert "model registry" in finding.message and "added in commit" in finding.message
    assert "git filter-repo --invert-paths --path=models/churn.pkl" in finding.hint


def test_history_on_another_branch_and_tag_counts(repo):
    write(repo, {"README.md": "x\n"})
    commit_all(repo)
    git(repo, "checkout", "-q", "-b", "experiment")
    write(repo, {"data/train.parquet": b"PAR1"})
    commit_all(repo, "data on a branch")
    git(repo, "tag", "v-data")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-D", "experiment")
    result = check_repo(repo)
    assert [f.path for f in result.by_rule("history-artifact")] == ["data/train.parquet"]



def test_history_rev_scans_only_what_those_commits_reach(repo, capsys):
    """`--history-rev` limits the history scan to what a clone of those branches would hold
    (another branch's commits and the stash are left out); without it every ref and stash
    entry counts. A revision git cannot resolve is a one-line usage error (exit 2)."""
    from checkers.cli import main

    write(repo, {"README.md": "x\n", ".gitignore": GOOD_GITIGNORE})
    commit_all(repo)
    git(repo, "checkout", "-q", "-b", "experiment")
    write(repo, {"data/train.parquet": b"PAR1"})
    git(repo, "add", "-f", "data/train.parquet")
    git(repo, "commit", "-q", "-m", "data on a branch")
    git(repo, "checkout", "-q", "main")
    write(repo, {"src/upload.py": f'CONN = "{fake_connection_string()}"\n'})
    git(repo, "add", "src/upload.py")
    git(repo, "stash", "-q")
    history_rules = {"history-artifact", "history-secret"}
    assert rules_of(check_repo(repo)) & history_rules == history_rules
    assert not rules_of(check_repo(repo, history_revs=["HEAD"])) & history_rules
    only_branch = check_repo(repo, history_revs=["experiment"])
    assert [f.path for f in only_branch.by_rule("history-artifact")] == ["data/train.parquet"]
    assert not only_branch.by_rule("history-secret")
    assert main(["repo", str(repo), "--history-rev", "main", "--format", "json"]) == 0
    capsys.readouterr()
    for argv in (["--history-rev", "no-such-branch"], ["--history-rev=--all"],
                 ["--history-rev", "main", "--no-history"]):
        assert main(["repo", str(repo), *argv]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("checkers: error: ") \
            and "Traceback" not in err and "history" in err, err

def test_secret_in_env_file(repo):
    write(repo, {".env": f"AZURE_STORAGE_KEY={fake_storage_key()}\n"})
    commit_all(repo)
    result = check_repo(repo)
    (finding,) = result.by_rule("tracked-secret-file")
    assert finding.path == ".env" and "Key Vault" in finding.message
    assert "rotate" in finding.hint
    assert fake_storage_key() not in str(result) + repr(result.findings)


def test_azure_connection_string_in_code_is_masked(repo):
    write(repo, {"src/prepare.py": f'import os\n\nCONN = "{fake_connection_string()}"\n'})
    commit_all(repo)
    result = check_repo(repo)
    (finding,) = result.by_rule("secret-in-file")
    assert (finding.path, finding.line) == ("src/prepare.py", 3)
    assert "Azure storage connection string" in finding.message
    assert fake_storage_key() not in finding.message + finding.hint
    assert fake_storage_key()[:4] + "****" in finding.message


def test_allowlist_pragma_silences_a_known_false_positive(repo):
    write(repo, {"src/x.py": f'CONN = "{fake_connection_string()}"  # pragma: allowlist secret\n'})
    commit_all(repo)
    assert not check_repo(repo).by_rule("secret-in-file", "history-secret")


def test_private_key_file_and_block(repo):
    write(repo, {"deploy/key.pem": PRIVATE_KEY, "scripts/notes.txt": PRIVATE_KEY})
    commit_all(repo)
    result = check_repo(repo)
    assert [f.path for f in result.by_rule("tracked-secret-file")] == ["deploy/key.pem"]
    assert [(f.path, f.line) for f in result.by_rule("secret-in-file")] == [("scripts/notes.txt", 1)]


def test_service_principal_json_from_legacy_azure_login(repo):
    secret = "Abc8Q~" + "x1Y2z3" * 6
    write(repo, {"sp.json": '{"clientId": "<id>", "clientSecret": "%s", "tenantId": "<t>"}\n' % secret})
    commit_all(repo)
    (finding,) = check_repo(repo).by_rule("secret-in-file")
    assert secret not in finding.message


def test_weak_gitignore_lists_what_leaks_per_kind(repo):
    write(repo, {".gitignore": "__pycache__/\n*.pyc\nmodels/\n"})
    commit_all(repo)
    findings = check_repo(repo).by_rule("gitignore-missing")
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == len(MUST_IGNORE)
    models = next(f for f in errors if f.message.startswith("model weights"))
    assert "models/churn.pkl" not in models.message  # models/ covers it
    assert "model.pkl" in models.message and "*.pkl" in models.hint
    assert "weights.h5" not in models.message  # this project uses no Keras: advice only
    (advice,) = [f for f in findings if f.severity == "warning"]
    assert "weights.h5" in advice.message and "model.safetensors" in advice.message


def test_gitignore_missing_is_an_error_for_the_frameworks_a_project_uses(repo):
    write(repo, {".gitignore": GOOD_GITIGNORE.replace("*.h5\n", "").replace("wandb/\n", ""),
                 "requirements.txt": "tensorflow==2.16.1\n", "src/train.py": "import tensorflow\n"})
    commit_all(repo)
    findings = check_repo(repo).by_rule("gitignore-missing")
    (error,) = [f for f in findings if f.severity == "error"]
    assert "weights.h5" in error.message and "wandb" not in error.message
    (advice,) = [f for f in findings if f.severity == "warning"]
    assert "wandb" in advice.message


def test_gitignore_missing_names_a_file_on_disk_that_would_be_committed(repo):
    write(repo, {".gitignore": GOOD_GITIGNORE.replace("*.safetensors\n", ""), "README.md": "x\n"})
    commit_all(repo)
    write(repo, {"adapter/model.safetensors": b"\0" * 10})
    (finding,) = [f for f in check_repo(repo).by_rule("gitignore-missing") if f.severity == "error"]
    assert "adapter/model.safetensors" in finding.message and "on disk" in finding.message


def test_good_gitignore_passes_and_git_decides_negations(repo):
    write(repo, {".gitignore": GOOD_GITIGNORE + "*.h5\n"})
    commit_all(repo)
    assert not check_repo(repo).by_rule("gitignore-missing", "gitignore-ignores-code")
    # a later negation re-includes .env: git (and so the checker) says it is no longer ignored
    write(repo, {".gitignore": GOOD_GITIGNORE + "!.env\n"})
    (finding,) = check_repo(repo).by_rule("gitignore-missing")
    assert finding.message.startswith("secrets would be committed: .env,")


def test_nested_gitignore_counts(repo):
    write(repo, {".gitignore": GOOD_GITIGNORE, "src/.gitignore": "*.py\n"})
    commit_all(repo)
    (finding,) = check_repo(repo).by_rule("gitignore-ignores-code")
    assert (finding.path, finding.line) == ("src/.gitignore", 1)
    assert "src/train.py" in finding.message


def test_global_excludes_file_does_not_count(repo, tmp_path, monkeypatch):
    """Only what the repository ships protects teammates, so the user's own excludes are ignored."""
    excludes = tmp_path / "global-ignore"
    excludes.write_text("*.pkl\n")
    git(repo, "config", "--global", "core.excludesFile", str(excludes))
    write(repo, {".gitignore": "data/\n"})
    commit_all(repo)
    findings = check_repo(repo).by_rule("gitignore-missing")
    assert any("model.pkl" in f.message for f in findings)


def test_symlink_outside_is_reported_never_followed(repo, tmp_path):
    outside = tmp_path / "outside-secret.txt"
    outside.write_text(f'KEY = "{fake_connection_string()}"\n')
    os.symlink(outside, repo / "linked.txt")
    os.symlink("/dev/zero", repo / "zero.yaml")  # reading it would never end
    commit_all(repo)
    result = check_repo(repo)
    assert {f.path for f in result.by_rule("symlink-outside-repo")} == {"linked.txt", "zero.yaml"}
    assert not result.by_rule("secret-in-file", "yaml-syntax")


def test_plain_folder_gets_the_checks_without_git_and_says_which_were_skipped(tmp_path):
    folder = tmp_path / "plain"
    write(folder, {"src/x.py": f'CONN = "{fake_connection_string()}"\n', "bad.yaml": "a: [\n",
                   "models/m.pkl": b"\x80"})
    result = check_repo(folder)
    assert {"secret-in-file", "yaml-syntax", "repo-layout", "git-checks-skipped"} <= rules_of(result)
    assert "tracked-model" not in rules_of(result)
    (skipped,) = result.by_rule("git-checks-skipped")
    assert skipped.severity == "info" and "tracked-model" in skipped.message
    assert "history-secret" in skipped.message


def test_binary_non_utf8_and_odd_names_do_not_crash(repo):
    write(repo, {
        "blob.bin": bytes(range(256)) * 100,
        "latin1.py": "name = 'café'\n".encode("latin-1"),
        "with space/model v2.pkl": b"\x80",
        "config/weird.yaml": b"\xff\xfe\x00a: 1",
    })
    odd = os.fsencode(repo) + b"/caf\xe9.csv"
    with open(odd, "wb") as fh:
        fh.write(b"a,b\n")
    commit_all(repo)
    result = check_repo(repo)
    paths = {f.path for f in result.by_rule("tracked-model", "tracked-data")}
    assert "with space/model v2.pkl" in paths
    assert "caf\\xe9.csv" in paths
    # everything renders in every format
    from checkers.reporters import FORMATS, render

    for fmt in FORMATS:
        render(result, fmt).encode("utf-8")


def test_checking_a_subfolder_of_a_repository(repo):
    write(repo, {"project/src/train.py": "x\n", "project/models/m.pkl": b"\x80",
                 "other/data.csv": "a\n"})
    commit_all(repo)
    git(repo, "rm", "-q", "project/models/m.pkl")
    commit_all(repo)
    result = check_repo(repo / "project")
    assert [f.path for f in result.by_rule("history-artifact")] == ["models/m.pkl"]
    assert "--path=project/models/m.pkl" in result.by_rule("history-artifact")[0].hint
    assert not result.by_rule("tracked-data")  # other/ is outside the checked folder


def test_large_blob_threshold_is_configurable(repo):
    write(repo, {"archive.zip": b"\0" * 300_000})
    commit_all(repo)
    assert not check_repo(repo).by_rule("history-large-blob")
    (finding,) = check_repo(repo, max_blob_size=100_000).by_rule("history-large-blob")
    assert finding.path == "archive.zip" and finding.severity == "warning"


def test_secret_removed_later_stays_in_history(repo):
    write(repo, {"src/upload.py": f'CONN = "{fake_connection_string()}"\n'})
    commit_all(repo)
    write(repo, {"src/upload.py": 'import os\nCONN = os.environ["CONN"]\n'})
    commit_all(repo)
    result = check_repo(repo)
    assert not result.by_rule("secret-in-file")
    (finding,) = result.by_rule("history-secret")
    assert (finding.path, finding.line) == ("src/upload.py", 1)
    assert "rotate" in finding.hint and fake_storage_key() not in finding.message
    assert not check_repo(repo, history=False).by_rule("history-secret")


def test_hostile_repository_config_is_not_executed(repo, tmp_path):
    marker = tmp_path / "pwned"
    git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    write(repo, {"a.txt": "x\n"})
    commit_all(repo)
    marker.unlink(missing_ok=True)
    check_repo(repo)
    assert not marker.exists()


def test_empty_repository_and_repository_without_commits(repo):
    result = check_repo(repo)
    assert result.by_rule("gitignore-missing") and not result.by_rule("history-artifact")


def test_representative_paths_are_consistent():
    from checkers.repo.artifacts import classify

    for kind, paths in MUST_IGNORE.items():
        for path in paths:
            assert classify(path) is kind, path
    for path in MUST_KEEP:
        assert classify(path) is None, path


@pytest.mark.parametrize("path, kind", [
    ("models/churn.pkl", "model weights"), ("outputs/model/MLmodel", "model weights"),
    ("data/raw/x.bin", "datasets"), ("img/cat.png", None), ("docs/arch.png", None), ("ext/logo.png", None), ("media/deep/er/x.jpg", None),
    ("notebooks/figures/roc.png", None), ("photos/cat.jpg", "datasets"), ("logo.png", None), ("corpus/train/cat.jpg", "datasets"), ("pkg/tests/fixtures/t.csv", None), ("data/MLTable", None), ("data/BUILD", None),
    ("src/churn/data/schema.json", None), ("tests/fixtures/tiny.csv", None),
    ("mlruns/0/meta.yaml", "experiment logs"), (".env", "secrets"), (".env.example", None),
    (".env.production", "secrets"), ("id_ed25519.pub", None), ("id_ed25519", "secrets"),
    (".aws/credentials", "secrets"), ("src/credentials.py", None),
])
def test_classification(path, kind):
    from checkers.repo.artifacts import classify

    found = classify(path, size=10)
    assert (found.name if found else None) == kind


def test_secret_reported_at_the_commit_that_first_added_it(repo):
    write(repo, {"src/upload.py": f'CONN = "{fake_connection_string()}"\n'})
    commit_all(repo, "first")
    first = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    write(repo, {"src/upload.py": f'# still here\nCONN = "{fake_connection_string()}"\n'})
    commit_all(repo, "second")
    write(repo, {"src/upload.py": "import os\n"})
    commit_all(repo, "clean")
    findings = check_repo(repo).by_rule("history-secret")
    assert len(findings) == 1 and f"added in commit {first}" in findings[0].message


def test_the_same_model_under_two_names_is_reported_under_both(repo):
    write(repo, {"models/model.pkl": b"\x80same", "backup/model-copy.pkl": b"\x80same"})
    commit_all(repo)
    git(repo, "rm", "-q", "-r", "models", "backup")
    commit_all(repo)
    paths = {f.path for f in check_repo(repo).by_rule("history-artifact")}
    assert paths == {"models/model.pkl", "backup/model-copy.pkl"}


def test_fixture_that_was_once_large_is_reported(repo):
    write(repo, {"tests/fixtures/sample.csv": "a,b\n" * 200_000})
    commit_all(repo)
    write(repo, {"tests/fixtures/sample.csv": "a,b\n"})
    commit_all(repo)
    git(repo, "rm", "-q", "tests/fixtures/sample.csv")
    commit_all(repo)
    assert [f.path for f in check_repo(repo).by_rule("history-artifact")] == ["tests/fixtures/sample.csv"]


def test_subfolder_with_a_non_utf8_name(repo):
    sub = os.fsencode(repo) + b"/proj\xe9"
    os.makedirs(sub + b"/models")
    with open(sub + b"/models/m.pkl", "wb") as fh:
        fh.write(b"\x80")
    commit_all(repo)
    result = check_repo(os.fsdecode(sub))
    assert [f.path for f in result.by_rule("tracked-model")] == ["models/m.pkl"]


def test_info_exclude_does_not_count_as_gitignore(repo):
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text(GOOD_GITIGNORE)
    write(repo, {"README.md": "x\n"})
    commit_all(repo)
    assert len(check_repo(repo).by_rule("gitignore-missing")) == 4


def test_secret_deleted_only_on_disk_is_still_reported(repo):
    write(repo, {"app.py": f'CONN = "{fake_connection_string()}"\n'})
    commit_all(repo)
    write(repo, {"app.py": "import os\n"})  # not committed: HEAD still holds the secret
    result = check_repo(repo)
    assert not result.by_rule("secret-in-file")
    (finding,) = result.by_rule("history-secret")
    assert finding.path == "app.py" and "committed version" in finding.message


def test_a_secret_still_in_the_file_is_reported_once(repo):
    write(repo, {"app.py": f'CONN = "{fake_connection_string()}"\n'})
    commit_all(repo)
    result = check_repo(repo)
    assert len(result.by_rule("secret-in-file")) == 1 and not result.by_rule("history-secret")


def test_text_between_1_mib_and_the_blob_limit_is_scanned(repo):
    write(repo, {"notebook.ipynb": "x" * 1_500_000 + f'\n"{fake_connection_string()}"\n'})
    commit_all(repo)
    assert check_repo(repo).by_rule("secret-in-file")


def test_git_dir_in_the_environment_does_not_redirect_the_check(repo, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(repo, {"models/m.pkl": b"\x80"})
    commit_all(repo)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    assert check_repo(repo).by_rule("tracked-model")


def test_yaml_duplicate_key_never_prints_the_values(repo):
    secret = "Sup3r" + "S3cretPassw0rd!"
    write(repo, {"config.yaml": f'password: "{secret}"\npassword: "{secret}x"\n'})
    commit_all(repo)
    from checkers.reporters import FORMATS, render

    result = check_repo(repo)
    assert result.by_rule("yaml-syntax")
    for fmt in FORMATS:
        assert secret not in render(result, fmt)


MINIO_WORKFLOW = """name: s3 tests
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    services:
      minio:
        image: minio/minio:RELEASE.2024-01-01T00-00-00Z
        env:
          MINIO_ROOT_USER: rootuser
          MINIO_ROOT_PASSWORD: {password}
    env:
      AWS_SECRET_ACCESS_KEY: {password}
    steps:
      - run: pytest tests/s3
"""


def test_workflows_secrets_are_judged_once_by_the_workflow_checker(repo):
    """metaflow's MinIO service container: `checkers workflow` knows its password is the local
    service's own; `checkers repo` must not call the same line an error through secret-in-file
    (nor report a real one twice), unless only secret-in-file was asked for."""
    password = "rootpass" + "8271"
    write(repo, {".github/workflows/s3.yml": MINIO_WORKFLOW.format(password=password)})
    commit_all(repo)
    result = check_repo(repo, history=False)
    assert not result.by_rule("secret-in-file", "workflow-plaintext-secret")
    alone = check_repo(repo, history=False, select=["secret-in-file"]).by_rule("secret-in-file")
    assert {f.path for f in alone} == {".github/workflows/s3.yml"}
