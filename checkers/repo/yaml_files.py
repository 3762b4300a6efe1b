"""YAML files that do not parse."""
from __future__ import annotations

import re

from ..registry import Problem, rule
from ..yamlload import MULTI_DOCUMENT, stream_problem
from .context import SYMLINK_MODE, RepoContext, parsed_yaml

YAML_SUFFIXES = (".yml", ".yaml")
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{-|\$\{\{", re.S)
# A fill-in written with single braces and glued to more text (`image: {username}/torchserve`):
# never valid YAML, so always a blank for the reader to fill, as documentation samples have
FILL_IN = re.compile(r"(?<![{$])\{[A-Za-z_][\w.-]*\}(?=[^\s,\]}#])")


def _in_helm_chart(path: str, charts: set[str]) -> bool:
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "templates" and "/".join(parts[:i]) in charts:
            return True
    return False


def syntax_hint(message: str) -> str:
    """How to fix the parser's complaint, in the terms a learner knows."""
    if "duplicate key" in message:
        return "a key may appear only once in a mapping: merge the two entries or rename one"
    if "\\t" in message or "tab" in message:
        return "indent with spaces, never tabs (set your editor to insert spaces in YAML files)"
    if "mapping values are not allowed" in message:
        return "quote a value that contains `: `, e.g. `run: \"echo a: b\"`, or fix the indentation"
    if "aliases" in message:
        return "write the values out instead of using YAML anchors and aliases"
    return ("fix the syntax at this position: indent consistently with spaces, quote values that "
            "start with `*`, `&`, `!`, `{`, `[` or contain `: `, and close every bracket and quote")


@rule("yaml-syntax", severity="error", scope="repo", lesson="01-git-hygiene#repository-layout")
def yaml_syntax(ctx: RepoContext):
    """A YAML file in the project is not valid YAML.

    Workflows, pipelines, components and environments are all YAML; one that does not parse
    stops GitHub Actions or Azure ML before anything runs. The finding points at the line and
    column where the parser gave up (YAML 1.2, as GitHub and Azure ML read it). Duplicate keys are
    errors too: GitHub rejects them, and other tools silently keep only one of the values. Outside
    ``.github/``, a key repeated with the very same value is a warning: nothing is lost.
    Common causes: a tab used for indentation, a ``key: value: more`` line that needs quotes,
    an unclosed ``[`` or quote.

    Several documents separated by ``---`` (Kubernetes manifests) are valid YAML when each
    document is; a workflow must be one document (see ``workflow-syntax``).

    Templates are not YAML until they are rendered: files of a Helm chart (under ``templates/``
    next to a ``Chart.yaml``) and files with Go or Jinja template syntax (``{{ ... }}``,
    ``{% ... %}``) that do not parse as they are are left alone. A documentation sample with a
    blank to fill in (``image: {username}/torchserve:latest``: single braces glued to more
    text, which YAML never allows) is a **warning**: it is a template for its reader, who must
    fill the blank in before the file parses.
    """
    charts = {p.rsplit("/", 1)[0] if "/" in p else "" for p in ctx.paths
              if p.rsplit("/", 1)[-1] in ("Chart.yaml", "Chart.yml")}
    for entry in ctx.entries:
        if entry.mode == SYMLINK_MODE or not entry.path.lower().endswith(YAML_SUFFIXES):
            continue
        if _in_helm_chart(entry.path, charts):
            continue
        text, _, problem = parsed_yaml(ctx, entry.path)
        if text is None:
            continue
        if problem and TEMPLATE.search(text):
            continue
        if problem and MULTI_DOCUMENT in problem.message and not entry.path.startswith(".github/"):
            # `---` between documents (Kubernetes manifests) is YAML: judge each document
            problem = stream_problem(text)
        fill_in = _fill_in_at(text, problem.line) \
            if problem and not entry.path.startswith(".github/") else None
        if fill_in:
            yield Problem(
                f"invalid YAML until the placeholder `{fill_in}` is filled in: {problem.message}",
                f"replace `{fill_in}` with its value before using the file (in YAML, a value "
                "that starts with `{` must be quoted)", path=ctx.display(entry.path), line=problem.line,
                column=problem.column, severity="warning")
            continue
        if problem:
            same = "duplicate key" in problem.message and not entry.path.startswith(".github/") \
                and duplicates_repeat_values(text)
            yield Problem(
                f"invalid YAML: {problem.message}"
                + (" (every repeated key repeats its value, so a parser that keeps the last one "
                   "loses nothing)" if same else ""),
                syntax_hint(problem.message),
                path=ctx.display(entry.path), line=problem.line, column=problem.column,
                severity="warning" if same else None,
            )


def _fill_in_at(text: str, line: int | None) -> str | None:
    """The single-brace placeholder on the line the parser stopped at (or the one before)."""
    if not line:
        return None
    lines = text.splitlines()
    for n in (line, line - 1):
        if 0 < n <= len(lines):
            found = FILL_IN.search(lines[n - 1])
            if found:
                return found.group(0)
    return None


def duplicates_repeat_values(text: str) -> bool:
    """Does every key that a mapping repeats repeat the same value (``version: 1.0`` twice)?
    Then a parser that keeps the last value (PyYAML, most tools) reads what the author meant."""
    import yaml

    def shape(node):
        if isinstance(node, yaml.ScalarNode):
            return (node.tag, node.value)
        if isinstance(node, yaml.SequenceNode):
            return (node.tag, tuple(shape(n) for n in node.value))
        return (node.tag, tuple((shape(k), shape(v)) for k, v in node.value))

    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return False
    stack, found = [n for n in nodes if n is not None], False
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key, value in node.value:
                k = shape(key)
                if k in seen:
                    if seen[k] != shape(value):
                        return False
                    found = True
                seen[k] = shape(value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found
