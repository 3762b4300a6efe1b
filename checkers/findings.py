"""Findings: what a rule reports, and a result that lists them.

The field names and their meaning are a contract shared by the CLI's JSON output, the
notebooks' self-checks and the nbgrader tests: extend it, never break it.
"""
from __future__ import annotations

from collections.abc import Iterable

from .records import Record

SEVERITIES = ("error", "warning", "info")
_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


class Finding(Record):
    """One problem a rule found (immutable; ``dataclasses.replace`` makes a changed copy)."""

    FIELDS = ("rule", "severity", "path", "line", "column", "message", "hint", "docs")

    def __init__(self, rule: str, severity: str, path: str | None, line: int | None,
                 column: int | None, message: str, hint: str, docs: str) -> None:
        if severity not in _RANK:
            raise ValueError(f"unknown severity {severity!r}")
        self._set(rule, severity, path, line, column, message, hint, docs)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def location(self) -> str:
        """``path:line:col`` as far as it is known (``<repository>`` for whole-repo findings)."""
        where = self.path or "<repository>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def sort_key(self) -> tuple:
        return (self.path or "", self.line or 0, self.column or 0, self.rule, self.message)


class Result(Record):
    """The findings of one check run, displayable in a notebook and testable in code."""

    FIELDS = ("findings", "root", "notes")
    FROZEN = False

    def __init__(self, findings: Iterable[Finding] = (), root: str | None = None,
                 notes: list[str] | None = None) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        self.root = root
        self.notes = [] if notes is None else notes

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __bool__(self) -> bool:
        # A Result is "truthy" when it passed, so `assert result` reads naturally in a test cell.
        return self.ok

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def by_rule(self, *rules: str) -> list[Finding]:
        return [f for f in self.findings if f.rule in rules]

    def at_least(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if _RANK[f.severity] <= _RANK[severity]]

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings = sorted([*self.findings, *findings], key=Finding.sort_key)

    def __str__(self) -> str:
        from .reporters import render_text

        return render_text(self)

    # Outside an HTML front end (a terminal, nbconvert --to markdown) the text report reads best.
    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html  # only for a notebook's display

        status = "✅ passed" if self.ok else "❌ failed"
        head = f"<p><b>{status}</b>: {len(self.errors)} error(s), {len(self.findings)} finding(s)</p>"
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        if not self.findings:
            return head + notes
        rows = []
        for f in self.findings:
            mark = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}[f.severity]
            rows.append(
                "<tr>"
                f"<td style='{_CELL};white-space:nowrap'>{mark} {f.severity}</td>"
                f"<td style='{_CELL}'><code style='{_WORDS}'>{html.escape(f.location)}</code></td>"
                f"<td style='{_CELL}'>{html.escape(f.message)}<br>"
                f"<small>[{html.escape(f.rule)}]</small></td>"
                f"<td style='{_CELL}'><pre style='{_CODE}'>{html.escape(f.hint)}</pre></td>"
                f"<td style='{_CELL}'>{_docs_links(f.docs)}</td>"
                "</tr>"
            )
        header = "".join(f"<th style='{_CELL}'>{name}</th>"
                         for name in ("status", "where", "what", "how to fix", "learn"))
        table = (f"<table style='{_TABLE}'><thead><tr>{header}</tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>")
        return head + notes + table


# Inline styles, so the table reads the same in JupyterLab, Notebook 7, exported HTML and
# nbgrader's feedback: those style tables right-aligned and centred vertically, and break
# <pre> text anywhere (JupyterLab's `word-break: break-all`). Longhand properties only: the
# sanitizer of an untrusted notebook's outputs keeps those and drops shorthands.
_TABLE = "table-layout:auto;border-collapse:collapse;margin-left:0;margin-right:0"
_WORDS = "word-break:normal;overflow-wrap:break-word"
_CELL = f"text-align:left;vertical-align:top;{_WORDS};padding-top:4px;padding-bottom:4px"
_CODE = (f"margin-top:0;margin-bottom:0;text-align:left;white-space:pre-wrap;{_WORDS};"
         "font-family:monospace")


def _docs_links(docs: str) -> str:
    """The checkout's page first (it opens offline, in JupyterLab), then the web address."""
    import html

    from .links import local_link

    web = f"<a href='{html.escape(docs, quote=True)}' target='_blank' rel='noopener'>web</a>"
    local = local_link(docs)
    if local is None:
        return web.replace(">web<", ">docs<")
    return f"<a href='{html.escape(local, quote=True)}'>docs</a> · {web}"
