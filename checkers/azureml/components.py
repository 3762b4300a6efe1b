"""Command components: the YAML that turns a script into a reusable Azure ML pipeline step."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ..yamlnodes import CommentedMap

from ..registry import Problem, rule
from .project import COMPONENT, Doc, Project, closest, find_text, pos, where

LESSON = "04-azure-ml-assets#components"

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
IO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PRIMITIVE_TYPES = ("string", "integer", "number", "boolean")
DATA_TYPES = ("uri_folder", "uri_file", "mltable", "mlflow_model", "custom_model", "triton_model",
              "path")
INPUT_TYPES = PRIMITIVE_TYPES + DATA_TYPES
# ${{inputs.x}} / ${{outputs.y}}: Azure ML's placeholders (spaces inside the braces are allowed)
PLACEHOLDER = re.compile(r"\$\{\{\s*([^{}]*?)\s*\}\}")
SINGLE_BRACE = re.compile(r"(?<![$\{])\$\{\s*((?:inputs|outputs)\.[A-Za-z_][A-Za-z0-9_]*)\s*\}(?!\})")
OPTIONAL_BLOCK = re.compile(r"\$\[\[.*?\]\]", re.S)
ENV_REF = re.compile(
    r"^azureml:(?:"
    r"[A-Za-z0-9][A-Za-z0-9_.-]*(?::[A-Za-z0-9_.-]+|@[A-Za-z0-9_.-]+)?"      # name[:version|@label]
    r"|/subscriptions/.+/environments/[^/]+(?:/versions/[^/]+)?"                # ARM id
    r"|//registries/[^/]+/environments/[^/]+/(?:versions|labels)/[^/]+"           # registry
    r")$")


def mapping(value: Any) -> CommentedMap | None:
    return value if isinstance(value, CommentedMap) else None


def declared(component: CommentedMap, section: str) -> dict[str, Any]:
    """The inputs (or outputs) a component declares: name -> declaration."""
    decls = mapping(component.get(section))
    return dict(decls) if decls is not None else {}


def is_required(decl: Any) -> bool:
    """An input a step must bind: no default and not ``optional: true``."""
    if not isinstance(decl, CommentedMap):
        return decl is None
    return decl.get("default") is None and decl.get("optional") is not True


# --- azureml-component-schema ------------------------------------------------------------------
def schema_problems(doc: Doc, comp: CommentedMap, anonymous: bool = False) -> Iterator[Problem]:
    """``anonymous``: the file is run by a pipeline step (``component:`` or a sweep's ``trial:``),
    which azure-ai-ml loads as an anonymous component (AnonymousCommandComponentSchema): it
    needs no ``name`` there, only for ``az ml component create``."""
    path = doc.path
    kind = comp.get("type")
    if kind is not None and kind != "command":
        line, col = where(comp, "type")
        yield Problem(f"a command component has `type: command`, not `type: {kind}`",
                      "set `type: command` (pipelines are `type: pipeline` files of their own)",
                      path=path, line=line, column=col)
    for key, why in (("name", "Azure ML registers the component under it"),
                     ("command", "it is what the step runs"),
                     ("environment", "it says which image and packages the step runs in")):
        value = comp.get(key)
        if key == "name" and anonymous and key not in comp:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            line, col = pos(comp, key) if key in comp else (1, 1)
            # `az ml component create --set name=...` can still name it: the file cannot show that
            unnamed = key == "name" and key not in comp
            yield Problem(f"the component has no `{key}`: {why}",
                          f"add `{key}:` (see components/train/component.yaml in sample_repo)"
                          + (" or give it when creating: `az ml component create --file ... "
                             "--set name=...`" if unnamed else ""),
                          path=path, line=line, column=col,
                          severity="warning" if unnamed else None)
    name = comp.get("name")
    if name is not None and (not isinstance(name, str) or not NAME.match(name) or len(name) > 255):
        line, col = where(comp, "name")
        fixed = re.sub(r"[^a-z0-9_]", "_", str(name).lower()).lstrip("_0123456789") or "my_component"
        # a pipeline's run drops the name (AnonymousAssetSchema: "will not be used for anonymous
        # registration"); only `az ml component create` refuses it
        yield Problem(f"component name `{name}` is not allowed: it must start with a lowercase letter "
                      "and hold only lowercase letters, digits and `_`"
                      + (" (a pipeline that runs this file ignores the name; registering it "
                         "fails)" if anonymous else ""),
                      f"name: {fixed}", path=path, line=line, column=col,
                      severity="warning" if anonymous else None)
    version = comp.get("version")
    if isinstance(version, float):
        line, col = where(comp, "version")
        yield Problem(f"version {version!r} is read as a number: YAML turns `1.10` into 1.1",
                      'quote it: version: "1.10"', path=path, line=line, column=col,
                      severity="warning")
    yield from _io_problems(path, comp, "inputs")
    yield from _io_problems(path, comp, "outputs")


DECLARATION_KEYS = ("type", "default", "optional", "description", "min", "max", "enum", "mode")


def _io_problems(path: str, comp: CommentedMap, section: str) -> Iterator[Problem]:
    if section not in comp or comp.get(section) is None:
        return
    decls = comp.get(section)
    if not isinstance(decls, CommentedMap):
        line, col = where(comp, section)
        yield Problem(f"`{section}:` must map each name to its declaration",
                      f"{section}:\n  data:\n    type: uri_folder", path=path, line=line, column=col)
        return
    allowed = INPUT_TYPES
    slipped = set()
    items = list(decls.items())
    for i, (name, decl) in enumerate(items):
        if name in slipped:
            continue
        line, col = pos(decls, name)
        # `name:` with nothing under it, followed by `type: ...` at its own level: an indentation
        # slip, not two inputs (the hint "declare an input named type" would mislead)
        keys = [k for k, v in items[i + 1:][:len(DECLARATION_KEYS)] if k in DECLARATION_KEYS
                and not isinstance(v, CommentedMap)]
        if decl is None and keys and items[i + 1][0] == keys[0]:
            keys = [k for j, k in enumerate(keys) if items[i + 1 + j][0] == k]
            slipped.update(keys)
            fixed = "".join(f"\n  {k}: {decls[k]}" for k in keys)
            first_line, first_col = pos(decls, keys[0])
            yield Problem(f"`{keys[0]}:` is at the level of the {section[:-1]} names, so it is read as "
                          f"another {section[:-1]} named `{keys[0]}` and `{name}` declares nothing: "
                          f"indent it under `{name}:`, two spaces deeper",
                          f"{name}:{fixed}", path=path, line=first_line, column=first_col)
            continue
        if not isinstance(name, str) or not IO_NAME.match(name):
            yield Problem(f"{section[:-1]} name `{name}` is not allowed: use letters, digits and `_`, "
                          "not starting with a digit (it becomes part of `${{" f"{section}.NAME" "}}`)",
                          f"rename it to `{re.sub(r'[^A-Za-z0-9_]', '_', str(name))}`",
                          path=path, line=line, column=col)
        if not isinstance(decl, CommentedMap):
            yield Problem(f"{section[:-1]} `{name}` is given a value, but a component *declares* its "
                          f"{section}: each needs at least a `type`",
                          f"{name}:\n  type: {_guess_type(decl)}"
                          + (f"\n  default: {decl}" if decl is not None and section == "inputs" else ""),
                          path=path, line=line, column=col)
            continue
        kind = decl.get("type")
        if kind is None:
            if section == "inputs":
                yield Problem(f"input `{name}` has no `type`",
                              f"add a type, one of: {', '.join(INPUT_TYPES[:-1])}",
                              path=path, line=line, column=col)
            continue
        if kind not in allowed:
            tline, tcol = where(decl, "type")
            guess = closest(kind, allowed)
            yield Problem(f"{section[:-1]} `{name}` has unknown type `{kind}`",
                          (f"did you mean `type: {guess}`? " if guess else "")
                          + f"types: {', '.join(allowed[:-1])}", path=path, line=tline, column=tcol)
            continue
        if section == "inputs":
            yield from _default_problems(path, name, decl, kind)


def _guess_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if value is not None else "uri_folder"


def _default_problems(path: str, name: str, decl: CommentedMap, kind: str) -> Iterator[Problem]:
    checks = {"integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "boolean": lambda v: isinstance(v, bool)}
    check = checks.get(kind)
    for key in ("default", "min", "max"):
        if key not in decl or decl.get(key) is None:
            continue
        value = decl.get(key)
        if key != "default" and kind not in ("integer", "number"):
            line, col = pos(decl, key)
            yield Problem(f"input `{name}` of type {kind} cannot have `{key}`",
                          f"remove `{key}:`, or make the input an integer or number",
                          path=path, line=line, column=col)
        elif check and not check(value):
            line, col = where(decl, key)
            article = "an" if kind[0] in "aeiou" else "a"
            yield Problem(f"input `{name}` is {article} {kind}, but its {key} {value!r} is not",
                          f"give {article} {kind} value, e.g. {key}: "
                          + {"integer": "5", "number": "0.5", "boolean": "true"}[kind],
                          path=path, line=line, column=col)


@rule("azureml-component-schema", severity="error", scope="repo", lesson=LESSON)
def component_schema(ctx):
    """A command component misses a required key, or declares a name, input or output wrongly.

    Azure ML refuses to register or run such a component. Checked: ``type: command``; ``name``
    (a lowercase letter first, then lowercase letters, digits and ``_``), ``command`` and
    ``environment`` present; ``inputs``/``outputs`` map each name (letters, digits, ``_``) to a
    declaration with a known ``type`` (inputs: ``string``, ``integer``, ``number``, ``boolean``,
    ``uri_folder``, ``uri_file``, ``mltable``, ``mlflow_model``, ``custom_model``,
    ``triton_model``); an input's ``default``, ``min`` and ``max`` fit its type. A number-like
    ``version`` such as ``1.10`` is a warning: YAML reads it as the number 1.1 (quote it).
    A component file that a pipeline step runs (``component:``, or a sweep's ``trial:``) may
    leave out ``name``: Azure ML runs it as an anonymous component. Any other file without
    ``name`` is a warning (``az ml component create --set name=...`` can still name it).
    """
    from .pipelines import run_by_pipelines

    project = Project.of(ctx)
    used = run_by_pipelines(project)
    for doc in project.of_kind(COMPONENT):
        yield from schema_problems(doc, doc.data, anonymous=doc.path in used)


# --- azureml-command-placeholders ----------------------------------------------------------------
def placeholder_problems(doc: Doc, comp: CommentedMap, inputs: dict | None = None,
                         outputs: dict | None = None) -> Iterator[Problem]:
    command = comp.get("command")
    if not isinstance(command, str):
        return
    inputs = declared(comp, "inputs") if inputs is None else inputs
    outputs = declared(comp, "outputs") if outputs is None else outputs
    line, col = where(comp, "command")
    sections = {"inputs": inputs, "outputs": outputs}
    optional_spans = [m.span() for m in OPTIONAL_BLOCK.finditer(command)]
    for match in PLACEHOLDER.finditer(command):
        expr = match.group(1)
        line, col = find_text(doc.text, match.group(0), *where(comp, "command"))
        section, _, name = expr.partition(".")
        if section not in sections or not name:
            yield Problem(f"`${{{{{expr}}}}}` in the command is not an input or output placeholder",
                          "a command may use `${{inputs.NAME}}` and `${{outputs.NAME}}` only",
                          path=doc.path, line=line, column=col)
            continue
        if name not in sections[section]:
            guess = closest(name, sections[section])
            declared_names = ", ".join(sections[section]) or "none"
            yield Problem(f"`${{{{{expr}}}}}` in the command names no declared {section[:-1]} "
                          f"(declared: {declared_names}); Azure ML rejects the component",
                          (f"did you mean `${{{{{section}.{guess}}}}}`? or declare `{name}` under "
                           f"`{section}:`" if guess else f"declare `{name}` under `{section}:`"),
                          path=doc.path, line=line, column=col)
            continue
        decl = sections[section][name]
        inside = any(a <= match.start() < b for a, b in optional_spans)
        if section == "inputs" and isinstance(decl, CommentedMap) and decl.get("optional") is True \
                and decl.get("default") is None and not inside:
            yield Problem(f"optional input `{name}` is used outside `$[[...]]`: when it is not "
                          "given, the command gets an empty argument",
                          f"wrap it: $[[--{name.replace('_', '-')} ${{{{inputs.{name}}}}}]]",
                          path=doc.path, line=line, column=col, severity="warning")
    for match in SINGLE_BRACE.finditer(command):
        expr = match.group(1)
        line, col = find_text(doc.text, match.group(0), *where(comp, "command"))
        yield Problem(f"`${{{expr}}}` has single braces: Azure ML passes it to the shell unchanged "
                      "instead of the value",
                      f"write `${{{{{expr}}}}}` (two braces on each side)",
                      path=doc.path, line=line, column=col)


@rule("azureml-command-placeholders", severity="error", scope="repo", lesson=LESSON)
def command_placeholders(ctx):
    """A component's ``command`` uses an input or output it does not declare, or single braces.

    Azure ML replaces ``${{inputs.NAME}}`` and ``${{outputs.NAME}}`` in the command with the
    input's value or the mounted path; every name must be declared under ``inputs:`` or
    ``outputs:`` (a typo is rejected when the component is created). ``${inputs.NAME}`` with
    single braces is not replaced at all: the script gets the literal text. A warning: an optional
    input used outside ``$[[...]]`` (the brackets drop the argument when the input is not given).
    """
    for doc in Project.of(ctx).of_kind(COMPONENT):
        yield from placeholder_problems(doc, doc.data)


# --- azureml-component-paths --------------------------------------------------------------------
_BACKSLASH_NOTE = ("separate folders with `/` (a `\\` is no separator on the Linux machines "
                   "that run the CLI in CI and Azure ML's jobs); ")


def path_problems(project: Project, doc: Doc, comp: CommentedMap) -> Iterator[Problem]:
    code = comp.get("code")
    if isinstance(code, str) and code.strip() and not _remote(code):
        target = project.resolve(doc.path, code)
        if target is not None and not project.exists(target):
            line, col = where(comp, "code")
            yield Problem(f"`code: {code}` does not exist (resolved from this file's folder: "
                          f"{target}); Azure ML uploads this folder and runs the command in it",
                          _BACKSLASH_NOTE * ("\\" in code) +
                          "point `code:` at the folder with the scripts, relative to this YAML file "
                          "(e.g. `code: ../../src`)", path=doc.path, line=line, column=col)
        elif target is not None and project.is_dir(target):
            yield from _script_problems(project, doc, comp, target)
    env = mapping(comp.get("environment"))
    if env is not None:
        yield from conda_file_problems(project, doc, env)


SCRIPT = re.compile(r"(?:^|[\s;&|(])python3?\s+(?:-u\s+)?([^\s;&|$'\"]+\.py)\b")


def _script_problems(project: Project, doc: Doc, comp: CommentedMap, code: str) -> Iterator[Problem]:
    """``python SCRIPT.py`` in the command runs in the uploaded ``code`` folder: the script must be
    there, at that path."""
    command = comp.get("command")
    if not isinstance(command, str):
        return
    for match in SCRIPT.finditer(command):
        script = match.group(1)
        if script.startswith("/") or "${{" in script:
            continue
        if re.search(r"(?:^|[\s;&|(])(?:cd|pushd)\s", command[:match.start()]):
            break  # the command changed folder first: paths are relative to somewhere else
        target = project.resolve(f"{code}/_", script)
        if target is None or project.exists(target):
            continue
        line, col = find_text(doc.text, script, *where(comp, "command"))
        inside = [p for p in (f"{code}/{script.rsplit('/', 1)[-1]}",) if project.exists(p)]
        yield Problem(f"the command runs `{script}`, which is not in the `code` folder ({code}): "
                      "Azure ML runs the command inside the uploaded code folder",
                      f"write `python {script.rsplit('/', 1)[-1]}`" if inside else
                      "write the script's path relative to the `code` folder",
                      path=doc.path, line=line, column=col)


def conda_file_problems(project: Project, doc: Doc, env: CommentedMap) -> Iterator[Problem]:
    conda = env.get("conda_file")
    if isinstance(conda, str) and conda.strip() and not _remote(conda):
        target = project.resolve(doc.path, conda)
        if target is not None and not project.exists(target):
            line, col = where(env, "conda_file")
            yield Problem(f"`conda_file: {conda}` does not exist (resolved from this file's folder: "
                          f"{target})", _BACKSLASH_NOTE * ("\\" in conda) +
                          "point it at the conda spec, relative to this YAML file",
                          path=doc.path, line=line, column=col)


def _remote(ref: str) -> bool:
    return ref.startswith(("azureml:", "http://", "https://", "git+", "wasbs://", "abfss://"))


@rule("azureml-component-paths", severity="error", scope="repo", lesson=LESSON)
def component_paths(ctx):
    """A component's ``code`` folder, its script, or its inline environment's ``conda_file`` is missing.

    Paths in a component are relative to the component's YAML file, not to where you run
    ``az ml``. A wrong ``code:`` path fails the upload (or, worse, uploads another folder), so
    the command cannot find its script. The command runs *inside* the uploaded ``code`` folder:
    with ``code: ../../src``, ``python src/train.py`` fails where ``python train.py`` works.
    Remote references (``azureml:``, ``https://``) are not checked.
    """
    project = Project.of(ctx)
    for doc in project.of_kind(COMPONENT):
        yield from path_problems(project, doc, doc.data)


# --- azureml-environment-ref --------------------------------------------------------------------
def environment_problems(doc: Doc, holder: CommentedMap) -> Iterator[Problem]:
    env = holder.get("environment")
    line, col = where(holder, "environment")
    if isinstance(env, str):
        if not ENV_REF.match(env.strip()):
            name = re.sub(r"\s+", "-", env.split("azureml:", 1)[-1].strip().lstrip("/")) or "my-env"
            yield Problem(f"environment `{env}` is not a reference Azure ML understands",
                          f"refer to a registered environment: `azureml:{name.split(':')[0].split('@')[0]}"
                          "@latest` or `azureml:NAME:VERSION`, or "
                          "`azureml://registries/REGISTRY/environments/NAME/versions/VERSION`",
                          path=doc.path, line=line, column=col)
    elif isinstance(env, CommentedMap):
        has_image, has_build = "image" in env, "build" in env
        if has_image == has_build:
            yield Problem("an inline environment needs exactly one of `image:` and `build:`",
                          "environment:\n  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04\n"
                          "  conda_file: ../../environments/training-conda.yaml",
                          path=doc.path, line=line, column=col)
    elif env is not None:
        yield Problem("`environment:` must be a reference string or an inline environment mapping",
                      "environment: azureml:churn-training-env@latest",
                      path=doc.path, line=line, column=col)


@rule("azureml-environment-ref", severity="error", scope="repo", lesson=LESSON)
def environment_ref(ctx):
    """A component's ``environment`` is neither a well-formed reference nor a valid inline one.

    A registered environment is referenced as ``azureml:NAME:VERSION``, ``azureml:NAME@latest``
    (or another label), ``azureml://registries/REGISTRY/environments/NAME/versions/VERSION`` (or
    ``/labels/LABEL``), or by its ARM id. A bare ``NAME:VERSION`` without ``azureml:`` is taken
    for a file path and refused. An inline environment needs exactly one of ``image`` and
    ``build``.
    """
    for doc in Project.of(ctx).of_kind(COMPONENT):
        yield from environment_problems(doc, doc.data)


def component_problems(project: Project, doc: Doc) -> list[Problem]:
    """Every error-level problem of one component file (for a pipeline that uses it)."""
    comp = doc.data
    found = [*schema_problems(doc, comp, anonymous=True), *placeholder_problems(doc, comp),
             *path_problems(project, doc, comp), *environment_problems(doc, comp)]
    return [p for p in found if (p.severity or "error") == "error"]
