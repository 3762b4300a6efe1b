"""Tracked files that must not be in Git: models, datasets, experiment logs, secret files."""
from __future__ import annotations

import os
import re
import shlex
from collections import defaultdict
from pathlib import PurePosixPath

from ..registry import Problem, rule
from . import artifacts
from .artifacts import Kind
from .context import SUBMODULE_MODE, RepoContext
from .secretscan import scan_text


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _anchor(path: str, kind: Kind) -> str | None:
    """The folder that holds a whole run or dataset (``mlruns/``, ``data/``), if there is one."""
    names = artifacts.LOG_DIRS if kind is artifacts.LOGS else artifacts.DATA_DIRS
    parts = PurePosixPath(path).parts
    for i, part in enumerate(parts[:-1]):
        if part.lower() in names:
            return "/".join(parts[: i + 1]) + "/"
    return None


ENV_SETTINGS_HINT = ("commit the settings as `.env.example` for each developer to copy to `.env`; "
                     "nothing needs rotating while it holds no secret")


def tracked_of_kind(ctx: RepoContext, kind: Kind):
    """Problems for the tracked files of ``kind``: one per file, one per folder for run/data folders."""
    groups: dict[str, list[str]] = defaultdict(list)
    empty_env: set[str] = set()  # `.env` files that hold no secret value (Vite's defaults)
    for entry in ctx.entries:
        if entry.mode == SUBMODULE_MODE:
            continue
        if artifacts.classify(entry.path, ctx.size(entry.path)) is kind:
            if kind is artifacts.SECRET:
                text = ctx.read_text(entry.path)
                has_secret = lambda t, p=entry.path: bool(scan_text(t, p))  # noqa: E731
                if artifacts.harmless_secret_file(entry.path, text, has_secret):
                    continue
                if artifacts.env_file(entry.path) and text is not None and not has_secret(text):
                    empty_env.add(entry.path)
            groups[_anchor(entry.path, kind) or entry.path].append(entry.path)
    for key, paths in sorted(groups.items()):
        if key.endswith("/") and len(paths) == 1:
            key = paths[0]  # "`data/` (1 file)" says less than the file's name
        shown = ctx.display(key)
        what = f"`{shown}` ({plural(len(paths), 'file')})" if key.endswith("/") else f"`{shown}`"
        # TLS keys under tests/ are fixtures a maintainer commits on purpose, and so are small
        # checkpoints that loading code is tested on (torchtune's tests/assets/*.pt): advice only
        # (a model, table or run log under tests/ up to history-large-blob's limit is a
        # fixture too: tfx's testdata/ holds a trained model and its TensorBoard events)
        fixture = all(
            any(artifacts.is_test_dir(d) for d in p.split("/")[:-1])
            and (kind is artifacts.SECRET or _sample_size(ctx, p)) for p in paths)
        big = max((ctx.size(p) or 0) for p in paths)
        # a small table beside a component's code (a lookup the code reads) ships with that code
        component = kind is artifacts.DATA and _in_component_code(ctx, paths)
        # Git LFS keeps only a pointer in Git: no clone carries the file's bytes (and the size
        # on disk may be the pointer's, so it says nothing of a sample)
        lfs = kind is not artifacts.SECRET and not (fixture or component) \
            and all(p in _lfs_paths(ctx) for p in paths)
        # a small sample that examples, documentation or a package read (not the project's data)
        sample = not (fixture or component or lfs) and shipped_sample(ctx, kind, paths)
        # a tracked `.env` of plain settings leaks nothing yet: the next secret written there would
        quiet = kind is artifacts.SECRET and all(p in empty_env for p in paths)
        yield Problem(
            f"{what} is tracked by Git: {kind.name} belong in {kind.where}, not in Git"
            + (" (under tests/: if it is a test fixture, exclude it with [tool.checkers] exclude"
               + (f"; at {_human(big)} it is larger than pre-commit's 500 KiB large-file limit: "
                  "a test can often generate it, or Git LFS can keep it" if kind is not
                  artifacts.SECRET and big > artifacts.FIXTURE_LIMIT else "") + ")"
               if fixture else "")
            + (f" (small, in the code folder of the Azure ML component `{ctx.display(component)}`: "
               "if the code reads it as a lookup table, exclude it with [tool.checkers] exclude)"
               if component else "")
            + (f" ({'small' if big <= artifacts.FIXTURE_LIMIT else _human(big)}, {sample}: "
               "if it is a sample they read, exclude it with [tool.checkers] exclude)"
               if sample else "")
            + (" (it holds no secret value now, but the next one written there will be "
               "committed: keep settings in `.env.example` or a config file)" if quiet else "")
            + (" (stored with Git LFS, so Git holds only a pointer; a registry or datastore "
               "would also give it a version and lineage)" if lfs else ""),
            f"stop tracking it and ignore it:\n  {untrack_command(ctx, key, paths)}\n"
            f"  add to .gitignore:\n    " + kind.ignore.replace("\n", "\n    ")
            + f"\nthen {ENV_SETTINGS_HINT if quiet else kind.hint}. "
            "It also stays in the history until you rewrite it (see history-artifact).",
            path=shown, severity="warning" if fixture or component or sample or quiet or lfs
            else None,
        )


def shipped_sample(ctx: RepoContext, kind: Kind, paths: list[str], size_of=None) -> str | None:
    """Where a group of data or model files ships as a sample, or None: every file in a folder
    of examples, demos, tutorials or documentation (nni's docs/source/tutorials/*.pickle,
    kserve's ``example_models/``) and at most history-large-blob's limit (5 MiB), or at most
    pre-commit's 500 KiB in an R package's ``data/`` (beside its ``DESCRIPTION``: R loads
    those with ``data()``) or, for data, inside a Python package (a table its code reads:
    lm-evaluation-harness's ``lm_eval/tasks/tmlu/subject.tsv``) or named by the code beside
    it."""
    if kind not in (artifacts.DATA, artifacts.MODEL) or not paths \
            or any(not _sample_size(ctx, p, size_of) for p in paths):
        return None
    tracked = ctx.cache.get("tracked-set")
    if tracked is None:
        tracked = ctx.cache["tracked-set"] = {e.path for e in ctx.entries}
    wheres = set()
    for path in paths:
        dirs = path.split("/")[:-1]
        low = [d.lower() for d in dirs]
        if any(artifacts.example_dir(d) or d in ("docs", "doc", "documentation") for d in low):
            wheres.add("with the examples or documentation")
        elif not _fixture_size(ctx, path, size_of):
            # the weaker signs (a package's folder, a script that names it) excuse only what
            # pre-commit calls a normal file: an MLflow project's 1.7 MB training table read by
            # its script is the project's data
            return None
        elif "data" in low and "/".join([*dirs[:low.index("data")], "DESCRIPTION"]).lstrip("/") \
                in tracked:
            wheres.add("in an R package's data/")
        elif kind is artifacts.DATA and any("/".join([*dirs[:i], "__init__.py"]) in tracked
                                            for i in range(1, len(dirs) + 1)):
            wheres.add("inside a Python package (package data)")
        elif kind is artifacts.DATA and _read_by_code_beside(ctx, path):
            wheres.add("read by the notebook or script beside it")
        else:
            return None
    return " and ".join(sorted(wheres))


def _lfs_paths(ctx: RepoContext) -> frozenset[str]:
    """Tracked files that ``.gitattributes`` stores with Git LFS (``filter=lfs``). Asking
    ``git check-attr`` reads attributes only: no filter or other driver runs."""
    found = ctx.cache.get("lfs-paths")
    if found is None:
        found = frozenset()
        text = " ".join(ctx.read_text(e.path) or "" for e in ctx.entries
                        if e.path.rsplit("/", 1)[-1] == ".gitattributes")
        if "lfs" in text:
            paths = [e.path for e in ctx.entries if artifacts.classify(e.path, ctx.size(e.path))]
            out = ctx.git("check-attr", "-z", "--stdin", "filter",
                          input=b"\0".join(os.fsencode(p) for p in paths) + b"\0", check=False) \
                if paths else b""
            fields = out.split(b"\0")
            found = frozenset(os.fsdecode(fields[i]) for i in range(0, len(fields) - 2, 3)
                              if fields[i + 2] == b"lfs")
        ctx.cache["lfs-paths"] = found
    return found


READER_SUFFIXES = (".py", ".ipynb", ".r", ".rmd", ".jl", ".qmd")


def _read_by_code_beside(ctx: RepoContext, path: str) -> bool:
    """Does a notebook or script in the file's folder (or the folder above: a tutorial's
    ``data/``) name the file? A tutorial's small table is read that way
    (``statistics/bayes_linear_regression/student-score.csv`` beside its notebook); a
    project's dataset under ``data/raw/`` is read by code elsewhere, by its path."""
    texts = ctx.cache.setdefault("reader-texts", {})
    parts = path.split("/")
    name = parts[-1].lower()
    if len(parts) == 1 or parts[0].lower() in artifacts.DATA_DIRS:
        return False  # the project's own data (`train.csv`, `data/raw/churn.csv`) is no sample
    for depth in (1, 2):
        if len(parts) - depth < 0 or (depth == 2 and len(parts) < 2):
            continue
        folder = "/".join(parts[:len(parts) - depth])
        if folder not in texts:
            prefix = folder + "/" if folder else ""
            readers = [e.path for e in ctx.entries if e.path.startswith(prefix)
                       and "/" not in e.path[len(prefix):]
                       and e.path.lower().endswith(READER_SUFFIXES)][:20]
            texts[folder] = " ".join((ctx.read_text(p, limit=1 << 20) or "") for p in readers).lower()
        if name in texts[folder]:
            return True
        # a tutorial's script that reads every file of its `data/` folder (`glob("data/*.csv")`)
        if depth == 2 and re.search(r"[\"'/]" + re.escape(parts[-2].lower()) + r"[/\"']",
                                    texts[folder]):
            return True
    return False


def _fixture_size(ctx: RepoContext, path: str, size_of=None) -> bool:
    size = (size_of or ctx.size)(path)
    return size is not None and size <= artifacts.FIXTURE_LIMIT


def _sample_size(ctx: RepoContext, path: str, size_of=None) -> bool:
    """Small enough for a fixture or a sample that ships with what reads it: up to the size
    history-large-blob reports (5 MiB unless ``--max-blob-size`` says), the point past which
    a file in Git is a problem of its own, whatever it holds."""
    size = (size_of or ctx.size)(path)
    return size is not None and size <= ctx.max_blob_size


def _human(size: int) -> str:
    return f"{size / 1024:.0f} KiB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MiB"


def _in_component_code(ctx: RepoContext, paths: list[str]) -> str | None:
    """The Azure ML component whose ``code:`` folder holds every one of ``paths``, each of them
    no larger than a test fixture may be; None otherwise."""
    if any((ctx.size(p) or 0) > artifacts.FIXTURE_LIMIT for p in paths):
        return None
    folders = ctx.cache.get("component-code")
    if folders is None:
        from ..azureml.project import COMPONENT, Project

        project = Project.of(ctx)
        folders = ctx.cache["component-code"] = {}
        for doc in project.of_kind(COMPONENT):
            code = doc.data.get("code")
            folder = project.resolve(doc.path, code) if isinstance(code, str) else None
            # `code: .` at the root uploads the whole repository: that says nothing about a file
            if folder not in (None, ".") and not code.strip().startswith(("azureml:", "http:", "https:")):
                folders.setdefault(folder + "/", doc.path)
    for folder, spec in folders.items():
        if all(p.startswith(folder) for p in paths):
            return spec
    return None


def untrack_command(ctx: RepoContext, key: str, paths: list[str]) -> str:
    """``git rm --cached`` of exactly these files: the whole folder only when it holds nothing
    else (a `data/` folder with code or a README keeps them)."""
    if key.endswith("/") and not any(e.path.startswith(key) and e.path not in set(paths)
                                     for e in ctx.entries):
        return f"git rm -r --cached -- {shlex.quote(ctx.display(key))}"
    if len(paths) <= 12:
        return "git rm --cached -- " + " ".join(shlex.quote(ctx.display(p)) for p in sorted(paths))
    # many files: one pathspec per extension under the folder (git's `*` crosses folders)
    suffixes = sorted({PurePosixPath(p).suffix for p in paths})
    others = [e.path for e in ctx.entries if e.path.startswith(key) and e.path not in set(paths)]
    if all(sfx and not any(o.endswith(sfx) for o in others) for sfx in suffixes):
        return "git rm --cached -- " + " ".join(shlex.quote(f"{ctx.display(key)}*{sfx}") for sfx in suffixes)
    return "git rm --cached -- " + " ".join(shlex.quote(ctx.display(p)) for p in sorted(paths))


@rule("tracked-model", severity="error", scope="repo", lesson="01-git-hygiene#what-goes-in-git",
      needs_git=True)
def tracked_model(ctx: RepoContext):
    """Trained model weights are tracked by Git.

    Model files (``.pkl``, ``.pt``, ``.pth``, ``.joblib``, ``.onnx``, ``.h5``, ``.safetensors``,
    ``.ckpt``, MLflow ``MLmodel`` folders ...) are build outputs of a training run, not source.
    Committing one does not version the model: it bloats every clone forever and says nothing
    about which data and code produced it. Register the model in the Azure ML model registry
    (or a shared registry for several workspaces) and ignore the files. One under ``tests/``
    (or ``integration-test/``, ``testdata/``) is a warning: likely a fixture that loading code
    is tested on (over pre-commit's 500 KiB the message gives its size); so is one among
    examples, tutorials or documentation, or in a folder named for examples
    (``example_models/``), and one stored with Git LFS. Past history-large-blob's limit (5 MiB)
    no folder excuses it. A Sphinx or Jupyter Book build's cache
    (``_build/.doctrees/environment.pickle``) is not a model.
    """
    yield from tracked_of_kind(ctx, artifacts.MODEL)


@rule("tracked-data", severity="error", scope="repo", lesson="01-git-hygiene#what-goes-in-git",
      needs_git=True)
def tracked_data(ctx: RepoContext):
    """A dataset is tracked by Git.

    Data files (``.csv``, ``.parquet``, ``.feather``, ``.npy``, images outside documentation
    folders, anything under ``data/`` but code, READMEs and DVC pointers) belong in Azure ML data
    assets on a datastore, versioned there. Small fixtures (up to 500 KiB) under ``tests/`` are
    allowed: unit tests need them; so are those in folders whose names say they hold tests'
    data (``test_sets/``, ``_testing/``, ``fixtures/``; not a dataset's ``test_images/``
    split). Larger ones there are warnings that give their size (haystack's test audio clip),
    up to history-large-blob's limit (5 MiB): past it, a table is a dataset in Git wherever it
    is. A file up to 500 KiB in the ``code:`` folder of an Azure ML component is a warning: it
    ships with the code, as a lookup table the code reads would. So is a sample that ships
    with what reads it, not as the project's data: up to 5 MiB in a folder of examples, demos,
    tutorials or documentation (xgboost's ``demo/data/``), up to 500 KiB in an R package's
    ``data/`` (beside its ``DESCRIPTION``), inside a Python package, or named by a notebook
    or script in its folder or the one above (a tutorial's script may name its ``data/``
    folder instead). The project's own data (at the root, or under a top-level ``data/``) is
    never a sample, even when its training script names it. A file that ``.gitattributes``
    stores with Git LFS is a warning too: Git holds only its pointer. A file browser's
    ``.DS_Store`` and a package's license report (``licenses/*.csv``) are not data.
    """
    yield from tracked_of_kind(ctx, artifacts.DATA)


@rule("tracked-experiment-log", severity="error", scope="repo",
      lesson="01-git-hygiene#what-goes-in-git", needs_git=True)
def tracked_experiment_log(ctx: RepoContext):
    """Experiment runs, metrics or logs are tracked by Git.

    ``mlruns/``, ``mlartifacts/``, ``wandb/``, ``lightning_logs/`` and TensorBoard event files are
    what a tracking tool writes during a run. MLflow tracking in the Azure ML workspace keeps
    them, linked to the commit that produced them; Git should not.
    """
    yield from tracked_of_kind(ctx, artifacts.LOGS)


@rule("tracked-secret-file", severity="error", scope="repo",
      lesson="01-git-hygiene#what-goes-in-git", needs_git=True)
def tracked_secret_file(ctx: RepoContext):
    """A file that holds secrets is tracked by Git.

    ``.env`` files (but ``.env.example`` and the like), private keys (``.pem``, ``.key``,
    ``id_rsa`` ...), certificate stores (``.pfx``, ``.p12``) and credential files. Anyone who can
    read the repository, now or later, can read the secret. Rotate it, keep the new one in Azure
    Key Vault (or GitHub secrets for workflows), and commit only a placeholder ``.env.example``.
    A ``.env`` that holds no secret value (a front end's ``VITE_API_URL=http://localhost``) is
    a warning: nothing leaks yet, but the next secret written there would be committed.
    """
    yield from tracked_of_kind(ctx, artifacts.SECRET)
