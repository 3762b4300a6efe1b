"""The official SDK (azure-ai-ml) as an extra layer: its loaders and offline validation.

azure-ai-ml is optional (``pip install "git-cicd-ml-checkers[azure]"``): importing it costs about
two seconds, so it is imported only when there is an Azure ML file to validate. Its messages are
mapped back to the YAML line of the field they name. It knows the field types, enums and
required fields of every Azure ML schema; it does not know the wiring between a pipeline's steps,
which our own rules check.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import re
import warnings
from pathlib import Path
from typing import Any

from ..yamlnodes import CommentedMap, CommentedSeq

from ..registry import Problem, rule
from .project import COMPONENT, ENVIRONMENT, PIPELINE, Doc, Project, is_pipeline_component, pos

LESSON = "04-azure-ml-assets#components"
LOCATION = re.compile(r"#line (\d+)")
NOISE = re.compile(r"\s*The easiest way to author a specification file.*", re.S)


def available() -> bool:
    try:
        return importlib.util.find_spec("azure.ai.ml") is not None
    except (ImportError, ValueError):
        return False


def _loaders():
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # "experimental class" and similar notices, on every load
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # marshmallow deprecation notices
            from azure.ai.ml import load_component, load_environment, load_job
    finally:
        logging.disable(previous)
    return {COMPONENT: load_component, PIPELINE: load_job, ENVIRONMENT: load_environment}


def validate(project: Project, doc: Doc, loaders) -> list[tuple[str, str, str]]:
    """(yaml path, message, severity) for each problem azure-ai-ml finds in ``doc``."""
    full = Path(project.ctx.root) / doc.path
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _validate(full, doc, loaders)
    finally:
        logging.disable(previous)


def _validate(full: Path, doc: Doc, loaders) -> list[tuple[str, str, str]]:
    try:
        # the wrong loader gives confusing union errors: a pipeline component is a component
        loader = loaders[COMPONENT if is_pipeline_component(doc.data) else doc.kind]
        obj = loader(source=str(full))
        result = obj._validate() if hasattr(obj, "_validate") else None
        if result is None or result.passed:
            return []
        return [(str(e.get("path") or ""), str(e.get("message") or ""), "error")
                for e in result._to_dict().get("errors", [])]
    except Exception as exc:  # the SDK reports schema errors as exceptions with a JSON body
        return _from_exception(exc)


def _from_exception(exc: Exception) -> list[tuple[str, str, str]]:
    text = str(exc)
    # The SDK's own verdicts are ValidationError (marshmallow), ValidationException and YAML
    # errors; anything else is the SDK failing on a shape it did not expect: a warning, since
    # our own rules say what is wrong.
    refused = any(k.__name__ in ("ValidationError", "ValidationException", "YAMLError",
                                 "MarkedYAMLError") for k in type(exc).__mro__)
    start = text.find("{")
    if start >= 0:
        try:
            body, _ = json.JSONDecoder().raw_decode(text[start:])
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors:
                return [(str(e.get("path") or ""), str(e.get("message") or ""), "error")
                        for e in errors]
        except ValueError:
            pass
    first = NOISE.sub("", text).strip().splitlines()
    first_line = first[0] if first else "cannot be loaded"
    if refused:
        return [("", first_line, "error")]
    return [("", f"the SDK could not load the file ({type(exc).__name__}: {first_line})", "warning")]


def locate(data: Any, path: str) -> tuple[int | None, int | None, set[int]]:
    """The line of YAML path ``jobs.train.inputs.x`` in ``data`` (the deepest part that exists),
    and the lines its value spans (up to the next key of its mapping)."""
    node, line, col = data, 1, 1
    span: set[int] = set()
    for part in [p for p in path.split(".") if p]:
        key: Any = part
        if isinstance(node, CommentedSeq) and part.isdigit() and int(part) < len(node):
            key = int(part)
        elif not isinstance(node, CommentedMap) or part not in node:
            break
        found = pos(node, key)
        if found[0] is not None:
            line, col = found
            span = _value_span(node, key, line)
        node = node[key]
    return line, col, span


def _value_span(parent: Any, key: Any, line: int) -> set[int]:
    """Lines from ``key`` to just before its next sibling (a block scalar's lines included)."""
    keys = list(parent.keys()) if isinstance(parent, CommentedMap) else list(range(len(parent)))
    after = keys[keys.index(key) + 1:] if key in keys else []
    end = next((pos(parent, k)[0] for k in after if pos(parent, k)[0]), None)
    lines = {line} | _lines(parent[key])
    if end is None:
        end = max(lines) + (50 if isinstance(parent[key], str) else 1)
    return lines | set(range(line, end))


def _lines(node: Any) -> set[int]:
    """Every line a YAML node spans (as far as its keys and items tell)."""
    lines: set[int] = set()
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            lines.add(pos(node, key)[0])
            lines |= _lines(value)
    elif isinstance(node, CommentedSeq):
        for i, value in enumerate(node):
            lines.add(pos(node, i)[0])
            lines |= _lines(value)
    return lines


def _tidy(message: str) -> str:
    message = NOISE.sub("", message).strip()
    message = re.sub(r"\s+", " ", message)
    return message if len(message) <= 300 else message[:297] + "..."


@rule("azureml-sdk-validation", severity="error", scope="repo", lesson=LESSON)
def sdk_validation(ctx):
    """azure-ai-ml, Azure ML's own SDK, refuses a component, pipeline or environment file.

    When the optional package ``azure-ai-ml`` is installed, each component, pipeline job and
    environment file is loaded with its loader (``load_component``, ``load_job``,
    ``load_environment``) and validated offline, exactly as ``az ml ... create`` would start to.
    It knows every field's type and allowed values (``is_deterministic: maybe``, a mistyped
    ``mode``, a misspelled input type). Its message is shown at the line of the field it names.
    Problems our own rules already report at the same line are not repeated. Without the package
    this rule reports nothing (install it with ``pip install "git-cicd-ml-checkers[azure]"``).
    """
    project = Project.of(ctx)
    docs = [d for kind in (COMPONENT, PIPELINE, ENVIRONMENT) for d in project.of_kind(kind)]
    if not docs or not available():
        return
    loaders = _loaders()
    covered = _our_lines(ctx)
    for doc in docs:
        seen = set()
        # a checked component's own problems are reported in its file, not again at each step
        own = tuple(f"jobs.{name}.component" for name, step in _local_steps(project, doc))
        for path, message, severity in validate(project, doc, loaders):
            if own and path.startswith(own):
                continue
            line, col, span = locate(doc.data, path)
            location = LOCATION.search(message)
            if (line, col) == (1, 1) and location and not path:
                line = int(location.group(1))
            text = _tidy(message)
            span = (span | {line}) if path else {line}
            if any((doc.path, n) in covered for n in span) or (line, text) in seen:
                continue
            seen.add((line, text))
            where_ = f"`{path}`: " if path else ""
            yield Problem(f"azure-ai-ml: {where_}{text}",
                          "fix the field as the message says (the Azure ML YAML reference lists "
                          "each field's allowed values)", path=doc.path, line=line, column=col,
                          severity=severity)


def _local_steps(project: Project, doc: Doc):
    if doc.kind != PIPELINE:
        return []
    from .pipelines import steps

    return [(name, step) for name, step in steps(project, doc).items()
            if step.comp_path and step.comp_path in project.docs]


def _our_lines(ctx) -> set[tuple[str, int | None]]:
    """Lines our own error rules already report (so the SDK's view of them is not repeated)."""
    from ..registry import all_rules

    lines = set()
    for r in all_rules("repo"):
        if r.id.startswith("azureml-") and r.id != "azureml-sdk-validation" and r.severity == "error":
            for finding in r.run(ctx):
                lines.add((finding.path, finding.line))
    return lines

