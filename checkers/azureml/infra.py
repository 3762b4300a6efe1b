"""Infrastructure as code: ``main.bicep`` and its per-stage ARM parameter files."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..registry import Problem, rule
from .project import PARAMS, Doc, Project, load_json, pos, where

LESSON = "04-azure-ml-assets#infrastructure"
PARAMS_SCHEMA = "deploymentParameters.json"
STAGE_FILE = re.compile(r"params[-_.]([a-z0-9]+)\.json$", re.I)
PARAM_LINE = re.compile(r"^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$")
SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|apikey|api_key|accesskey|"
                         r"connectionstring|sas|credential|privatekey|clientsecret)")
PLACEHOLDER = re.compile(r"^\s*(<[^>]*>|\$\{[^}]*\}|__[A-Za-z0-9_]+__|x+|\*+|changeme|todo|)\s*$",
                         re.I)
BICEP_TYPES = {"string": str, "int": int, "bool": bool, "object": dict, "array": list}


@dataclass
class BicepParam:
    name: str
    type: str
    line: int
    has_default: bool
    nullable: bool = False
    secure: bool = False
    allowed: list | None = None
    min_length: int | None = None
    max_length: int | None = None


@dataclass
class Bicep:
    path: str
    params: dict[str, BicepParam] = field(default_factory=dict)


def parse_bicep(text: str, path: str) -> Bicep:
    """The ``param`` declarations of a Bicep file, with the decorators that constrain them."""
    bicep = Bicep(path)
    decorators: list[str] = []
    pending = ""
    depth = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"//.*$", "", raw).strip() if "'" not in raw else raw.strip()
        if depth:
            pending += " " + line
            depth += line.count("(") + line.count("[") - line.count(")") - line.count("]")
            if depth <= 0:
                decorators.append(pending)
                pending, depth = "", 0
            continue
        if line.startswith("@"):
            depth = line.count("(") + line.count("[") - line.count(")") - line.count("]")
            if depth > 0:
                pending = line
            else:
                decorators.append(line)
            continue
        match = PARAM_LINE.match(line)
        if match:
            name, rest = match.groups()
            type_part, eq, _ = rest.partition("=")
            type_name = type_part.strip()
            param = BicepParam(name, type_name.rstrip("?"), number, bool(eq),
                               nullable=type_name.endswith("?"))
            for deco in decorators:
                if deco.startswith("@secure("):
                    param.secure = True
                elif deco.startswith("@allowed("):
                    param.allowed = _allowed_values(deco)
                elif deco.startswith("@minLength("):
                    param.min_length = _int_arg(deco)
                elif deco.startswith("@maxLength("):
                    param.max_length = _int_arg(deco)
            bicep.params[name] = param
        if line and not line.startswith("@"):
            decorators = []
    return bicep


def _allowed_values(deco: str) -> list | None:
    inner = deco[deco.find("[") + 1: deco.rfind("]")]
    values: list = []
    for token in re.findall(r"'((?:[^'\\]|\\.)*)'|(-?\d+)|\b(true|false)\b", inner):
        text, number, boolean = token
        values.append(int(number) if number else (boolean == "true") if boolean else text)
    return values or None


def _int_arg(deco: str) -> int | None:
    match = re.search(r"\(\s*(\d+)\s*\)", deco)
    return int(match.group(1)) if match else None


@dataclass
class ParamsFile:
    doc: Doc
    stage: str | None
    value: Any = None                 # json.loads result
    positions: Any = None              # the same document with positions
    problem: tuple[str, int, int] | None = None

    @property
    def parameters(self) -> dict:
        params = self.value.get("parameters") if isinstance(self.value, dict) else None
        return params if isinstance(params, dict) else {}

    def at(self, *keys: str) -> tuple[int | None, int | None]:
        node, line, col = self.positions, 1, 1
        for key in keys:
            if not hasattr(node, "lc") or not isinstance(node, dict) or key not in node:
                break
            line, col = pos(node, key)
            node = node[key]
        return line or 1, col or 1


def params_files(project: Project) -> list[tuple[ParamsFile, Bicep | None]]:
    cache = project.ctx.cache.setdefault("azureml-params", None)
    if cache is not None:
        return cache
    result = []
    for doc in project.of_kind(PARAMS):
        if not doc.text.strip():
            continue  # an empty placeholder (a scaffolded layout): nothing to check yet
        value, problem, positions = load_json(doc.text)
        if problem is None and not _is_arm_params(value, doc.path):
            continue
        stage = STAGE_FILE.search(doc.path.rsplit("/", 1)[-1])
        pf = ParamsFile(doc, stage.group(1).lower() if stage else None, value, positions, problem)
        result.append((pf, _bicep_for(project, doc.path)))
    project.ctx.cache["azureml-params"] = result
    return result


def _is_arm_params(value: Any, path: str) -> bool:
    if not isinstance(value, dict):
        return STAGE_FILE.search(path) is not None
    schema = str(value.get("$schema", ""))
    return PARAMS_SCHEMA.lower() in schema.lower() or (
        STAGE_FILE.search(path) is not None and ("parameters" in value or not schema))


def _bicep_for(project: Project, path: str) -> Bicep | None:
    folder = posixpath.dirname(path)
    main = posixpath.join(folder, "main.bicep") if folder else "main.bicep"
    text = project.ctx.read_text(main)
    return parse_bicep(text, main) if text and text.strip() else None


@rule("azureml-infra-params", severity="error", scope="repo", lesson=LESSON)
def infra_params(ctx):
    """A stage's ARM parameter file is invalid or does not fit ``main.bicep``.

    ``az deployment group create --template-file infra/main.bicep --parameters
    infra/params-dev.json`` refuses a parameter file that is not valid JSON, has no
    ``parameters`` object, gives a parameter neither a ``value`` nor a Key Vault ``reference``,
    names a parameter the template does not declare, or leaves out a parameter the template
    declares without a default. Values must also fit the declaration: its type, an
    ``@allowed([...])`` list, ``@minLength``/``@maxLength``. Parameter files are found next to
    ``main.bicep`` as ``params-STAGE.json`` (or by their ``deploymentParameters`` ``$schema``).
    """
    for pf, bicep in params_files(Project.of(ctx)):
        path = pf.doc.path
        if pf.problem:
            message, line, col = pf.problem
            yield Problem(f"not valid JSON: {message}", "fix the JSON at this position (a missing "
                          "comma or quote, or a trailing comma)", path=path, line=line, column=col)
            continue
        if not isinstance(pf.value, dict) or not isinstance(pf.value.get("parameters"), dict):
            yield Problem("the file has no `parameters` object", '{\n  "$schema": "https://schema.'
                          'management.azure.com/schemas/2019-04-01/deploymentParameters.json#",\n'
                          '  "contentVersion": "1.0.0.0",\n  "parameters": { ... }\n}',
                          path=path, line=1, column=1)
            continue
        params = pf.parameters
        for name, entry in params.items():
            line, col = pf.at("parameters", name)
            if not isinstance(entry, dict) or ("value" in entry) == ("reference" in entry):
                yield Problem(f"parameter `{name}` must be an object with either `value` or a Key "
                              "Vault `reference`", f'"{name}": {{ "value": ... }}',
                              path=path, line=line, column=col)
                continue
            if bicep is None:
                continue
            declared = bicep.params.get(name)
            if declared is None:
                yield Problem(f"`{name}` is not a parameter of {bicep.path}: the deployment is "
                              "refused", _suggest(name, bicep), path=path, line=line, column=col)
                continue
            if "value" in entry:
                yield from _value_problems(pf, name, entry["value"], declared, bicep)
        if bicep is not None:
            for declared in bicep.params.values():
                if not declared.has_default and not declared.nullable and declared.name not in params:
                    line, col = pf.at("parameters")
                    yield Problem(f"`{declared.name}` ({bicep.path}:{declared.line}) has no default "
                                  "and is not set here: the deployment stops and asks for it",
                                  f'add "{declared.name}": {{ "value": ... }} to `parameters`',
                                  path=path, line=line, column=col)


def _suggest(name: str, bicep: Bicep) -> str:
    from .project import closest

    guess = closest(name, bicep.params)
    return (f"did you mean `{guess}`? " if guess else "") + \
        f"declared: {', '.join(bicep.params) or 'none'}"


def _value_problems(pf: ParamsFile, name: str, value: Any, declared: BicepParam,
                    bicep: Bicep) -> Iterator[Problem]:
    line, col = pf.at("parameters", name, "value")
    path = pf.doc.path
    expected = BICEP_TYPES.get(declared.type)
    if expected is not None and value is not None:
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            yield Problem(f"`{name}` is declared `{declared.type}` in {bicep.path}, but its value "
                          f"{value!r} is a {type(value).__name__}", f"give a {declared.type} value",
                          path=path, line=line, column=col)
            return
    if declared.allowed is not None and value not in declared.allowed:
        yield Problem(f"`{name}`: {value!r} is not one of the allowed values "
                      f"{', '.join(map(repr, declared.allowed))} ({bicep.path}:{declared.line})",
                      "use one of the allowed values", path=path, line=line, column=col)
    if isinstance(value, (str, list)):
        if declared.min_length is not None and len(value) < declared.min_length:
            yield Problem(f"`{name}` is shorter than its @minLength({declared.min_length})",
                          "give a longer value", path=path, line=line, column=col)
        if declared.max_length is not None and len(value) > declared.max_length:
            yield Problem(f"`{name}` is longer than its @maxLength({declared.max_length})",
                          "give a shorter value", path=path, line=line, column=col)


# Parameters whose value must differ between stages: they name the stage's resources. A compute
# cluster is the exception: inside each stage's own workspace it keeps one name, so the same
# pipeline YAML (`default_compute: azureml:cpu-cluster`) runs in every stage.
SHARED_NAMES = ("compute", "cluster", "sku", "vmsize", "location", "region", "image")


def _names_a_resource(name: str) -> bool:
    lower = name.lower()
    return lower.endswith("name") and not any(word in lower for word in SHARED_NAMES)


@rule("azureml-infra-stages", severity="error", scope="repo", lesson=LESSON)
def infra_stages(ctx):
    """The dev and prod parameter files deploy the same resources, or a stage names another one.

    One template serves every stage; what keeps dev experiments away from production is that
    ``params-dev.json`` and ``params-prod.json`` give different names (``workspaceName`` and any
    other ``...Name`` parameter, except compute names, which stay the same in every stage's own
    workspace so one pipeline YAML runs everywhere). With one workspace name for both, the
    workflows, which address the workspace by name, cannot tell dev from prod, and a deployment
    into the same resource group reconfigures production. A stage parameter (``environment``,
    ``stage``) whose value names another stage (``"dev"`` in ``params-prod.json``) is an error too.
    """
    files = [pf for pf, _ in params_files(Project.of(ctx)) if pf.problem is None]
    by_folder: dict[str, dict[str, ParamsFile]] = {}
    for pf in files:
        if pf.stage:
            by_folder.setdefault(posixpath.dirname(pf.doc.path), {})[pf.stage] = pf
    for stages in by_folder.values():
        for stage, pf in stages.items():
            for name, entry in pf.parameters.items():
                if name.lower() in ("environment", "stage", "env") and isinstance(entry, dict):
                    value = entry.get("value")
                    if isinstance(value, str) and value.lower() != stage and value.lower() in stages:
                        line, col = pf.at("parameters", name, "value")
                        yield Problem(f"`{name}` is \"{value}\" in the {stage} parameter file",
                                      f'"{name}": {{ "value": "{stage}" }}', path=pf.doc.path,
                                      line=line, column=col)
        dev, prod = stages.get("dev"), stages.get("prod")
        if not (dev and prod):
            continue
        for name, entry in prod.parameters.items():
            other = dev.parameters.get(name)
            if not (_names_a_resource(name) and isinstance(entry, dict) and isinstance(other, dict)):
                continue
            if str(entry.get("value")).lower() in stages:
                continue  # a stage value: reported above when it names the wrong stage
            if "value" in entry and entry.get("value") == other.get("value"):
                line, col = prod.at("parameters", name, "value")
                yield Problem(f"`{name}` is {entry['value']!r} in both {dev.doc.path} and "
                              f"{prod.doc.path}: dev and prod would be the same resource",
                              f"give each stage its own value, e.g. \"{_prod_name(entry['value'])}\"",
                              path=prod.doc.path, line=line, column=col)


def _prod_name(value: Any) -> str:
    text = str(value)
    return re.sub(r"dev", "prod", text) if "dev" in text else f"{text}-prod"


@rule("azureml-infra-secret", severity="error", scope="repo", lesson=LESSON)
def infra_secret(ctx):
    """A parameter file holds a secret value.

    Parameter files are committed, so whatever they hold is readable by everyone with the
    repository, forever (the history keeps it). A parameter declared ``@secure()`` in
    ``main.bicep``, or named like a secret (``...Password``, ``...Secret``, ``...Token``,
    ``...Key`` values such as connection strings), must not have a literal ``value``: use a Key
    Vault ``reference`` (``{"reference": {"keyVault": {"id": ...}, "secretName": ...}}``) or
    pass it at deployment time from a pipeline secret. Placeholders such as ``<your-password>``
    are fine.
    """
    for pf, bicep in params_files(Project.of(ctx)):
        if pf.problem:
            continue
        for name, entry in pf.parameters.items():
            if not isinstance(entry, dict) or "value" not in entry:
                continue
            value = entry["value"]
            declared = bicep.params.get(name) if bicep else None
            secret_name = SECRET_NAME.search(name) and not re.search(r"(?i)(name|id|uri|url)$", name)
            if not ((declared and declared.secure) or secret_name):
                continue
            if value is None or (isinstance(value, str) and PLACEHOLDER.match(value)):
                continue
            if not (declared and declared.secure) and not isinstance(value, str):
                continue  # `tokenLifetime: 3600` names a secret-like word but holds none
            line, col = pf.at("parameters", name, "value")
            why = "declared @secure() in main.bicep" if declared and declared.secure else "a secret"
            yield Problem(f"`{name}` ({why}) has a literal value in a committed file",
                          f'"{name}": {{ "reference": {{ "keyVault": {{ "id": "/subscriptions/.../'
                          'vaults/NAME" }, "secretName": "' + name + '" } }',
                          path=pf.doc.path, line=line, column=col)
