"""``.gitignore`` coverage, decided by git itself (``git check-ignore``).

Asking git rather than parsing the patterns means negations, nested ``.gitignore`` files and
directory patterns count exactly as they will when someone runs ``git add .``.
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

from ..registry import Problem, rule
from . import artifacts, gitcmd
from .context import SUBMODULE_MODE, RepoContext

CODE_SUFFIXES = (".py", ".go", ".js", ".ts", ".java", ".rs", ".c", ".cc", ".cpp", ".cs", ".scala",
                 ".kt", ".rb", ".jl")


@dataclass(frozen=True)
class Match:
    source: str     # the ignore file, relative to the checked root
    line: int
    pattern: str

    @property
    def ignores(self) -> bool:
        return not self.pattern.startswith("!")


def check_ignore(ctx: RepoContext, paths: tuple[str, ...]) -> dict[str, Match | None]:
    """For each path, the ignore rule that decides it (None when no rule matches)."""
    key = ("check-ignore", paths)
    if key not in ctx.cache:
        ctx.cache[key] = _check_ignore(ctx, paths)
    return ctx.cache[key]


def _check_ignore(ctx: RepoContext, paths: tuple[str, ...]) -> dict[str, Match | None]:
    """Ask git, with an empty git directory of our own over the project's files.

    The repository's own ``.git/info/exclude`` (and the user's global excludes file) never
    reach a teammate's clone, so only the ``.gitignore`` files of the work tree may count.
    """
    root = ctx.root
    top = ctx.git("rev-parse", "--show-toplevel").rstrip(b"\n")
    with tempfile.TemporaryDirectory(prefix="checkers-ignore-") as empty:
        ctx.git("init", "-q", "--bare", empty)
        out = ctx.git(f"--git-dir={empty}", f"--work-tree={os.fsdecode(top)}",
                      "check-ignore", "--no-index", "-v", "-n", "-z", "--stdin",
                      input=b"\0".join(os.fsencode(p) for p in paths) + b"\0", check=False)
    fields = out.split(b"\0")
    result: dict[str, Match | None] = {}
    for i in range(0, len(fields) - 3, 4):
        source, line, pattern, path = (os.fsdecode(f) for f in fields[i:i + 4])
        if source:
            rel = os.path.relpath(os.path.join(root, source), root) if not os.path.isabs(source) \
                else os.path.relpath(source, root)
            result[path] = Match(rel.replace(os.sep, "/"), int(line), pattern)
        else:
            result[path] = None
    return result


@rule("gitignore-missing", severity="error", scope="repo", lesson="01-git-hygiene#ignore-files",
      needs_git=True)
def gitignore_missing(ctx: RepoContext):
    """``.gitignore`` lets models, data, experiment logs or secrets through.

    A good ``.gitignore`` is what stops ``git add .`` from committing the next model or ``.env``.
    The checker asks git whether representative paths would be ignored, by the ``.gitignore``
    files alone (``.git/info/exclude`` and your global excludes file protect only your own
    clone)::

        models      models/churn.pkl  model.pkl  outputs/model.pt  model.pth  model.joblib
                    model.onnx  checkpoints/epoch-3.ckpt  model.safetensors  weights.h5
        datasets    data/raw/churn.csv  data/processed/features.parquet  churn.csv
                    features.parquet  data/images/0001.png
        logs        mlruns/0/meta.yaml  wandb/latest-run/run.wandb
        secrets     .env  config/.env  keys/deploy.pem

    It is an **error** when a kind has no coverage at all (its paths of frameworks the project
    does not use aside, in a practitioner's repository), or when a file of that kind on disk
    would be committed by ``git add .``. A practitioner's repository that shows no sign of
    being an ML project (no ML framework among its required dependencies, no DVC, no training
    script outside its examples and tests) and holds no file of the kind, tracked
    or not (a web framework, a command-line tool, a numerical library), gets a **warning** for
    that kind instead: nothing it makes would leak today, so the entries are hardening. A path in a folder the repository keeps code in
    (wandb's own package ``wandb/``) is not asked about in a practitioner's repository. When the ``.gitignore`` covers a kind in part (``data/`` but not ``*.csv``)
    and nothing of it is on disk, the rest is a **warning** in a practitioner's repository (the
    default ``--layout roles``: hardening); the course's exercises (``--layout course``) hold
    the lesson's standard, where a path any ML project produces (``model.pkl``, ``data/``,
    ``.env`` ...) leaking is an **error**. The files of a framework the project does not use
    (``*.h5`` without Keras or TensorFlow, ``*.safetensors`` without transformers, ``wandb/``
    without wandb; judged from its dependency files and imports) are a **warning**: worth adding,
    not a mistake. So are models and datasets in a project that versions them with DVC
    (``dvc.yaml`` or ``*.dvc`` files): ``dvc add`` and ``dvc.yaml`` outputs write their own
    ``.gitignore`` entries, so only a file on disk that would be committed is an error there.
    Ignore by extension (``*.pkl``) as well as by folder (``models/``): a model saved next to the
    script is still a model.

    A published library or tool (packaging metadata whose trove classifiers say who it is for
    or whose name the README says to ``pip install``, an R package's ``DESCRIPTION``, or a
    workflow that uploads to PyPI: alibi, cleanlab, tfx, kserve's SDK,
    cookiecutter-data-science) gets a **warning** for a kind it has no coverage for when it
    holds no file of that kind (test fixtures, a test cluster's kubeconfig or key among them,
    and shipped samples aside) and none is on disk.
    The lesson's kinds are what a project's own work makes: a library's maintainers train no
    model and keep no dataset of their own there (their users' projects do), so the entries
    are hardening that no maintainer would take as a defect, which the severity policy calls
    a warning. A file of the kind on disk that ``git add .`` would commit stays an **error**
    there too, and a library that versions its work with DVC is judged as a project.
    """
    paths = tuple(p for group in artifacts.MUST_IGNORE.values() for p in group)
    matches = check_ignore(ctx, paths)
    exists = (ctx.root / ".gitignore").is_file()
    inline = _inline_comments(ctx) if exists else []
    used = frameworks_used(ctx)
    dvc = uses_dvc(ctx)
    on_disk = _unignored_on_disk(ctx)
    # the kinds the work tree holds, tracked or not (test fixtures and the samples that
    # examples or documentation read are none)
    in_tree = set() if ctx.layout == "course" else _kinds_in_tree(ctx, on_disk)
    # an ML project by what it says: a framework among its required dependencies, DVC, or a
    # training script of its own (not an example's or a test's)
    ml_project = ctx.layout == "course" or bool(used) or dvc or any(
        TRAIN_SCRIPT.match(parts[-1]) and not any(d in NOT_PROJECT_DIRS for d in parts[:-1])
        for parts in (e.path.lower().split("/") for e in ctx.entries))
    # a library or tool published for others to install (alibi, tfx, kserve's SDK): its own
    # work makes no model or dataset to keep out; its users' projects do
    library = ctx.layout != "course" and not dvc and publishes_package(ctx)
    noted = False
    # a folder the repository keeps code in is no place for a tool's output: wandb's own
    # repository is its package `wandb/`, which it must not ignore
    code_tops = {e.path.split("/", 1)[0] for e in ctx.entries
                 if "/" in e.path and e.path.endswith(CODE_SUFFIXES)} if ctx.layout != "course" else set()
    for kind, group in artifacts.MUST_IGNORE.items():
        group = tuple(p for p in group if "/" not in p or p.split("/", 1)[0] not in code_tops)
        leaking = [p for p in group if not (matches.get(p) and matches[p].ignores)]
        if not leaking:
            continue
        present = [p for p in on_disk if artifacts.classify(p, ctx.size(p)) is kind][:5]
        if dvc and kind in (artifacts.MODEL, artifacts.DATA) and not present:
            parts = [(leaking, "dvc")]
        elif present:
            parts = [(leaking, "error")]
        elif len(leaking) == len(group) and ctx.layout == "course":
            parts = [(leaking, "error")]
        elif len(leaking) == len(group) and not ml_project and kind not in in_tree:
            # no coverage at all, in a repository that neither names an ML framework nor holds
            # a file of the kind (a web framework, a CLI, a C++ library): hardening
            parts = [(leaking, "none-here")]
        elif len(leaking) == len(group) and library and kind not in in_tree:
            # the same in a published ML library that holds none (test fixtures and shipped
            # samples aside): its maintainers make no model or dataset of their own to keep out
            parts = [(leaking, "library")]
        elif len(leaking) == len(group):
            # no coverage at all; in a practitioner's repository the folders of a framework it
            # does not use (mlruns/ without MLflow, wandb/ without W&B) are advice even then
            advice = [p for p in leaking if artifacts.FRAMEWORK_OF.get(p) not in (None, *used)]
            parts = [([p for p in leaking if p not in advice], "error"), (advice, "warning")]
        else:
            advice = [p for p in leaking if artifacts.FRAMEWORK_OF.get(p) not in (None, *used)]
            errors = [p for p in leaking if p not in advice]
            # a practitioner's repository that ignores part of the kind, nothing of it on disk:
            # hardening (the course's own standard, `--layout course`, requires both forms)
            parts = [(errors, "error" if ctx.layout == "course" else "partial"), (advice, "warning")]
        for leaked, severity in parts:
            if not leaked:
                continue
            lines = list(dict.fromkeys(artifacts.suggest_pattern(p, kind) for p in leaked))
            note = ""
            if inline and not noted:
                noted = True
                note = (f"\nnote: git has no inline comments; line {inline[0]} is one pattern, "
                        "comment included: put comments on lines of their own")
            if severity == "dvc":
                what = (f"{kind.name} outside what DVC already ignores would be committed by a "
                        "plain `git add .` (DVC writes ignore entries only for what it tracks): ")
            elif severity == "warning":
                what = (f"{kind.name} of frameworks this project does not seem to use would be "
                        "committed: ")
            elif severity == "none-here":
                what = (f"{kind.name} would be committed, should this repository ever hold any "
                        "(it names no ML framework and has none now): ")
            elif severity == "library":
                what = (f"{kind.name} would be committed, should this repository ever hold any "
                        "(it publishes a package for others to install and holds none now): ")
            elif severity == "partial":
                what = (f"{kind.name} that the .gitignore covers only in part (none on disk now) "
                        "would be committed: ")
            else:
                what = f"{kind.name} would be committed: "
            disk = (" (on disk now, not ignored: " + ", ".join(ctx.display(p) for p in present) + ")"
                    if present and severity == "error" else "")
            yield Problem(
                what + ", ".join(leaked) + ("" if exists else " (there is no .gitignore)") + disk,
                "add to .gitignore (then check with `git check-ignore -v <path>`):\n  "
                + "\n  ".join(lines) + f"\n({kind.name} belong in {kind.where})" + note,
                path=".gitignore", severity=None if severity == "error" else "warning",
            )


TRAIN_SCRIPT = re.compile(r"(?i)^(?:train|training|finetune|fine_tune)(?:[_-]\w+)?\.(?:py|ipynb)$|^MLproject$")


def _kinds_in_tree(ctx: RepoContext, on_disk: list[str]) -> set:
    from .secretscan import scan_text
    from .tracked import shipped_sample

    kinds = set()
    for path in [*(e.path for e in ctx.entries if e.mode != SUBMODULE_MODE), *on_disk]:
        kind = artifacts.classify(path, ctx.size(path))
        if kind is None or kind in kinds or shipped_sample(ctx, kind, [path]):
            continue
        size = ctx.size(path)
        if (kind is artifacts.SECRET or (size is not None and size <= ctx.max_blob_size)) \
                and any(artifacts.is_test_dir(d) for d in path.split("/")[:-1]):
            # a test fixture: a checkpoint loading code is tested on, a table it reads, a key
            # or kubeconfig for a test cluster (tracked-secret-file: a warning)
            continue
        if kind is artifacts.SECRET and artifacts.env_file(path):
            text = ctx.read_text(path)
            if text is not None and not scan_text(text, path):
                continue  # a `.env` of plain settings (tracked-secret-file: a warning)
        kinds.add(kind)
    return kinds


PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# PyPI's trove classifiers that say who a release is for. A project generated from
# cookiecutter-data-science declares only `Programming Language` and `License`: not these.
CLASSIFIER = re.compile(r"(?m)^[\s\[(]*[\"']?(?:Development Status|Intended Audience|Topic|"
                        r"Operating System)\s*::")
PUBLISH = re.compile(r"pypa/gh-action-pypi-publish|\btwine\s+upload\b|"
                     r"\b(?:poetry|uv|flit|hatch|maturin)\s+publish\b")
PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+(?:(?:-U|--upgrade|-q|--pre)\s+)*[\"']?"
                         r"([A-Za-z0-9][A-Za-z0-9_.-]*)")


def publishes_package(ctx: RepoContext) -> bool:
    """The repository ships a package that others install: packaging metadata (at the root or
    up to two folders down: ``python/``, ``python-package/``; not a template's or an
    example's) whose trove classifiers say who it is for (``Development Status``, ``Intended
    Audience``, ``Topic``), or whose name the README tells readers to ``pip install``; an R
    package's ``DESCRIPTION`` at the root; or a workflow that uploads to PyPI. A learner's or a
    team's project has none of these (``pip install -r requirements.txt`` installs no name of
    its own)."""
    key = "publishes-package"
    if key in ctx.cache:
        return ctx.cache[key]
    packaging: list[str] = []
    readme = ""
    found = False
    for entry in ctx.entries:
        parts = entry.path.split("/")
        name = parts[-1]
        if len(parts) <= 3 and name in PACKAGING_FILES and "{{" not in entry.path \
                and not any(d.lower() in NOT_PROJECT_DIRS for d in parts[:-1]):
            packaging.append(ctx.read_text(entry.path, limit=256 * 1024) or "")
            found = bool(CLASSIFIER.search(packaging[-1]))
        elif entry.path == "DESCRIPTION":
            found = (ctx.read_text(entry.path, limit=64 * 1024) or "").startswith("Package:")
        elif entry.path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml")):
            found = bool(PUBLISH.search(ctx.read_text(entry.path, limit=256 * 1024) or ""))
        elif "/" not in entry.path and name.lower().startswith("readme"):
            readme += ctx.read_text(entry.path, limit=256 * 1024) or ""
        if found:
            break
    if not found and packaging and readme:
        declared = " ".join(packaging).lower()
        found = any(f'"{n}"' in declared or f"'{n}'" in declared
                    for n in {m.group(1).lower() for m in PIP_INSTALL.finditer(readme)})
    ctx.cache[key] = found
    return found


def uses_dvc(ctx: RepoContext) -> bool:
    """The project versions data and models with DVC (a pipeline file or ``.dvc`` pointers)."""
    return any(e.path == "dvc.yaml" or e.path.endswith(("/dvc.yaml", ".dvc"))
               or e.path.startswith(".dvc/") for e in ctx.entries)


DEPENDENCY_FILES = ("requirements", "pyproject.toml", "setup.py", "setup.cfg", "environment",
                    "conda", "pipfile", "poetry.lock")


# Dependency files that say nothing of what the project itself uses: the pins of a docs
# build or a CI matrix, lock files (everything installed, transitively), tests' and examples'.
NOT_PROJECT_DIRS = {"docs", "doc", "documentation", ".ci", "ci", ".github", "build", "tests",
                    "test", "examples", "example", "benchmarks", "benchmark", "tutorials"}


def frameworks_used(ctx: RepoContext) -> set[str]:
    """The frameworks the project's dependency files (or, failing those, imports) name.

    Only what the project itself installs counts: a package's required dependencies, not its
    optional extras (LightGBM's ``scikit-learn`` extra), and not the requirements of its docs,
    CI, tests or examples, nor a lock file's transitive pins.
    """
    texts = []
    code = []
    for entry in ctx.entries:
        parts = entry.path.lower().split("/")
        name = parts[-1]
        if name.startswith(DEPENDENCY_FILES) and name.endswith((".txt", ".toml", ".py", ".cfg",
                                                                ".yml", ".yaml", ".in", "pipfile",
                                                                ".lock")):
            if "lock" not in name and not any(d in NOT_PROJECT_DIRS for d in parts[:-1]):
                texts.append(entry.path)
        elif name.endswith((".py", ".ipynb")) and len(code) < 200:
            code.append(entry.path)
    blob = " ".join(_required(p, ctx.read_text(p, limit=256 * 1024) or "")
                    for p in texts[:40]).lower()
    if not blob.strip():
        blob = " ".join((ctx.read_text(p, limit=64 * 1024) or "") for p in code).lower()
    return {name for name, words in artifacts.FRAMEWORK_WORDS.items() if any(w in blob for w in words)}


def _required(path: str, text: str) -> str:
    """The part of a dependency file that lists what installing the project installs: a
    ``pyproject.toml``'s ``[project] dependencies`` (or Poetry's), a ``setup.cfg``'s
    ``install_requires``; any other file whole."""
    name = path.rsplit("/", 1)[-1].lower()
    if name == "pyproject.toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10: read it whole
            return text
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeError, ValueError):
            return text
        project = data.get("project") if isinstance(data.get("project"), dict) else {}
        poetry = ((data.get("tool") or {}).get("poetry") or {}) if isinstance(data.get("tool"), dict) else {}
        deps = [str(d) for d in project.get("dependencies") or []]
        if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
            deps += [str(k) for k in poetry["dependencies"]]
        return " ".join(deps)
    if name == "setup.cfg":
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except (configparser.Error, UnicodeError):
            return text
        return parser.get("options", "install_requires", fallback="")
    return text


def _unignored_on_disk(ctx: RepoContext, limit: int = 20000) -> list[str]:
    """Untracked files that ``git add .`` would pick up (at most ``limit`` looked at)."""
    proc = gitcmd.popen(ctx.root, "ls-files", "-o", "--exclude-standard", "-z", "--", ".")
    out: list[str] = []
    try:
        data = proc.stdout.read(4 << 20)
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()
    prefix = ""  # ls-files prints paths relative to the current folder (the checked root)
    for raw in data.split(b"\0")[:limit]:
        if raw:
            path = os.fsdecode(raw)
            if not ctx.excluded(prefix + path):
                out.append(path)
    return out


def _inline_comments(ctx: RepoContext) -> list[int]:
    text = ctx.read_text(".gitignore") or ""
    return [n for n, line in enumerate(text.splitlines(), 1)
            if not line.lstrip().startswith("#") and " #" in line]


@rule("gitignore-ignores-code", severity="error", scope="repo", lesson="01-git-hygiene#ignore-files",
      needs_git=True)
def gitignore_ignores_code(ctx: RepoContext):
    """``.gitignore`` ignores code or configuration that belongs in Git.

    Training scripts, pipeline and component definitions, environment specs, Bicep templates,
    workflows, hyperparameter configs, tests, ``.env.example`` and the ``.gitignore`` itself must
    stay in Git: they are what makes a run reproducible. Over-broad patterns (``*.yaml``,
    ``*.json``, ``.env*`` without ``!.env.example``, ``src/``) hide them, and ``git add .``
    silently skips them. The finding points at the pattern that ignores the file.

    In a practitioner's repository (the default ``--layout roles``) this is an **error** when
    the pattern matches code or configuration the repository has: tracked files (``git add .``
    skips their new siblings) or files on disk. A pattern that would only hide the lesson's
    representative paths, which this repository does not have (spaCy's ``.env*`` and no
    ``.env.example``), is a **warning**: hardening.
    """
    matches = check_ignore(ctx, artifacts.MUST_KEEP)
    by_pattern: dict[Match, list[str]] = {}
    for path in artifacts.MUST_KEEP:
        match = matches.get(path)
        if match and match.ignores:
            by_pattern.setdefault(match, []).append(path)
    real = _patterns_hiding_code(ctx) if by_pattern and ctx.layout != "course" else {}
    for match, paths in by_pattern.items():
        hidden = real.get(match, []) if ctx.layout != "course" else paths
        if len(paths) > 1:
            hint = (f"remove `{match.pattern}` or narrow it to the folder it was meant for (e.g. "
                    "`outputs/*.yaml`): it hides every file it matches, not only these examples")
        else:
            hint = f"narrow the pattern, or add an exception after it:\n  !{paths[0]}"
        here = (f" (here: {', '.join(ctx.display(p) for p in hidden[:3])})"
                if hidden and ctx.layout != "course" else "")
        none = "" if hidden else " (nothing this repository has matches it now: hardening)"
        yield Problem(
            f"pattern `{match.pattern}` ignores code or configuration that belongs in Git: "
            + ", ".join(paths) + here + none, hint, path=match.source, line=match.line, column=1,
            severity=None if hidden else "warning",
        )


def _patterns_hiding_code(ctx: RepoContext, limit: int = 5000) -> dict[Match, list[str]]:
    """The ``.gitignore`` rules that match code or configuration this repository has: tracked
    files that a rule matches (their new siblings would be skipped) and ignored files on disk."""
    out = ctx.git("ls-files", "-z", "-i", "-c", "-o", "--exclude-standard", "--", ".", check=False)
    keep_suffixes = tuple({os.path.splitext(p)[1] for p in artifacts.MUST_KEEP if "." in p[1:]}
                          | set(CODE_SUFFIXES))
    candidates = []
    for raw in out.split(b"\0"):
        path = os.fsdecode(raw)
        name = path.rsplit("/", 1)[-1]
        if path and not ctx.excluded(path) and (name.endswith(keep_suffixes)
                                                 or name in (".gitignore", ".env.example")):
            candidates.append(path)
            if len(candidates) >= limit:
                break
    found: dict[Match, list[str]] = {}
    for path, match in check_ignore(ctx, tuple(candidates)).items() if candidates else ():
        if match and match.ignores:
            found.setdefault(match, []).append(path)
    return found
