"""Output formats: text (``file:line:col: severity: message [rule]``), json, sarif and github.

Reporters only format; they never decide anything about findings.
"""
from __future__ import annotations

import json
import os

from . import __version__
from .findings import Result
from . import links
from .registry import all_rules

FORMATS = ("text", "json", "sarif", "github")


def _indent(text: str, prefix: str) -> str:
    """``textwrap.indent(text, prefix)`` (lines of white space only stay as they are), without
    importing textwrap, whose wrapper compiles its patterns at import: the command line prints
    this."""
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))


def render_text(result: Result) -> str:
    lines = []
    for f in result.findings:
        lines.append(f"{f.location}: {f.severity}: {f.message} [{f.rule}]")
        if f.hint:
            hint = _indent(f.hint, "       ").lstrip()
            lines.append(f"  fix: {hint}")
        lines.append(f"  docs: {f.docs}")
    lines.extend(f"note: {n}" for n in result.notes)
    counts = {s: sum(f.severity == s for f in result.findings) for s in ("error", "warning", "info")}
    if result.findings:
        lines.append(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n))
    else:
        lines.append("no problems found")
    return "\n".join(lines)


def render_json(result: Result) -> str:
    return json.dumps(
        {"findings": [f.to_dict() for f in result.findings], "notes": result.notes},
        indent=2, ensure_ascii=False)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(result: Result) -> str:
    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": "checkers",
        "version": __version__,
        "informationUri": links.rules_url(),
        "rules": [
            {
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.doc},
                "helpUri": r.docs_url,
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                "properties": {"scope": r.scope, "lesson": r.lesson_path},
            }
            for r in rules
        ],
    }
    results = []
    for f in result.findings:
        item = {
            "ruleId": f.rule,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}\nFix: {f.hint}" if f.hint else f.message},
        }
        if f.rule in index:
            item["ruleIndex"] = index[f.rule]
        # GitHub code scanning needs a location on every result: whole-repository findings
        # point at the checked folder itself.
        physical = {"artifactLocation": _artifact(f.path or ".", result.root)}
        if f.path and f.line:
            physical["region"] = {"startLine": f.line, **({"startColumn": f.column} if f.column else {})}
        item["locations"] = [{"physicalLocation": physical}]
        results.append(item)
    run = {"tool": {"driver": driver}, "results": results}
    if result.root:
        run["originalUriBaseIds"] = {"ROOT": {"uri": _file_uri(result.root)}}
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }, indent=2, ensure_ascii=False)


def _artifact(path: str, root: str | None) -> dict:
    """A SARIF artifactLocation: a percent-encoded URI, relative to ROOT when there is one."""
    from pathlib import Path
    from urllib.parse import quote

    raw = path.encode("utf-8", "surrogateescape")
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri() if _utf8(raw) else "file://" + quote(raw)}
    location = {"uri": quote(raw, safe="/")}
    if root:
        location["uriBaseId"] = "ROOT"
    return location


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _file_uri(root: str) -> str:
    from pathlib import Path

    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(result: Result) -> str:
    """GitHub workflow commands; paths are made relative to the current directory (the workspace)."""
    lines = []
    for f in result.findings:
        props = []
        if f.path:
            path = f.path
            if result.root:
                path = os.path.relpath(os.path.join(result.root, f.path))
            props.append(f"file={_escape_property(path)}")
            if f.line:
                props.append(f"line={f.line}")
                if f.column:
                    props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f.rule)}")
        body = f"{f.message}\nFix: {f.hint}\nDocs: {f.docs}"
        lines.append(f"::{_GITHUB_COMMAND[f.severity]} {','.join(props)}::{_escape_data(body)}")
    return "\n".join(lines)


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif, "github": render_github}


def render(result: Result, fmt: str) -> str:
    return RENDERERS[fmt](result)
