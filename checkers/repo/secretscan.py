"""Finding secret values in text: detect-secrets' maintained patterns plus Azure's own formats.

We use detect-secrets' regular expressions (its ``RegexBasedDetector`` plugins) rather than its
line-by-line scanner: one pass of each pattern over a whole file is fast enough for history
scans. Azure connection strings, service-principal JSON and Entra client secrets are added here
because they are what ML projects on Azure leak. A line with ``pragma: allowlist secret`` (the
detect-secrets convention) is skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ALLOWLIST = "pragma: allowlist secret"
# detect-secrets plugins whose patterns are precise enough to report as errors.
DETECT_SECRETS_PLUGINS = (
    "ArtifactoryDetector", "AWSKeyDetector", "AzureStorageKeyDetector", "BasicAuthDetector",
    "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector", "JwtTokenDetector",
    "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector",
    "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SquareOAuthDetector",
    "StripeDetector", "TelegramBotTokenDetector", "TwilioKeyDetector",
)
_PLACEHOLDER = re.compile(
    r"^(?:x+|\*+|\.+|<.*>|\{.*\}|\$.*|%.*%|your[-_].*|changeme|change[-_]?me.*|replace[-_]?me.*|"
    r"example.*|dummy.*|sample.*|"
    r"placeholder|redacted|secret|password|none|null|todo|fake.*|test.*)$", re.I)
AZURE_PATTERNS = (
    ("Azure storage connection string",
     re.compile(r"DefaultEndpointsProtocol=https?;[^\s\"']*?AccountKey=(?P<value>[A-Za-z0-9+/=]{20,})")),
    ("Azure storage account key", re.compile(r"AccountKey=(?P<value>[A-Za-z0-9+/=]{20,})")),
    ("Azure Service Bus / Event Hubs key",
     re.compile(r"SharedAccessKey=(?P<value>[A-Za-z0-9+/=]{20,})")),
    ("Azure SAS token signature", re.compile(r"[?&]sig=(?P<value>[A-Za-z0-9%+/=]{30,})")),
    ("Azure Entra client secret",
     re.compile(r"(?<![A-Za-z0-9_~.-])(?P<value>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])")),
    ("Azure service principal JSON (clientSecret)",
     re.compile(r"\"clientSecret\"\s*:\s*\"(?P<value>[^\"\s]{8,})\"")),
)
KEYWORD = re.compile(
    r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|client[_-]?secret|auth[_-]?token|"
    r"access[_-]?token|account[_-]?key|private[_-]?key)\w*[\"']?\s*[:=]\s*(?P<q>[\"'])(?P<value>[^\"'\s]{8,})(?P=q)")

# KEY=value lines of .env files and shell scripts, unquoted.
ENV_ASSIGNMENT = re.compile(
    r"(?m)^[ \t]*(?:export[ \t]+)?[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|API_KEY|ACCESS_KEY|ACCOUNT_KEY|"
    r"TOKEN|PRIVATE_KEY)[A-Za-z0-9_]*[ \t]*=[ \t]*(?P<value>[^\s\"'#$]{8,})")


@dataclass(frozen=True)
class SecretHit:
    kind: str
    line: int
    column: int
    value: str

    @property
    def masked(self) -> str:
        # A private key's header is not secret; showing it tells the reader what leaked.
        return self.value if self.kind == "Private Key" else mask(self.value)


def mask(value: str) -> str:
    """Enough to recognise which secret it is, never enough to use it."""
    if len(value) < 12:
        return "*" * 8
    return f"{value[:4]}{'*' * 8}{value[-2:]} ({len(value)} chars)"


@lru_cache(maxsize=1)
def patterns() -> tuple[tuple[str, re.Pattern], ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    found = []
    for secret_type, cls in get_mapping_from_secret_type_to_class().items():
        if cls.__name__ in DETECT_SECRETS_PLUGINS:
            found.extend((secret_type, rx) for rx in cls.denylist)
    return (*AZURE_PATTERNS, *found, ("hard-coded credential", KEYWORD),
            ("hard-coded credential", ENV_ASSIGNMENT))


# Cheap first pass: a file with none of these substrings cannot match any pattern above.
_PREFILTER = re.compile(
    r"(?i)key|secret|token|passw|pwd|sig=|BEGIN|AKIA|ASIA|ghp_|gho_|ghs_|ghu_|github_pat|glpat|"
    r"xox|sk_live|rk_live|sq0|SG\.|eyJ|://[^/\s:@]+:[^/\s@]+@|Q~|AKC|AP[0-9A-F]|npm_|pypi-|"
    r"sk-|-us|gl[a-z]+-|GR1348941|ghr_|ABIA|ACCA|A3T|"
    r"[0-9]{8,10}:|SK[0-9a-f]{32}|AC[a-z0-9]{32}|[MNO][A-Za-z\d_-]{23,25}\.")


# The same test as _PREFILTER, fast: on ASCII text ``(?i)`` matching is plain matching of the
# lower-cased text, so the literals become substring tests and the rest loses its ``(?i)``
# (Python's ``re`` cannot skip ahead in an alternation or under ``(?i)``; it tries every
# position). Lookbehinds stand for the leading repetitions so that each search starts at a
# literal. Text that is not ASCII goes through _PREFILTER itself.
_PREFILTER_WORDS = ("key", "secret", "token", "passw", "pwd", "sig=", "begin", "akia", "asia",
                    "ghp_", "gho_", "ghs_", "ghu_", "github_pat", "glpat", "xox", "sk_live",
                    "rk_live", "sq0", "sg.", "eyj", "q~", "akc", "npm_", "pypi-", "sk-", "-us",
                    "gr1348941", "ghr_", "abia", "acca", "a3t")
_PREFILTER_LOWER = tuple(re.compile(p) for p in (
    r"://[^/\s:@]+:[^/\s@]+@", r"ap[0-9a-f]", r":(?<=[0-9]{8}:)", r"sk[0-9a-f]{32}",
    r"ac[a-z0-9]{32}", r"\.(?<=[mno][a-z\d_-]{23}\.)", r"\.(?<=[mno][a-z\d_-]{24}\.)",
    r"\.(?<=[mno][a-z\d_-]{25}\.)", r"-(?<=gl[a-z]{2}-)", r"-(?<=gl[a-z]{3}-)",
    r"-(?<=gl[a-z]{4}-)", r"-(?<=gl[a-z]{5}-)", r"-(?<=gl[a-z]{6}-)"))


def _prefilter(text: str) -> bool:
    if not text.isascii():
        return _PREFILTER.search(text) is not None
    low = text.lower()
    return any(w in low for w in _PREFILTER_WORDS) or any(rx.search(low) for rx in _PREFILTER_LOWER)


def _any_in(words: tuple[str, ...], lower: bool = False):
    """A gate: True when ``text`` holds one of ``words`` (ASCII-case-insensitively if ``lower``)."""
    if not lower:
        return lambda text, low: any(w in text for w in words)
    # (?i) patterns: only ASCII text is gated (low is None otherwise, and the pattern runs).
    return lambda text, low: low is None or any(w in low for w in words)


def _search(pattern: str):
    rx = re.compile(pattern)
    return lambda text, low: rx.search(text) is not None


# Necessary conditions of the patterns that have no literal prefix for ``re`` to search for
# (the others are fast as they are): a pattern whose gate is False cannot match, so it is not
# run. Keyed by the exact pattern text; a pattern that changes loses its gate, never a finding.
_GATES = {
    AZURE_PATTERNS[3][1].pattern: _any_in(("sig=",)),
    AZURE_PATTERNS[4][1].pattern: _any_in(("Q~",)),
    KEYWORD.pattern: _any_in(("passw", "pwd", "secret", "api", "access", "client", "auth",
                              "account", "private"), lower=True),
    ENV_ASSIGNMENT.pattern: _any_in(("PASSW", "SECRET", "API_KEY", "ACCESS_KEY", "ACCOUNT_KEY",
                                     "TOKEN", "PRIVATE_KEY")),
    # detect-secrets 1.5.0
    r'(?:\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}(?:\s|"|$)': _any_in(("AKC",)),
    r'(?:\s|=|:|"|^)AP[\dABCDEF][a-zA-Z0-9]{8,}(?:\s|"|$)': _any_in(("AP",)),
    r'aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\'\"]([0-9a-zA-Z/+]{40})[\'\"]':
        _any_in(("aws",), lower=True),
    r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}":
        _search(r"\.(?<=[a-zA-Z\d_-]{23}\.)"),
    r"[0-9a-z]{32}-us[0-9]{1,2}": _any_in(("-us",)),
    r"xox(?:a|b|p|o|s|r)-(?:\d+-)+[a-z0-9]+": _any_in(("xox",), lower=True),
    r"https://hooks\.slack\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+":
        _any_in(("hooks.slack.com",), lower=True),
    r"(?:r|s)k_live_[0-9a-zA-Z]{24}": _any_in(("k_live_",)),
    r"\d{8,10}:[0-9A-Za-z_-]{35}": _search(r":(?<=\d{8}:)"),
}


def scan_text(text: str) -> list[SecretHit]:
    """Secrets in ``text``: one hit per line and position, the most specific kind first."""
    if not _prefilter(text):
        return []
    hits: dict[tuple[int, int], SecretHit] = {}
    lines_hit: set[int] = set()
    line_starts = None
    low = text.lower() if text.isascii() else None
    for kind, rx in patterns():
        gate = _GATES.get(rx.pattern)
        if gate is not None and not gate(text, low):
            continue
        for match in rx.finditer(text):
            value = match.groupdict().get("value") or match.group(0)
            if rx in (KEYWORD, ENV_ASSIGNMENT) and (_PLACEHOLDER.match(value) or "${" in value):
                continue
            start = match.start("value") if "value" in rx.groupindex else match.start()
            if line_starts is None:
                line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
            line = _bisect(line_starts, start)
            if line in lines_hit:
                continue  # the more specific pattern on this line already reported it
            end = text.find("\n", start)
            if ALLOWLIST in text[line_starts[line - 1]: end if end >= 0 else len(text)]:
                continue
            lines_hit.add(line)
            hits[(line, start)] = SecretHit(kind, line, start - line_starts[line - 1] + 1, value)
    return sorted(hits.values(), key=lambda h: (h.line, h.column))


def _bisect(starts: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(starts, offset)
