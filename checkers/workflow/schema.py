"""workflow-schema: the workflow checked against SchemaStore's github-workflow JSON schema.

The schema is the copy vendored by check-jsonschema (offline, loaded once per process). Its raw
errors are unions of unions ("is not valid under any of the given schemas") that point at JSON
paths; here each is reduced to the most specific cause, worded for a learner, and placed at a
line and column of the YAML file.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .. import regexcache
from ..yamlnodes import CommentedMap, CommentedSeq

from ..records import Record
from ..registry import Problem, rule
from .context import WorkflowContext

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

SCHEMA_PACKAGE = "check_jsonschema.builtin_schemas.vendor"
SCHEMA_FILE = "github-workflows.json"
# GitHub accepts one glob as a plain string (`branches: feature/**`); the schema wants a list.
SINGLE_STRING_OK = frozenset({"branches", "branches-ignore", "tags", "tags-ignore",
                              "paths", "paths-ignore"})
SHAPE = frozenset({"type", "enum", "const", "pattern"})
TYPE_NAMES = {"string": "a string", "object": "a mapping", "array": "a list", "number": "a number",
              "integer": "a whole number", "boolean": "`true` or `false`", "null": "empty"}
TYPE_HINTS = {
    "array": "write a list: one `- item` per line under the key, or `[a, b]` on one line",
    "object": "write a mapping: `key: value` lines indented under this key",
    "string": "write a single value; quote it if it contains `: ` or starts with `{`, `[`, `*`",
    "number": "write a plain number without quotes, e.g. `timeout-minutes: 30`",
    "boolean": "write `true` or `false` without quotes",
}
EMPTY_HINT = "write its value after the colon, or remove the key"
REQUIRED_HINTS = {
    "runs-on": "add `runs-on: ubuntu-latest` (the kind of machine the job runs on)",
    "jobs": "add a `jobs:` mapping with at least one job",
    "on": "add `on:` with the events that start the workflow, e.g. `on: push`",
}
EXPRESSION = "an expression `${{ ... }}`"
SYNTAX_DOCS = ("see what this key accepts in GitHub's workflow syntax reference: "
               "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax")


# jsonschema imports these only to check string formats (dates, IRIs, colours, durations ...),
# which the workflow schema does not use and which we do not check; together they cost more
# than a tenth of a second, and rfc3987_syntax builds a parser at import (about 2 s here).
FORMAT_PLUGINS = ("rfc3987_syntax", "rfc3987", "rfc3339_validator", "fqdn", "idna", "webcolors",
                  "jsonpointer", "uri_template", "isoduration", "arrow", "rfc3986_validator")


def import_jsonschema():
    """jsonschema, imported without its optional format-checking plug-ins."""
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = [name for name in FORMAT_PLUGINS if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        import jsonschema
    finally:
        for name in blocked:
            del sys.modules[name]
    return jsonschema


def schema_file() -> Path:
    """The vendored schema, found without importing check_jsonschema (its CLI costs 0.2 s)."""
    spec = importlib.util.find_spec(SCHEMA_PACKAGE.partition(".")[0])
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("check-jsonschema is not installed")
    return Path(spec.submodule_search_locations[0], *SCHEMA_PACKAGE.split(".")[1:], SCHEMA_FILE)


class Exception_(Record):
    """One place where GitHub accepts what SchemaStore's schema rejects: GitHub wins."""

    FIELDS = ("what", "evidence", "patch")

    def __init__(self, what: str, evidence: str, patch: Any) -> None:
        # what GitHub accepts, in a learner's words; where that is shown (GitHub's documentation,
        # a workflow GitHub runs); the change to the schema (a function of it), or None
        self._set(what, evidence, patch)


def _defs(schema) -> dict:
    return schema["definitions"]


def _on_object(schema) -> dict:
    return next(alt for alt in schema["properties"]["on"]["oneOf"] if alt.get("type") == "object")


def _or_expression(node: dict) -> dict:
    return {"anyOf": [node, {"$ref": "#/definitions/expressionSyntax"}]}


def _no_matrix_required(schema):
    for job in ("normalJob", "reusableWorkflowCallJob"):
        strategy = _defs(schema)[job]["properties"]["strategy"]
        strategy["required"] = [k for k in strategy.get("required", []) if k != "matrix"]


def _image_version(schema):
    _defs(schema)["event"]["enum"].append("image_version")
    _on_object(schema)["properties"]["image_version"] = {
        "oneOf": [{"type": "null"}, {"type": "object", "properties": {
            "names": {"$ref": "#/definitions/globs"}, "versions": {"$ref": "#/definitions/globs"}},
            "additionalProperties": False}]}


def _snapshot(schema):
    snapshot = next(alt for alt in _defs(schema)["snapshot"]["oneOf"] if alt.get("type") == "object")
    snapshot["properties"]["if"] = {"type": ["boolean", "number", "string"]}
    snapshot["properties"]["version"]["pattern"] = r"^\d+(\.(\d+|\*)|\*)?$"


def _services_expression(schema):
    props = _defs(schema)["normalJob"]["properties"]
    props["services"] = _or_expression(props["services"])


def _credentials_expression(schema):
    for name in ("jobContainer", "serviceContainer"):
        props = _defs(schema)[name]["properties"]
        props["credentials"] = _or_expression(props["credentials"])


def _container_null(schema):
    props = _defs(schema)["normalJob"]["properties"]
    props["container"] = {"anyOf": [props["container"], {"type": "null"}]}


def _empty_secret(schema):
    secrets = next(alt for alt in _on_object(schema)["properties"]["workflow_call"]["oneOf"]
                   if alt.get("type") == "object")["properties"]["secrets"]
    for pattern, entry in secrets["patternProperties"].items():
        secrets["patternProperties"][pattern] = {"anyOf": [entry, {"type": "null"}]}


def _null_step_input(schema):
    step = _defs(schema)["step"]["properties"]
    step["with"] = {"oneOf": [
        {"type": "object", "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"},
                      {"type": "null"}]}},
        {"$ref": "#/definitions/stringContainingExpressionSyntax"}]}


def _single_glob(schema):
    globs = _defs(schema)["globs"]
    _defs(schema)["globs"] = {"anyOf": [globs, {"type": "string", "minLength": 1}]}


ACTIONLINT_OK = "https://github.com/rhysd/actionlint/blob/main/testdata/ok/"
GITHUB_ACCEPTS = (
    Exception_("`strategy` with `fail-fast` or `max-parallel` but no `matrix`",
               "psf/requests runs `strategy: {fail-fast: false}` without a matrix on every pull "
               "request (.github/workflows/run-tests.yml, jobs `no_chardet` and `urllib3`); so do "
               "huggingface/accelerate and actions/starter-workflows (ci/python-package-conda.yml)",
               _no_matrix_required),
    Exception_("the `image_version` event (custom runner images), with `names` and `versions`",
               f"GitHub's \"Events that trigger workflows\": image_version; {ACTIONLINT_OK}"
               "image_version_event.yaml", _image_version),
    Exception_("`snapshot` with `if:`, and `version: 2.*`",
               f"GitHub's workflow syntax, jobs.<job_id>.snapshot; {ACTIONLINT_OK}"
               "snapshot_name_and_version.yaml and custom_images.yaml", _snapshot),
    Exception_("`services:` given as an expression (`${{ fromJSON(...) }}`)",
               f"{ACTIONLINT_OK}issue-402-expression-in-services.yaml (rhysd/actionlint#402)",
               _services_expression),
    Exception_("`container.credentials` (and a service's) given as an expression",
               f"{ACTIONLINT_OK}issue-590-expression-at-credentials.yaml (rhysd/actionlint#590)",
               _credentials_expression),
    Exception_("`container: null` (no container)", f"{ACTIONLINT_OK}container_syntax.yaml",
               _container_null),
    Exception_("an empty value in a matrix's `include` or `exclude` entry (`container: null`)",
               "GitHub's workflow schema (actions/languageservices, workflow-v1.0.json): "
               "`matrix-filter-item` values are of type `any`; microsoft/LightGBM's cpp.yml and "
               "r_package.yml run with it (see checkers.workflow.schema.null_ok)", None),
    Exception_("an empty value where GitHub reads a string (a job's `name:` left empty): the "
               "parser reads it as ''; not where the string must not be empty (`runs-on`, "
               "`uses`, `image`, ...)",
               "actions/languageservices, templates/template-reader.ts: a null literal is "
               "converted to a string token when a string is expected; sktime's test_base.yml "
               "(`name:` empty) has run as a reusable workflow since 2024 (see "
               "checkers.workflow.schema.null_ok)", None),
    Exception_("a YAML boolean or number where GitHub reads a string (`run: true`, `name: 2024`): "
               "the parser converts the literal to its text",
               "actions/languageservices, templates/template-reader.ts (`validate`: \"Not a "
               "string, convert\"); microsoft/promptflow's pull_request_target workflows run an "
               "`authorize` job whose only step is `run: true` (see "
               "checkers.workflow.schema.suppressed)", None),
    Exception_("a `workflow_call` secret with no settings (`MY_TOKEN:` left empty)",
               f"{ACTIONLINT_OK}issue-174-secret-description-is-optional.yaml "
               "(rhysd/actionlint#174)", _empty_secret),
    Exception_("one glob written as a string (`branches: feature/**`) where the schema wants a "
               "list", "GitHub's workflow syntax examples (`on.push.branches`); "
               f"{ACTIONLINT_OK}anchors.yaml (`branches-ignore: test`)", _single_glob),
    Exception_("a step input left empty (`with:` `name:` with no value, or `~`): the action "
               "reads an empty string",
               "actions/toolkit#940 (a workflow with `my_value: ~` runs, and `core.getInput` "
               "returns ''); actions/starter-workflows uses it for values to fill in "
               "(code-scanning/zscaler-iac-scan.yml, cloudrail.yml)", _null_step_input),
    Exception_("a YAML anchor defined again further down (`&runner` twice: an alias means the "
               "latest definition, as YAML says)",
               f"{ACTIONLINT_OK}anchors.yaml; YAML 1.2, section 3.2.2.2 (not a schema matter: "
               "PyYAML refuses it, so checkers.workflow.context reads such a file again with a "
               "composer that allows it)", None),
)
# Not adopted: actionlint's testdata/ok/workflow_call_job.yaml has `uses: ${{ 'oooops' }}`, but
# its own comment says actionlint merely gives up checking there; GitHub needs a static `uses:`.


@lru_cache(maxsize=1)
def patched_schema() -> dict:
    """SchemaStore's schema with :data:`GITHUB_ACCEPTS` applied (GitHub wins)."""
    schema = json.loads(schema_file().read_text(encoding="utf-8"))
    for exception in GITHUB_ACCEPTS:
        if exception.patch is not None:
            exception.patch(schema)
    return schema


@lru_cache(maxsize=1)
def validator():
    """jsonschema's validator of the patched schema (Draft 7, as the schema declares), built once
    per process and only for a workflow that :func:`fast_valid` rejects: it explains errors."""
    jsonschema = import_jsonschema()
    schema = patched_schema()
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return cls(schema)


@lru_cache(maxsize=1)
def fast_valid():
    """A yes/no check of the patched schema, compiled once into Python closures.

    Most workflows are valid; for them this saves importing jsonschema (about 40 ms) and walking
    its error machinery. It knows exactly the keywords the schema uses and refuses to compile
    (ValueError) a schema with any other, so it can never say yes where jsonschema says no.
    """
    schema = patched_schema()
    return _Compiler(schema).compile(schema)


_IGNORED = frozenset({"description", "$comment", "default", "examples", "title", "$schema", "$id",
                      "definitions", "markdownDescription"})
_TYPES = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
}


def _always(x) -> bool:
    return True


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class _Compiler:
    def __init__(self, root: dict):
        self.root, self.cache = root, {}

    def ref(self, ref: str):
        if not ref.startswith("#"):
            raise ValueError(f"remote $ref {ref}")
        node = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return self.compile(node)

    def compile(self, schema):
        if schema is True or schema == {}:
            return lambda x: True
        if schema is False:
            return lambda x: False
        key = id(schema)
        if key in self.cache:
            return self.cache[key]
        cell = []
        # A schema that refers to itself (through $ref) gets this indirection while it is being
        # compiled; every later user gets the check itself (one call less per node checked).
        self.cache[key] = lambda x: cell[0](x)
        if "$ref" in schema:  # Draft 7: siblings of $ref are ignored
            check = self.ref(schema["$ref"])
        else:
            checks = [self.keyword(schema, k, v) for k, v in schema.items() if k not in _IGNORED]
            checks = [c for c in checks if c is not None]
            if not checks:
                check = _always
            elif len(checks) == 1:
                check = checks[0]
            else:
                def check(x, checks=tuple(checks)):
                    for c in checks:
                        if not c(x):
                            return False
                    return True
        cell.append(check)
        self.cache[key] = check
        return check

    def keyword(self, schema, k, v):
        c = self.compile
        if k == "type":
            tests = [_TYPES[t] for t in ([v] if isinstance(v, str) else v)]
            if len(tests) == 1:
                return tests[0]
            return lambda x: any(t(x) for t in tests)
        if k == "enum":
            # a string equals only a string (and _same compares strings with ==)
            strings = frozenset(e for e in v if isinstance(e, str))
            return lambda x: x in strings if type(x) is str else any(_same(x, e) for e in v)
        if k == "const":
            return lambda x: _same(x, v)
        if k == "pattern":
            rx = regexcache.compile(v)
            return lambda x: not isinstance(x, str) or rx.search(x) is not None
        if k == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= v
        if k == "minItems":
            return lambda x: not isinstance(x, list) or len(x) >= v
        if k == "minProperties":
            return lambda x: not isinstance(x, dict) or len(x) >= v
        if k == "required":
            return lambda x: not isinstance(x, dict) or all(r in x for r in v)
        if k in ("oneOf", "anyOf", "allOf"):
            subs = [c(s) for s in v]
            if k == "anyOf":
                return lambda x: any(s(x) for s in subs)
            if k == "allOf":
                return lambda x: all(s(x) for s in subs)
            return lambda x: sum(1 for s in subs if s(x)) == 1
        if k == "not":
            sub = c(v)
            return lambda x: not sub(x)
        if k == "items":
            if isinstance(v, list):
                subs = [c(s) for s in v]
                extra = schema.get("additionalItems", True)
                more = c(extra) if isinstance(extra, dict) else (lambda x, e=extra: e)
                return lambda x: not isinstance(x, list) or (
                    all(s(i) for s, i in zip(subs, list.__iter__(x)))
                    and all(more(i) for i in list(list.__iter__(x))[len(subs):]))
            sub = c(v)
            return lambda x: not isinstance(x, list) or all(sub(i) for i in list.__iter__(x))
        if k == "additionalItems":
            return None  # handled with items
        if k == "dependencies":
            deps = {name: (dep if isinstance(dep, list) else c(dep)) for name, dep in v.items()}

            def dependencies(x):
                if not isinstance(x, dict):
                    return True
                for name, dep in deps.items():
                    if name in x:
                        if isinstance(dep, list):
                            if not all(d in x for d in dep):
                                return False
                        elif not dep(x):
                            return False
                return True
            return dependencies
        if k in ("properties", "patternProperties", "additionalProperties"):
            if k != "properties" and "properties" in schema:
                return None  # compiled once, with properties
            if k == "additionalProperties" and "patternProperties" in schema:
                return None
            props = {name: c(s) for name, s in schema.get("properties", {}).items()}
            patterns = [(regexcache.compile(p), c(s)) for p, s in schema.get("patternProperties", {}).items()]
            extra = schema.get("additionalProperties", True)
            more = c(extra) if isinstance(extra, dict) else (lambda x, e=extra: e)

            def properties(x):
                if not isinstance(x, dict):
                    return True
                for name, value in dict.items(x):
                    matched = False
                    if name in props:
                        matched = True
                        if not props[name](value):
                            return False
                    for rx, sub in patterns:
                        if rx.search(name):
                            matched = True
                            if not sub(value):
                                return False
                    if not matched and not more(value):
                        return False
                return True
            return properties
        raise ValueError(f"schema keyword {k!r} is not supported by the fast check")


def json_like(node: Any) -> bool:
    """True when the document holds only what JSON holds (what the fast YAML path builds):
    string keys; str, int, float, bool and None scalars."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in dict.items(node):
                if type(k) is not str:
                    return False
                stack.append(v)
        elif isinstance(node, list):
            stack.extend(list.__iter__(node))
        elif node is not None and type(node) not in (str, int, float, bool):
            return False
    return True


def plain(node: Any) -> Any:
    """The ruamel document as JSON-like data (keys as strings, ruamel scalars as builtins)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return bool(node) if type(node).__name__ == "ScalarBoolean" else int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)  # strings, and dates (which GitHub reads as strings)


class Issue(Record):
    FIELDS = ("path", "at", "message", "hint", "missing", "suggest")

    def __init__(self, path: tuple, at: str, message: str, hint: str,
                 missing: str | None = None, suggest: str | None = None) -> None:
        # path: the JSON path of the node; at: "key" (the key itself), "node" (the mapping or
        # item) or "value"; missing: a required key that is missing; suggest: the key an
        # unknown key was probably meant to be
        self._set(path, at, message, hint, missing, suggest)


def code(value: Any) -> str:
    return f"`{value}`"


def join(items: list[str], word: str = "or") -> str:
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def describe(path: tuple) -> str:
    """`jobs.build.steps[0].with` in words a learner recognises."""
    def dotted(parts):
        text = ""
        for part in parts:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text

    if not path:
        return "the workflow"
    if path[0] == "jobs" and len(path) >= 2:
        base, rest = f"job `{path[1]}`", path[2:]
        if len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
            base, rest = f"step {rest[1] + 1} of job `{path[1]}`", rest[2:]
        return f"`{dotted(rest)}` in {base}" if rest else base
    return f"`{dotted(path)}`"


def shown(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return code(str(value).lower())
    if isinstance(value, (int, float)):
        return f"the number `{value}`"
    if isinstance(value, str):
        from ..repo.secretscan import mask, scan_text

        if scan_text(f'secret = "{value}"'):  # a wrong-type value may be a pasted secret
            return f"a secret-looking string `{mask(value)}`"
        return f"the string `{value[:40]}{'...' if len(value) > 40 else ''}`"
    return "a list" if isinstance(value, list) else "a mapping"


def closest(word: str, choices) -> str | None:
    choices = list(choices)
    normal = {c.lower().replace("_", "-"): c for c in choices}
    if word.lower().replace("_", "-") in normal:
        return normal[word.lower().replace("_", "-")]
    from .walk import close_matches

    match = close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def alternatives(error) -> list[str]:
    """What an error says the value may be: `a list`, `one of ...`, `an expression`."""
    if error.validator == "type":
        types = error.validator_value
        return [TYPE_NAMES.get(t, t) for t in ([types] if isinstance(types, str) else types)]
    if error.validator == "enum":
        values = [code(v) for v in error.validator_value]
        return [f"one of {join(values)}" if len(values) <= 8 else f"one of {len(values)} values"]
    if error.validator == "const":
        return [code(error.validator_value)]
    if error.validator == "pattern":
        return [EXPRESSION if "\\$\\{\\{" in error.validator_value
                else f"text matching `{error.validator_value}`"]
    return []


def suppressed(error) -> bool:
    """GitHub accepts what the schema refuses: a single string where the schema insists on a
    list of globs, an empty value (YAML null) in the places listed with :func:`null_ok`, and a
    boolean or number where a string is wanted, which GitHub's parser turns into its text."""
    path = tuple(error.absolute_path)
    if error.instance is None:
        return null_ok(error, path)
    if error.validator == "type" and type(error.instance) in (bool, int, float):
        return validator().evolve(schema=error.schema).is_valid(as_github_string(error.instance))
    return (error.validator == "type" and isinstance(error.instance, str)
            and "array" in ([error.validator_value] if isinstance(error.validator_value, str)
                            else error.validator_value)
            and len(path) >= 2 and path[0] == "on" and path[-1] in SINGLE_STRING_OK)


def as_github_string(value: bool | int | float) -> str:
    """The string GitHub's parser makes of a YAML boolean or number where the workflow syntax
    wants a string (`run: true` is the script `true`): JavaScript's spelling of the literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Keys whose value GitHub requires to be a non-empty string (its schema's `require-non-empty`),
# and `run:` (a step with an empty script runs nothing: reported).
NON_EMPTY = frozenset({"uses", "run", "runs-on", "needs", "id", "shell", "working-directory",
                       "image", "group", "cron", "timezone", "username", "password",
                       "image-name", "version", "labels", "wait", "cancel"})


def null_ok(error, path: tuple) -> bool:
    """An empty value (`name:` with nothing after it, `~`, `null`) that GitHub accepts.

    GitHub's own workflow schema lets a matrix's `include`/`exclude` entries hold any value,
    null included (`container: null` in one entry, then `container: ${{ matrix.container }}`),
    and its parser reads a null where a string is expected as the empty string, so `name:` left
    empty is a job without a display name. Where the string must not be empty (`runs-on:`,
    `uses:`, ...) GitHub refuses the null, and so do we.
    """
    if len(path) >= 4 and path[-4:-2] in (("matrix", "include"), ("matrix", "exclude")) \
            and isinstance(path[-2], int):
        return True
    if not path or not isinstance(path[-1], str) or path[-1] in NON_EMPTY or path[0] == "on":
        return False
    return validator().evolve(schema=error.schema).is_valid("")


def explain(error) -> Iterator[Issue]:
    """The learner-sized issues behind one jsonschema error (recursing into unions)."""
    path, instance, kind = tuple(error.absolute_path), error.instance, error.validator
    if suppressed(error):
        return
    if kind == "not":
        return  # only "branches with branches-ignore" and the like: workflow-filter-conflict
    if kind == "required" and path == ():
        return  # a workflow without `on:` or `jobs:`: workflow-syntax says so
    if kind in ("oneOf", "anyOf"):
        yield from explain_union(error, path)
    elif kind == "additionalProperties" and isinstance(instance, dict):
        yield from unknown_keys(error, path)
    elif kind == "required" and isinstance(instance, dict):
        for key in error.validator_value:
            if key not in instance:
                yield Issue(path, "node", f"{describe(path)} is missing the required key `{key}`",
                            REQUIRED_HINTS.get(key, f"add `{key}:` to {describe(path)}"),
                            missing=key)
    elif kind == "type":
        wanted = error.validator_value
        first = wanted if isinstance(wanted, str) else wanted[0]
        yield Issue(path, "value",
                    f"{describe(path)} must be {join(alternatives(error))}, not {shown(instance)}",
                    EMPTY_HINT if instance is None else TYPE_HINTS.get(first, SYNTAX_DOCS))
    elif kind == "enum":
        yield enum_issue(error, path, [])
    elif kind in ("minItems", "minProperties", "minLength"):
        yield Issue(path, "value", f"{describe(path)} must not be empty",
                    "give it at least one entry, or remove the key")
    elif kind == "dependencies" and isinstance(instance, dict):
        for key, needs in error.validator_value.items():
            for need in needs if key in instance and isinstance(needs, list) else ():
                if need not in instance:
                    yield Issue(path + (key,), "key",
                                f"`{key}` in {describe(path)} only works together with `{need}`",
                                f"add `{need}:` or remove `{key}:`")
    elif kind == "pattern" and "\\$\\{\\{" in str(error.validator_value):
        yield Issue(path, "value", f"{describe(path)} must be {EXPRESSION}, not {shown(instance)}",
                    "wrap the expression in `${{` and `}}`")
    else:
        yield Issue(path, "value", f"{describe(path)}: {error.message[:200]}",
                    SYNTAX_DOCS)


def enum_issue(error, path, other_branches) -> Issue:
    value, allowed = error.instance, [str(v) for v in error.validator_value]
    guess = closest(str(value), allowed) if isinstance(value, str) else None
    options = [code(v) for v in allowed[:10]] + (["..."] if len(allowed) > 10 else [])
    hint = f"allowed: {join(options + other_branches)}"
    if guess:
        hint = f"did you mean `{guess}`? {hint}"
    return Issue(path, "value", f"{describe(path)} cannot be {code(value)}", hint)


def unknown_keys(error, path) -> Iterator[Issue]:
    known = list(error.schema.get("properties", {}))
    patterns = list(error.schema.get("patternProperties", {}))
    for key in error.instance:
        if key in known or any(re.search(p, key) for p in patterns):
            continue
        if path == ("jobs",):
            yield Issue(path + (key,), "key", f"`{key}` is not a valid job id",
                        "a job id starts with a letter or `_` and contains only letters, digits, "
                        "`-` and `_`")
        elif not known:
            yield Issue(path + (key,), "key", f"`{key}` is not a valid name in {describe(path)}",
                        f"names here must match `{'` or `'.join(patterns)}`")
        else:
            guess = closest(key, known)
            hint = (f"did you mean `{guess}`?" if guess
                    else f"valid keys here: {join([code(k) for k in sorted(known)], 'and')}")
            yield Issue(path + (key,), "key", f"unknown key `{key}` in {describe(path)}",
                        hint + " (GitHub rejects a workflow with an unknown key)", suggest=guess)


def explain_union(error, path) -> Iterator[Issue]:
    """Pick the alternative the author most likely meant, then explain only that one."""
    if not error.context:  # oneOf matched more than one alternative
        keys = [k for sub in error.validator_value for k in sub.get("required", [])
                if isinstance(error.instance, dict) and k in error.instance]
        hint = ("a step either runs an action (`uses:`) or a shell command (`run:`): split it "
                "into two steps" if {"uses", "run"} <= set(keys)
                else "keep only one of them")
        both = join([code(k) for k in keys], "and")
        yield Issue(path, "node", f"{describe(path)} has both {both}", hint)
        return
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    groups = [[e for e in errs if not suppressed(e)] for _, errs in sorted(branches.items())]
    if any(not g for g in groups):  # an alternative fits once known false positives are dropped
        return
    at_self = [all(tuple(e.absolute_path) == path for e in g) for g in groups]
    if all(at_self) and all(e.validator == "required" for g in groups for e in g):
        keys = [k for g in groups for e in g for k in e.validator_value
                if isinstance(error.instance, dict) and k not in error.instance]
        if {"uses", "run"} <= set(keys):
            message = f"{describe(path)} needs `uses:` (an action) or `run:` (a shell command)"
        else:
            message = f"{describe(path)} needs one of {join([code(k) for k in keys])}"
        yield Issue(path, "node", message,
                    "add `run: <command>` or `uses: owner/action@v1`; a step with only a `name:` "
                    "does nothing" if {"uses", "run"} <= set(keys) else "add one of these keys")
        return
    type_miss = [any(e.validator == "type" and tuple(e.absolute_path) == path for e in g)
                 for g in groups]
    if all(at_self) and all(e.validator in SHAPE for g in groups for e in g):
        for g, miss in zip(groups, type_miss):
            enum = next((e for e in g if e.validator == "enum"), None)
            if enum is not None and not miss:  # right type, wrong value: say which values fit
                others = [a for h, m in zip(groups, type_miss) if h is not g and m
                          for e in h if e.validator == "type" for a in alternatives(e)]
                yield enum_issue(enum, path, others)
                return
        wanted = [a for g in groups for e in g if e.validator != "enum" or len(g) == 1
                  for a in alternatives(e)]
        types = [e.validator_value for g in groups for e in g if e.validator == "type"
                 and isinstance(e.validator_value, str) and e.validator_value in TYPE_HINTS]
        yield Issue(path, "value",
                    f"{describe(path)} must be {join(wanted)}, not {shown(error.instance)}",
                    EMPTY_HINT if error.instance is None
                    else TYPE_HINTS[types[0]] if types else SYNTAX_DOCS)
        return
    candidates = [i for i, miss in enumerate(type_miss) if not miss] or list(range(len(groups)))

    def score(i):
        g = groups[i]
        unexpected = sum(len([k for k in e.instance if k not in e.schema.get("properties", {})])
                         for e in g if e.validator == "additionalProperties"
                         and isinstance(e.instance, dict))
        return (unexpected, sum(e.validator == "required" for e in g), len(g), i)

    for sub in groups[min(candidates, key=score)]:
        yield from explain(sub)


def resolve(doc: Any, path: tuple) -> tuple[Any, Any]:
    """The ruamel parent node and key/index of ``path``; (None, None) for the document itself."""
    parent, key, node = None, None, doc
    for part in path:
        if isinstance(node, CommentedMap):
            real = part if part in node else next((k for k in node if str(k) == part), None)
            if real is None:
                break
            parent, key, node = node, real, node[real]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            parent, key, node = node, part, node[part]
        else:
            break
    return parent, key


def locate(ctx: WorkflowContext, issue: Issue) -> tuple[int | None, int | None]:
    parent, key = resolve(ctx.data, issue.path)
    if parent is None:
        return 1, 1
    value = issue.at == "value" and isinstance(parent, CommentedMap)
    line, column = ctx.pos(parent, key, value=value)
    return (line, column) if line else ctx.pos(parent)


@rule("workflow-schema", severity="error", scope="workflow", lesson="02-github-actions#anatomy")
def workflow_schema(ctx: WorkflowContext):
    """The workflow does not match GitHub's workflow syntax (unknown key, wrong type or value).

    Checks the parsed workflow against SchemaStore's ``github-workflow`` JSON schema, the one
    editors use for completion. GitHub refuses to run a workflow with an unknown key or a value
    of the wrong kind, and only says so after you push; a typo such as ``runs_on`` or ``step``
    is the most common cause. Each problem points at the offending key or value and, for an
    unknown key, names the closest valid one. Where the schema is stricter than GitHub, GitHub
    wins: the schema is corrected before use, as listed below with the evidence for each entry.

    Before::

        jobs:
          train:
            runs_on: ubuntu-latest
            timeout-minutes: soon
            step:
              - run: python train.py

    After::

        jobs:
          train:
            runs-on: ubuntu-latest
            timeout-minutes: 30
            steps:
              - run: python train.py
    """
    if not ctx.ok:
        return  # yaml-syntax reports files that do not parse
    try:
        # The fast check reads the parsed document as it is (builtin scalars, string keys);
        # jsonschema gets the plain JSON-like copy only to explain a document it rejects.
        if fast_valid()(ctx.data if json_like(ctx.data) else plain(ctx.data)):
            return
        data = plain(ctx.data)
        check = validator()
    except (ImportError, OSError, ValueError, KeyError, StopIteration, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            yield Problem("schema check skipped: the workflow is nested too deeply to check",
                          "a workflow is a few levels deep: look for a runaway indentation",
                          path=ctx.display, severity="info")
            return
        yield Problem(f"schema check skipped: the workflow schema could not be loaded ({exc})",
                      "install check-jsonschema (`pip install check-jsonschema`)",
                      path=ctx.display, severity="info")
        return
    try:
        issues = [i for error in check.iter_errors(data) for i in explain(error)]
    except RecursionError:
        yield Problem("schema check skipped: the workflow is nested too deeply to check",
                      "a workflow is a few levels deep: look for a runaway indentation",
                      path=ctx.display, severity="info")
        return
    guessed = {(i.path[:-1], i.suggest) for i in issues if i.suggest}
    seen = set()
    for issue in issues:
        if issue.missing and (issue.path, issue.missing) in guessed:
            continue  # `runs_on` already said "did you mean `runs-on`?"
        line, column = locate(ctx, issue)
        if (line, column) in seen:
            continue
        seen.add((line, column))
        yield Problem(issue.message, issue.hint, path=ctx.display, line=line, column=column)
