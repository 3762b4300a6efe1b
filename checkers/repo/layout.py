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


@rule("repo-layout", severity="warning", scope="repo", lesson="01-git-hygiene#repository-layout")
def repo_layout(ctx: RepoContext):
    """A part of the documented ML repository layout is missing.

    The course's projects share one layout, so that every teammate (and every workflow) finds
    things in the same place::

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
