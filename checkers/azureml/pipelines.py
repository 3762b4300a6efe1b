"""Pipeline jobs: steps, the components they run, and the bindings that wire them together."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ..yamlnodes import CommentedMap

from ..registry import Problem, rule
from .components import (PLACEHOLDER, component_problems, declared, environment_problems, is_required,
                         mapping, placeholder_problems)
from .project import COMPONENT, PIPELINE, Doc, Project, closest, is_pipeline_component, pos, where

LESSON = "04-azure-ml-assets#pipelines"
SINGLE_BRACE_PARENT = re.compile(r"(?<![$\{])\$\{\s*(parent\.[A-Za-z0-9_.]+)\s*\}(?!\})")
# Step types that run a component (or an inline command); others (sweep, automl ...) are
# checked only for their bindings.
COMPONENT_STEPS = (None, "command", "pipeline")


@dataclass
class Step:
    name: str
    node: CommentedMap
    comp: CommentedMap | None = None   # the component (or inline command) it runs, if known
    comp_path: str | None = None        # the component file, when it is a local file
    inline: bool = False

    @property
    def inputs(self) -> dict[str, Any]:
        return declared(self.comp, "inputs") if self.comp is not None else {}

    @property
    def outputs(self) -> dict[str, Any]:
        return declared(self.comp, "outputs") if self.comp is not None else {}


def steps(project: Project, doc: Doc) -> dict[str, Step]:
    cache = project.ctx.cache.setdefault("azureml-steps", {})
    if doc.path not in cache:
        cache[doc.path] = dict(_steps(project, doc))
    return cache[doc.path]


def _steps(project: Project, doc: Doc) -> Iterator[tuple[str, Step]]:
    jobs = mapping(doc.data.get("jobs"))
    for name, node in (jobs or {}).items():
        if not isinstance(node, CommentedMap):
            continue
        step = Step(str(name), node)
        comp = node.get("component")
        if isinstance(comp, CommentedMap):
            step.comp = comp
        elif isinstance(comp, str) and not comp.startswith("azureml:"):
            target = project.resolve(doc.path, comp)
            step.comp_path = target
            ref = project.referenced(target) if target else None
            if ref is not None and ref.kind in (COMPONENT, PIPELINE):
                step.comp = ref.data
        elif comp is None and "command" in node:
            step.comp, step.inline = node, True
        yield str(name), step


def run_by_pipelines(project: Project) -> set[str]:
    """The local component files that some pipeline's step runs (``component:`` or ``trial:``)."""
    used = set()
    for doc in project.of_kind(PIPELINE):
        for node in (mapping(doc.data.get("jobs")) or {}).values():
            for key in ("component", "trial"):
                ref = node.get(key) if isinstance(node, CommentedMap) else None
                if isinstance(ref, str) and not ref.startswith("azureml:"):
                    target = project.resolve(doc.path, ref)
                    if target:
                        used.add(target)
    return used


def pipelines(ctx) -> list[Doc]:
    return Project.of(ctx).of_kind(PIPELINE)


# --- azureml-pipeline-component -----------------------------------------------------------------
@rule("azureml-pipeline-component", severity="error", scope="repo", lesson=LESSON)
def pipeline_component(ctx):
    """A pipeline step's ``component:`` is missing, does not exist, or is not a valid component.

    Each step of ``jobs:`` runs a component: a local YAML file (a path relative to the pipeline
    file), a registered one (``azureml:NAME:VERSION`` or ``azureml:NAME@latest``), or an inline
    definition. A local file must exist, parse, and be a valid command component itself (its own
    problems are summarised here when the file is not one of those being checked). ``jobs:`` must
    map step names to steps: written as a list, Azure ML (and its SDK) cannot read it.
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        jobs = doc.data.get("jobs")
        if not isinstance(jobs, CommentedMap):
            line, col = where(doc.data, "jobs") if "jobs" in doc.data else (1, 1)
            yield Problem("`jobs:` must map each step name to its step"
                          + (" (it is a list)" if isinstance(jobs, list) else ""),
                          "jobs:\n  prepare:\n    type: command\n    component: ../components/prepare/component.yaml",
                          path=doc.path, line=line, column=col)
            continue
        for name, step in steps(project, doc).items():
            node = step.node
            kind = node.get("type")
            if kind not in COMPONENT_STEPS:
                continue
            comp = node.get("component")
            if comp is None:
                if step.inline:
                    yield from environment_problems(doc, node)
                    continue
                line, col = pos(jobs, name)
                yield Problem(f"step `{name}` has no `component:`: Azure ML does not know what to run",
                              f"add `component: ../components/{name}/component.yaml` (relative to "
                              "this file)", path=doc.path, line=line, column=col)
                continue
            if not isinstance(comp, str) or comp.startswith("azureml:"):
                continue
            line, col = where(node, "component")
            if step.comp_path is None:
                continue  # outside the checked folder: not ours to read
            ref = project.referenced(step.comp_path)
            if ref is None and project.exists(step.comp_path):
                continue  # there, but not readable as text (a symlink, too large): not ours to judge
            if ref is None:
                hint = ("the path is relative to this pipeline file's folder, e.g. "
                        "`../components/train/component.yaml`")
                if ":" in comp or "@" in comp:
                    hint = f"a registered component is written `azureml:{comp}`"
                yield Problem(f"step `{name}`: component file `{comp}` does not exist "
                              f"(resolved to {step.comp_path})", hint,
                              path=doc.path, line=line, column=col)
            elif ref.data is None:
                yield Problem(f"step `{name}`: component file `{comp}` is not valid YAML",
                              f"fix {ref.path} first (`checkers azureml {ref.path}`)",
                              path=doc.path, line=line, column=col)
            elif ref.kind not in (COMPONENT, PIPELINE) and "$schema" not in ref.data \
                    and ref.data.get("type") in (None, "command"):
                yield Problem(f"step `{name}`: `{comp}` is not a command component (it needs "
                              "`type: command`, `name`, `command` and `environment`)",
                              f"point `component:` at the component's YAML file, or fix {ref.path}",
                              path=doc.path, line=line, column=col)
            elif ref.kind == COMPONENT and not ref.checked:
                problems = component_problems(project, ref)
                if problems:
                    first = problems[0]
                    yield Problem(f"step `{name}`: component `{comp}` is invalid ({len(problems)} "
                                  f"problem(s)); first: {first.path}:{first.line}: {first.message}",
                                  f"run `checkers azureml {ref.path}` and fix it",
                                  path=doc.path, line=line, column=col)


# --- azureml-pipeline-binding -------------------------------------------------------------------
def _bindings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        for match in PLACEHOLDER.finditer(value):
            yield match.group(1)
    elif isinstance(value, CommentedMap):  # `{path: ${{parent...}}, mode: ...}`
        for key in ("path", "value", "default"):
            yield from _bindings(value.get(key))


def step_bindings(step: Step) -> Iterator[tuple[str, str, CommentedMap, str]]:
    """(section, port, mapping holding it, expression) for every ``${{...}}`` of a step."""
    for section in ("inputs", "outputs"):
        ports = mapping(step.node.get(section))
        for port, value in (ports or {}).items():
            for expr in _bindings(value):
                yield section, str(port), ports, expr


@rule("azureml-pipeline-binding", severity="error", scope="repo", lesson=LESSON)
def pipeline_binding(ctx):
    """A binding in a pipeline names an input, step or output that does not exist.

    Steps are wired with ``${{parent.inputs.NAME}}`` (an input of the pipeline),
    ``${{parent.jobs.STEP.outputs.NAME}}`` (an output of an earlier step, which must be one the
    step's component declares) and, in a step's ``outputs:``, ``${{parent.outputs.NAME}}`` (an
    output the pipeline declares). Azure ML's SDK accepts a wrong name here; the service then
    fails the job, or the step reads nothing. Single braces (``${parent.inputs.x}``) are passed on
    as literal text.
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        all_steps = steps(project, doc)
        p_inputs = declared(doc.data, "inputs")
        p_outputs = declared(doc.data, "outputs")
        for step in all_steps.values():
            for section, port, ports, expr in step_bindings(step):
                line, col = where(ports, port)
                message = _binding_problem(expr, section, step, all_steps, p_inputs, p_outputs)
                if message:
                    yield Problem(f"step `{step.name}` {section[:-1]} `{port}`: {message[0]}",
                                  message[1], path=doc.path, line=line, column=col)
            for section in ("inputs", "outputs"):
                ports = mapping(step.node.get(section))
                for port, value in (ports or {}).items():
                    if isinstance(value, str):
                        for match in SINGLE_BRACE_PARENT.finditer(value):
                            line, col = where(ports, port)
                            yield Problem(f"step `{step.name}` {section[:-1]} `{port}`: `${{{match.group(1)}}}` "
                                          "has single braces and is passed on as literal text",
                                          f"write `${{{{{match.group(1)}}}}}`",
                                          path=doc.path, line=line, column=col)
            if step.inline:
                yield from placeholder_problems(doc, step.node)


def _binding_problem(expr: str, section: str, step: Step, all_steps: dict[str, Step],
                     p_inputs: dict, p_outputs: dict) -> tuple[str, str] | None:
    parts = expr.split(".")
    shown = f"`${{{{{expr}}}}}`"
    if parts[0] != "parent":
        if parts[0] in ("inputs", "outputs", "jobs"):
            return (f"{shown} is missing `parent.`: in a pipeline, bindings start with `parent`",
                    f"write `${{{{parent.{expr}}}}}`")
        return None  # a runtime expression such as ${{name}} or ${{default_datastore}}
    if len(parts) >= 3 and parts[1] == "inputs":
        if section == "outputs":
            return f"{shown} binds an output to a pipeline *input*", "use `${{parent.outputs.NAME}}`"
        name = parts[2]
        if name not in p_inputs:
            return _missing(shown, "the pipeline declares no input", name, p_inputs,
                            "parent.inputs", f"or add `{name}:` under the pipeline's `inputs:`")
        return None
    if len(parts) == 3 and parts[1] == "outputs":
        if section == "inputs":
            return (f"{shown} reads a pipeline output; a step reads the output of the step that "
                    "produces it", "use `${{parent.jobs.STEP.outputs.NAME}}`")
        if parts[2] not in p_outputs:
            return _missing(shown, "the pipeline declares no output", parts[2], p_outputs,
                            "parent.outputs", f"or add `{parts[2]}:` under the pipeline's `outputs:`")
        return None
    if len(parts) == 5 and parts[1] == "jobs" and parts[3] in ("outputs", "inputs"):
        other_name, port = parts[2], parts[4]
        if section == "outputs":
            return (f"{shown}: a step output is bound to a pipeline output, not to another step",
                    "use `${{parent.outputs.NAME}}`")
        other = all_steps.get(other_name)
        if other is None:
            return _missing(shown, "there is no step", other_name, all_steps, None,
                            "steps are the keys under `jobs:`")
        if other.comp is None:
            return None  # a registered component: its ports are not known offline
        ports = other.outputs if parts[3] == "outputs" else other.inputs
        if port not in ports:
            return _missing(shown, f"step `{other_name}`'s component declares no {parts[3][:-1]}",
                            port, ports, f"parent.jobs.{other_name}.{parts[3]}",
                            f"(declared: {', '.join(ports) or 'none'})")
        return None
    return f"{shown} is not a binding Azure ML understands", _FORMS


_FORMS = ("bindings are `${{parent.inputs.NAME}}`, `${{parent.jobs.STEP.outputs.NAME}}` and, for "
          "a step output, `${{parent.outputs.NAME}}`")


def _missing(shown: str, what: str, name: str, choices, prefix: str | None,
             extra: str) -> tuple[str, str]:
    guess = closest(name, choices)
    if guess and prefix:
        hint = f"did you mean `${{{{{prefix}.{guess}}}}}`? {extra}"
    elif guess:
        hint = f"did you mean `{guess}`? {extra}"
    else:
        hint = extra[3:] if extra.startswith("or ") else extra
    return f"{shown}: {what} `{name}`", hint


# --- azureml-pipeline-step-io -------------------------------------------------------------------
@rule("azureml-pipeline-step-io", severity="error", scope="repo", lesson=LESSON)
def pipeline_step_io(ctx):
    """A pipeline step sets an input or output its component does not declare.

    A step can only feed the inputs its component declares under ``inputs:`` and route the
    outputs it declares under ``outputs:``; anything else is an error when the job is submitted
    (the SDK does not catch it offline), and the value you meant to pass never arrives. Usually a
    typo, or a name that was changed in the component but not in the pipeline.
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        for step in steps(project, doc).values():
            if step.comp is None or step.inline:
                continue
            for section in ("inputs", "outputs"):
                ports = mapping(step.node.get(section))
                known = step.inputs if section == "inputs" else step.outputs
                for port in ports or {}:
                    if port in known:
                        continue
                    line, col = pos(ports, port)
                    guess = closest(port, known)
                    yield Problem(f"step `{step.name}`: its component declares no {section[:-1]} "
                                  f"`{port}` (declared: {', '.join(known) or 'none'})",
                                  f"rename it to `{guess}`" if guess else
                                  f"remove it, or declare `{port}` in the component's `{section}:`",
                                  path=doc.path, line=line, column=col)


# --- azureml-pipeline-required-input ------------------------------------------------------------
@rule("azureml-pipeline-required-input", severity="error", scope="repo", lesson=LESSON)
def pipeline_required_input(ctx):
    """A pipeline step leaves a required input of its component unbound.

    An input without a ``default`` and without ``optional: true`` must be given a value or a
    binding in the step's ``inputs:``; otherwise Azure ML refuses the pipeline job ("required
    input not provided"). Bind it to a pipeline input (``${{parent.inputs.NAME}}``) or to an
    earlier step's output (``${{parent.jobs.STEP.outputs.NAME}}``).
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        jobs = mapping(doc.data.get("jobs"))
        for step in steps(project, doc).values():
            if step.comp is None or step.inline:
                continue
            given = mapping(step.node.get("inputs")) or {}
            for name, decl in step.inputs.items():
                if is_required(decl) and given.get(name) is None:
                    line, col = pos(given, name) if name in given else where(step.node, "inputs")
                    if line is None:
                        line, col = pos(jobs, step.name)
                    yield Problem(f"step `{step.name}`: required input `{name}` is not bound",
                                  f"inputs:\n  {name}: ${{{{parent.inputs.{name}}}}}   # or "
                                  "${{parent.jobs.STEP.outputs.NAME}}",
                                  path=doc.path, line=line, column=col)


# --- azureml-pipeline-cycle ---------------------------------------------------------------------
@rule("azureml-pipeline-cycle", severity="error", scope="repo", lesson=LESSON)
def pipeline_cycle(ctx):
    """The steps of a pipeline depend on each other in a cycle.

    A step runs after every step whose outputs it reads, so the bindings must form a chain
    (prepare -> train -> evaluate), never a loop: in a cycle, no step can start, and Azure ML
    refuses the job. A step that reads its own output is a cycle too.
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        all_steps = steps(project, doc)
        edges: dict[str, list[tuple[str, Any, str]]] = {name: [] for name in all_steps}
        for step in all_steps.values():
            for section, port, ports, expr in step_bindings(step):
                parts = expr.split(".")
                if section == "inputs" and len(parts) == 5 and parts[:2] == ["parent", "jobs"] \
                        and parts[2] in all_steps:
                    edges[step.name].append((parts[2], ports, port))
        for cycle in _cycles(edges):
            first = cycle[0]
            _, ports, port = next(e for e in edges[first] if e[0] == cycle[1 % len(cycle)])
            line, col = where(ports, port)
            shown = cycle if len(cycle) <= 8 else [*cycle[:4], f"... ({len(cycle) - 6} more)", *cycle[-2:]]
            loop = " -> ".join([*shown, cycle[0]])
            yield Problem(f"the steps form a cycle: {loop} (each waits for the next)",
                          "a step may only read outputs of steps that run before it: remove one "
                          "of these bindings", path=doc.path, line=line, column=col)


def _cycles(edges: dict[str, list]) -> list[list[str]]:
    """One list per cycle found (each reported once), in a stable order. Iterative: a hostile
    pipeline with thousands of chained steps must not exhaust Python's recursion limit."""
    found, seen = [], set()
    state: dict[str, int] = {}
    for start in sorted(edges):
        if start in state:
            continue
        stack: list[str] = [start]
        todo = [iter([t for t, *_ in edges.get(start, ())])]
        state[start] = 1
        while todo:
            target = next(todo[-1], None)
            if target is None:
                todo.pop()
                state[stack.pop()] = 2
            elif state.get(target) == 1:
                cycle = stack[stack.index(target):]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append(cycle)
            elif target not in state:
                state[target] = 1
                stack.append(target)
                todo.append(iter([t for t, *_ in edges.get(target, ())]))
    return found


# --- azureml-pipeline-compute -------------------------------------------------------------------
@rule("azureml-pipeline-compute", severity="error", scope="repo", lesson=LESSON)
def pipeline_compute(ctx):
    """A pipeline job sets no compute for some of its steps.

    Each step of a pipeline job needs a compute: ``settings.default_compute`` (or ``compute:``)
    on the pipeline, or ``compute:`` on the step. Without one, Azure ML (and its SDK's
    validation: "Compute not set") refuses the job. The documented pattern runs on the
    workspace's own cluster, created by ``infra/main.bicep``:
    ``settings.default_compute: azureml:cpu-cluster``; serverless compute must be asked for
    explicitly (``azureml:serverless``). Pipeline *components* are not checked: the job that
    uses them sets the compute.
    """
    project = Project.of(ctx)
    for doc in pipelines(ctx):
        if is_pipeline_component(doc.data):
            continue
        settings = mapping(doc.data.get("settings")) or {}
        if doc.data.get("compute") or settings.get("default_compute"):
            continue
        jobs = mapping(doc.data.get("jobs")) or {}
        # spark steps size themselves (`resources:`); a nested pipeline's steps carry their own
        missing = [s.name for s in steps(project, doc).values() if not s.node.get("compute")
                   and s.node.get("type") not in ("spark", "pipeline")]
        if not missing:
            continue
        line, col = (pos(doc.data, "settings") if "settings" in doc.data else pos(jobs, missing[0]))
        yield Problem(f"no compute for step(s) {', '.join(missing)}: no `settings.default_compute`"
                      " and no `compute:` on the step",
                      "settings:\n  default_compute: azureml:cpu-cluster   # the workspace's cluster",
                      path=doc.path, line=line or 1, column=col or 1)
