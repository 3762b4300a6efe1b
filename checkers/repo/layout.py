"""The documented layout of an ML project that works well with Azure ML."""
from __future__ import annotations

from ..registry import Problem, rule
from .context import RepoContext

# (folder, files in it, what the folder is for). YAML files may end in .yml or .yaml.
LAYOUT = (
    (".github/workflows", ("train-on-push.yml", "deploy-on-merge.yml"),
     "GitHub Actions workflows: CI trains on feature-branch pushes, CD deploys on merge to main"),
    ("infra", ("main.bicep", "params-dev.json", "params-prod.json"),
     "infrastructure as code (Bicep) for the workspace and compute, one parameter file per stage"),
    ("src", ("train.py", "score.py", "prepare.py"),
     "the training, scoring (inference) and data-preparation scripts"),
    ("components", ("prepare/component.yaml", "train/component.yaml", "evaluate/component.yaml"),
     "Azure ML pipeline component definitions, one folder per step"),
    ("pipelines", ("training-pipeline.yaml",), "the full Azure ML pipeline definition"),
    ("environments", ("training-env.yaml", "scoring-env.yaml"),
     "conda environments for training and for inference"),
    ("tests", ("test_prepare.py", "test_score.py"), "unit tests for data preparation and scoring"),
)


def _alternatives(path: str) -> tuple[str, ...]:
    for a, b in ((".yml", ".yaml"), (".yaml", ".yml")):
        if path.endswith(a):
            return path, path[: -len(a)] + b
    return (path,)


# The parts of the layout, by role: (role, what it is for, how to tell it is there).
ROLES = (
    ("CI/CD workflows", "CI trains on feature-branch pushes, CD deploys on merge to main",
     "`.github/workflows/*.yml` (or azure-pipelines.yml, .gitlab-ci.yml)",
     lambda p, n: (p.startswith(".github/workflows/") and p.endswith((".yml", ".yaml")))
     or n in {"azure-pipelines.yml", "azure-pipelines.yaml", ".gitlab-ci.yml", "jenkinsfile"}),
    ("infrastructure as code", "the workspace and compute, one parameter file per stage",
     "`infra/` with Bicep, Terraform or ARM templates",
     lambda p, n: n.endswith((".bicep", ".tf", ".bicepparam")) or p.startswith(("infra/", "infrastructure/", "terraform/"))),
    ("training and scoring code", "the scripts a pipeline step runs",
     "Python code outside tests/ (e.g. `src/train.py`)",
     lambda p, n: n.endswith(".py") and not _in_tests(p)),
    ("pipeline definitions", "the steps that turn data into a registered model",
     "Azure ML component/pipeline YAML (`components/`, `pipelines/`), dvc.yaml or MLproject",
     lambda p, n: p.startswith(("components/", "pipelines/", "pipeline/")) or "/components/" in p
     or "/pipelines/" in p or n in {"dvc.yaml", "mlproject", "mltable"} or n.endswith(
         ("pipeline.yml", "pipeline.yaml", "component.yml", "component.yaml", "job.yml", "job.yaml"))),
    ("environment specification", "the packages training and inference run with",
     "environment.yml, conda.yaml, requirements.txt, pyproject.toml or a Dockerfile",
     lambda p, n: n in {"requirements.txt", "pyproject.toml", "setup.py", "setup.cfg", "pipfile",
                        "dockerfile", "conda.yaml", "conda.yml", "environment.yml", "environment.yaml"}
     or p.startswith(("environments/", "environment/", "env/")) or n.startswith("requirements")),
    ("tests", "unit tests for data preparation and scoring",
     "`tests/` or `test_*.py` files", lambda p, n: _in_tests(p) or n.startswith("test_") or n.endswith("_test.py")),
)


def _in_tests(path: str) -> bool:
    return any(part in {"tests", "test"} for part in path.split("/")[:-1])


def layout_by_roles(ctx: RepoContext):
    """A practitioner's repository: each missing part of the layout, whatever it is called."""
    present = [(p, p.rsplit("/", 1)[-1].lower()) for p in ctx.paths]
    for role, purpose, looks_like, found in ROLES:
        if any(found(p, n) for p, n in present):
            continue
        yield Problem(f"no {role} found: {purpose}",
                      f"add {looks_like} and commit it (any names will do; the course's "
                      "sample_repo/ shows one layout)")


@rule("repo-layout", severity="warning", scope="repo", lesson="01-git-hygiene#repository-layout")
def repo_layout(ctx: RepoContext):
    """A part of the documented ML repository layout is missing.

    On a practitioner's repository (``checkers repo``, the default ``--layout roles``) the rule
    judges the parts of the layout, whatever their names: CI/CD workflows, infrastructure as
    code, training and scoring code, pipeline definitions, an environment specification, and
    tests. Each missing part is reported once.

    The course's exercises (``--layout course``, the default of the Python ``check_repo``)
    require the documented names, so that every teammate (and every workflow) finds things in
    the same place::

        .github/workflows/train-on-push.yml, deploy-on-merge.yml
        infra/main.bicep, params-dev.json, params-prod.json
        src/train.py, score.py, prepare.py
        components/{prepare,train,evaluate}/component.yaml
        pipelines/training-pipeline.yaml
        environments/training-env.yaml, scoring-env.yaml
        tests/test_prepare.py, test_score.py

    Each missing folder is reported once; in a folder that exists, each missing file is reported.
    In a git repository a part counts only when it is tracked (``git add`` it): a file that exists
    only on your disk is not in the project. Extra files and folders are fine. ``.yml`` and
    ``.yaml`` are interchangeable.
    """
    if ctx.layout == "roles":
        yield from layout_by_roles(ctx)
        return
    present = ctx.paths
    folders = {p.rsplit("/", 1)[0] for p in present if "/" in p}
    for folder, files, purpose in LAYOUT:
        has_folder = any(f == folder or f.startswith(folder + "/") for f in folders)
        if not has_folder:
            on_disk = (ctx.root / folder).is_dir()
            extra = " (it exists on disk but nothing in it is tracked)" if on_disk and ctx.is_git else ""
            listing = "\n".join(f"  {folder}/{f}" for f in files)
            yield Problem(
                f"missing folder `{folder}/`{extra}: {purpose}",
                f"create it with these files and commit them:\n{listing}",
                path=f"{folder}/",
            )
            continue
        for name in files:
            wanted = f"{folder}/{name}"
            if any(alt in present for alt in _alternatives(wanted)):
                continue
            exists = any((ctx.root / alt).is_file() for alt in _alternatives(wanted))
            if exists and ctx.is_git:
                yield Problem(f"`{wanted}` exists but is not tracked by Git",
                              f"git add {wanted} && git commit", path=wanted)
            else:
                yield Problem(f"missing `{wanted}`: part of {purpose}",
                              f"create `{wanted}` and commit it", path=wanted)
