"""Azure ML environment assets and the conda specs behind them."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .components import conda_file_problems
from .project import CONDA, ENVIRONMENT, Doc, Project, pos, where

LESSON = "04-azure-ml-assets#environments"

# `name`, `name=1.2`, `name==1.2`, `name>=1.2,<2`, `channel::name=1.2=build`
CONDA_SPEC = re.compile(r"^(?:[A-Za-z0-9_.-]+::)?([A-Za-z0-9_.-]+)\s*(.*)$")
PIP_SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(\[[^\]]*\])?\s*(.*)$")
EXACT = re.compile(r"^(?:==?)\s*[0-9][0-9A-Za-z.*+!_-]*$")
# What satisfies a need: azureml-mlflow pulls in mlflow-skinny; azureml-defaults the server.
ALTERNATIVES = {"mlflow": {"mlflow", "mlflow-skinny", "azureml-mlflow"},
                "azureml-inference-server-http": {"azureml-inference-server-http", "azureml-defaults"}}
# Libraries whose saved models only load in the version that wrote them.
MODEL_LIBRARIES = ("scikit-learn", "xgboost", "lightgbm", "torch", "pytorch", "tensorflow",
                   "joblib", "catboost")


@rule("azureml-environment-asset", severity="error", scope="repo", lesson=LESSON)
def environment_asset(ctx):
    """An Azure ML environment asset names no image (or build), or its ``conda_file`` is missing.

    An environment YAML (``$schema: .../environment.schema.json``) is built from a Docker
    ``image`` (plus, optionally, a ``conda_file`` installed on top) or from a Docker ``build``
    context, exactly one of the two. ``conda_file`` is a path relative to the environment file;
    when it does not exist, ``az ml environment create`` fails. A file without ``name`` is a
    warning: ``az ml environment create --name`` can give it one, which the file cannot show.
    """
    project = Project.of(ctx)
    for doc in project.of_kind(ENVIRONMENT):
        env = doc.data
        if ("image" in env) == ("build" in env):
            yield Problem("the environment needs exactly one of `image:` and `build:`",
                          "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
                          path=doc.path, line=1, column=1)
        if "name" not in env:
            # `az ml environment create --file F --name N` names it on the command line
            # (microsoft/mlops-basic-template-for-azureml-cli-v2 does): a file cannot show that.
            yield Problem("the environment has no `name`: components refer to it as "
                          "`azureml:NAME@latest`, so the command that creates it must name it",
                          "name: churn-training-env (or `az ml environment create --file ... "
                          "--name churn-training-env`)", path=doc.path, line=1, column=1,
                          severity="warning")
        yield from conda_file_problems(project, doc, env)


def conda_specs(project: Project) -> list[tuple[Doc, str | None]]:
    """Each conda spec with its role, ``"training"``, ``"scoring"`` or None, from the names of the
    spec and of the environments that use it."""
    roles: dict[str, str] = {}
    for env in project.of_kind(ENVIRONMENT):
        conda = env.data.get("conda_file")
        if isinstance(conda, str):
            target = project.resolve(env.path, conda)
            role = _role(f"{env.data.get('name', '')} {env.path.rsplit('/', 1)[-1]}")
            if target and role:
                roles[target] = role
    return [(doc, roles.get(doc.path) or _role(doc.path.rsplit("/", 1)[-1]))
            for doc in project.of_kind(CONDA)]


def _role(text: str) -> str | None:
    text = text.lower()
    if any(w in text for w in ("scor", "infer", "serv")):
        return "scoring"
    if "train" in text:
        return "training"
    return None


def _entries(spec: CommentedMap) -> Iterator[tuple[str, str, str, Any, Any]]:
    """(manager, package, version spec, holder, index) for every package of a conda spec."""
    deps = spec.get("dependencies")
    if not isinstance(deps, CommentedSeq):
        return
    for i, dep in enumerate(deps):
        if isinstance(dep, str):
            match = CONDA_SPEC.match(dep.strip())
            if match:
                yield "conda", match.group(1).lower(), match.group(2).strip(), deps, i
        elif isinstance(dep, CommentedMap) and isinstance(dep.get("pip"), CommentedSeq):
            for j, req in enumerate(dep["pip"]):
                if isinstance(req, str) and not req.startswith("-"):
                    match = PIP_SPEC.match(req.strip())
                    if match:
                        yield "pip", match.group(1).lower(), match.group(3).strip(), dep["pip"], j


@rule("azureml-conda-spec", severity="error", scope="repo", lesson=LESSON)
def conda_spec(ctx):
    """A conda environment spec has a shape conda cannot read.

    A conda spec is a mapping with a ``dependencies:`` list (and usually ``channels:`` and
    ``name:``). Each dependency is a package string (``scikit-learn=1.9.1``) or the single mapping
    ``- pip: [...]`` whose value is a list of pip requirement strings. Common mistakes: ``pip:``
    packages written as one string or a mapping, ``channels:`` given as a string, a dependency
    written as ``name: version``. Azure ML's image build fails on these. A template's
    ``"{{ placeholder }}"`` entry is left alone: it is filled in before conda reads the file. A ``pip:`` section
    without ``pip`` itself among the dependencies is a warning (conda then uses whatever pip the
    image has).
    """
    for doc, _ in conda_specs(Project.of(ctx)):
        spec = doc.data
        for key in ("channels",):
            if key in spec and not isinstance(spec.get(key), CommentedSeq):
                line, col = where(spec, key)
                yield Problem(f"`{key}:` must be a list", f"{key}:\n  - conda-forge",
                              path=doc.path, line=line, column=col)
        deps = spec.get("dependencies")
        if not isinstance(deps, CommentedSeq):
            line, col = where(spec, "dependencies")
            yield Problem("`dependencies:` must be a list of packages",
                          "dependencies:\n  - python=3.11\n  - scikit-learn=1.9.1",
                          path=doc.path, line=line, column=col)
            continue
        has_pip_section = has_pip = False
        for i, dep in enumerate(deps):
            line, col = pos(deps, i)
            if isinstance(dep, str):
                if dep.strip().split("=")[0].split(">")[0].split("<")[0].strip().lower() == "pip":
                    has_pip = True
                if "{{" in dep and "}}" in dep:
                    continue  # a template's placeholder (xarray's doc/environment_template.yml)
                if not CONDA_SPEC.match(dep.strip()):
                    yield Problem(f"`{dep}` is not a conda package spec", "write `name=version`",
                                  path=doc.path, line=line, column=col)
                continue
            if isinstance(dep, CommentedMap) and list(dep) == ["pip"]:
                has_pip_section = True
                reqs = dep.get("pip")
                if not isinstance(reqs, CommentedSeq) or not all(isinstance(r, str) for r in reqs):
                    pline, pcol = where(dep, "pip")
                    yield Problem("`pip:` must be a list of requirement strings",
                                  "- pip:\n    - mlflow==3.17.2", path=doc.path, line=pline, column=pcol)
                continue
            if isinstance(dep, CommentedMap) and len(dep) == 1:
                key, value = next(iter(dep.items()))
                yield Problem(f"`{key}: {value}` is a mapping; conda expects the string `{key}={value}`",
                              f"- {key}={value}", path=doc.path, line=line, column=col)
                continue
            yield Problem("a dependency must be a package string or `- pip: [...]`",
                          "- scikit-learn=1.9.1", path=doc.path, line=line, column=col)
        if has_pip_section and not has_pip:
            line, col = where(spec, "dependencies")
            yield Problem("the spec installs pip packages but does not list `pip` itself",
                          "add `- pip` to dependencies, before the `- pip:` section",
                          path=doc.path, line=line, column=col, severity="warning")


@rule("azureml-conda-python", severity="warning", scope="repo", lesson=LESSON)
def conda_python(ctx):
    """A conda spec does not pin the Python version.

    Without ``python=3.11`` (or another exact version) the environment gets whatever Python the
    image or the solver picks that day, so the same commit can build a different environment
    next month, and a model trained under one Python may not load under another.
    """
    for doc, _ in conda_specs(Project.of(ctx)):
        pythons = [e for e in _entries(doc.data) if e[0] == "conda" and e[1] == "python"]
        if not pythons:
            line, col = where(doc.data, "dependencies")
            yield Problem("the spec does not list python, so its version is left to chance",
                          "add `- python=3.11` to dependencies", path=doc.path, line=line, column=col)
            continue
        _, _, version, holder, index = pythons[0]
        if not EXACT.match(version) and not re.match(r"^[0-9]", version):
            line, col = pos(holder, index)
            yield Problem(f"python is not pinned (`python{version}`)", "write `python=3.11`",
                          path=doc.path, line=line, column=col)


@rule("azureml-conda-packages", severity="warning", scope="repo", lesson=LESSON)
def conda_packages(ctx):
    """A training or scoring conda spec lacks what its job needs, or the two disagree.

    Recognised by name (``training-*``/``scoring-*``, or the environment asset that uses the
    spec). Training needs ``mlflow`` and ``azureml-mlflow`` so the run's parameters and metrics
    reach the workspace's MLflow tracking; scoring on a managed online endpoint needs
    ``azureml-inference-server-http``. A model library (scikit-learn, xgboost, torch, joblib ...)
    must be pinned, and pinned to the same version in training and scoring: a pickled model is
    only guaranteed to load in the version that saved it.
    """
    specs = conda_specs(Project.of(ctx))
    needs = {"training": ("mlflow", "azureml-mlflow"), "scoring": ("azureml-inference-server-http",)}
    pins: dict[str, dict[str, tuple[str, Doc, Any, Any]]] = {"training": {}, "scoring": {}}
    for doc, role in specs:
        if role is None:
            continue
        entries = list(_entries(doc.data))
        names = {e[1] for e in entries}
        for package in needs[role]:
            if not names & ALTERNATIVES.get(package, {package}):
                line, col = where(doc.data, "dependencies")
                yield Problem(f"the {role} spec does not install `{package}`",
                              f"add it under `- pip:`: `- {package}`", path=doc.path, line=line,
                              column=col)
        for _, name, version, holder, index in entries:
            if name in MODEL_LIBRARIES:
                pins[role][name] = (version, doc, holder, index)
                if not version:
                    line, col = pos(holder, index)
                    yield Problem(f"`{name}` is not pinned in the {role} spec",
                                  f"pin it (e.g. `{name}=VERSION`) to the same version in training "
                                  "and scoring", path=doc.path, line=line, column=col)
    for name, (version, doc, holder, index) in sorted(pins["scoring"].items()):
        trained = pins["training"].get(name)
        if trained and version and trained[0] and _norm(version) != _norm(trained[0]):
            line, col = pos(holder, index)
            yield Problem(f"`{name}` is {version.lstrip('=')} for scoring but {trained[0].lstrip('=')} "
                          f"for training ({trained[1].path}): the model may not load",
                          "pin the same version in both specs", path=doc.path, line=line, column=col)


def _norm(version: str) -> str:
    return version.lstrip("=").strip()
