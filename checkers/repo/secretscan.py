"""Finding secret values in text: gitleaks' rule set plus the formats ML projects on Azure leak.

The rules are gitleaks' own (``gitleaks.py`` reads the vendored ``gitleaks.toml``), applied with
its semantics. Added here: Azure connection strings, account and Service Bus keys, SAS
signatures, service-principal JSON, ``kaggle.json``, credentials in URLs, and literal
``password = "..."`` / ``AZURE_OPENAI_KEY=...`` assignments. Every candidate value is then
judged as a value, not by its name alone: placeholders (``<...>``, ``${VAR}``, ``{{VAR}}``,
``your-client-secret``), code (``self.password``, ``ARGS.APP_SECRET``, ``api_key``), publicly
documented development keys (the Azurite emulator's) and credentials for ``localhost`` are not
secrets. A line with ``pragma: allowlist secret`` (detect-secrets) or ``gitleaks:allow`` is skipped.
"""
from __future__ import annotations

import base64
import bisect
import re
from functools import lru_cache

from .. import regexcache
from ..records import Record
from . import gitleaks

ALLOWLIST = "pragma: allowlist secret"
ALLOW_MARKERS = (ALLOWLIST, "gitleaks:allow")

# Values that stand for a secret rather than being one.
_PLACEHOLDER = regexcache.compile(
    r"(?i)^(?:x{3,}.*|.*x{6,}.*|\*{3,}.*|\.{3,}|<[^>]*>?|\[[^\]]*\]|\{\{.*\}\}|\{[^{}]*\}|%\(\w+\)s|\$\{.*\}?|\$\(.*\)|\$[A-Za-z_]\w*|"
    r"%[A-Za-z_]+%|@[A-Za-z_]+@|your.*|(?:my|the|insert|enter|put|add|replace|change|set)[-_ ].*|"
    r".*(?:change[-_]?me|replace[-_]?me|placeholder|redacted|example|dummy|sample|fake|"
    r"not[-_]?a[-_]?(?:real|secret)|todo|fixme|secret[-_]?here|key[-_]?here|token[-_]?here).*|"
    r"test.*|none|null|nil|true|false|undefined|secret|password|passwd)$")
# Code, not a value: `self.password`, `ARGS.APP_SECRET`, `os.environ["X"]`, `get_key()`, `api_key`.
_CODE = regexcache.compile(r"^(?:[A-Za-z_][\w-]*(?:\.[A-Za-z_]\w*)+(?:\(.*\))?|[A-Za-z_]\w*\(.*\)?|[A-Za-z_-]+|"
                   r"[A-Za-z_]\w*\[.*\]?)$")
# `key: Vec<u32>,` in a Rust struct, `token: Option<String>`: a field's type, not its value
_GENERIC_TYPE = regexcache.compile(r"[A-Za-z_][\w:.]*<[\w:.<>, &'\[\]]+>")
# Keys that vendors publish for local development: the Azurite storage emulator and AWS's
# documentation examples.
PUBLIC_KEYS = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    # the example tokens of the OAuth RFCs (5849, 6749, 6750), quoted by every OAuth library
    "2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "h480djs93hd8", "0685bd9184jfhq22",
    "ad180jjd733klru7", "kd94hf93k423kf44", "dj201hfh", "mF_9.B5f-4.1JqM", "SplxlOBeZQQYbYS6WxSbIA",
    "8xLOxBtZp8", "hh5s93j4hdidpola", "pfkkdhi9sl3r4s00", "nnch734d00sl2jdk", "chapoH",
)
# Where a name=value pair is an illustration, not a credential: documentation pages (a config
# example in docs/), and test files for URLs with credentials (`http://user:pass@host`).
DOC_SUFFIXES = (".rst", ".md", ".adoc", ".txt", ".html", ".htm", ".tex")
DOC_DIRS = {"docs", "doc", "documentation", "_templates", "examples-docs"}
TEST_DIRS = {"tests", "test", "testing", "testdata", "fixtures"}
NAME_BASED = {"hard-coded credential", "API key or token", "credentials in a URL"}
_LOCAL_HOST = regexcache.compile(r"(?i)^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|[\w.-]*example\.(?:com|org|net)|"
                         r"[\w.-]*\.(?:test|example|invalid|local|localhost)|host|hostname|server|db|database|"
                         r"postgres|mysql|redis|mongo|mongodb|rabbitmq|minio|testserver)(?::\d+)?$")


class SecretHit(Record):
    """A value the scanner reports (a frozen record: see :mod:`checkers.records`; the workflow
    checker imports this module, and ``dataclasses`` would cost it more than a scan)."""

    FIELDS = ("kind", "line", "column", "value", "rule", "bare")

    def __init__(self, kind: str, line: int, column: int, value: str, rule: str = "",
                 bare: bool = False) -> None:
        # rule: the gitleaks rule id, or "" for the rules of this module. bare: a name-based
        # hit whose value is an unquoted name (`Qwen3ForCausalLM`, `key_columns`): a literal in
        # a config file, but a reference in code (see dismissed_for_path)
        self._set(kind, line, column, value, rule, bare)

    def at(self, line: int) -> "SecretHit":
        """The same hit on another line (mapped from a batch back to its file)."""
        return SecretHit(self.kind, line, self.column, self.value, self.rule, self.bare)

    @property
    def masked(self) -> str:
        # A private key's header is not secret; showing it tells the reader what leaked.
        return self.value if self.kind == "Private Key" else mask(self.value)


def mask(value: str) -> str:
    """Enough to recognise which secret it is, never enough to use it."""
    if len(value) < 12:
        return "*" * 8
    return f"{value[:4]}{'*' * 8}{value[-2:]} ({len(value)} chars)"


class OwnRule(Record):
    """kind; source: the pattern, compiled on first use (most texts wake no rule); keywords:
    lower case, the rule runs only when one is in the text; judge: the value must also look
    like a value (not code, not a placeholder); gated: run only near its keywords (a pattern
    with no literal to search for)."""

    FIELDS = ("kind", "source", "keywords", "judge", "gated")

    def __init__(self, kind: str, source: str, keywords: tuple[str, ...], judge: bool = True,
                 gated: bool = False) -> None:
        self._set(kind, source, keywords, judge, gated)

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.source)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return regexcache.compile(pattern)


_KEYWORD_NAMES = (r"password|passwd|pwd|secret|api[_-]?key|access[_-]?key|client[_-]?secret|auth[_-]?token|"
                  r"access[_-]?token|account[_-]?key|private[_-]?key|secret[_-]?key|openai[_-]?key|"
                  r"kaggle[_-]?key|hf[_-]?token|huggingface[_-]?token|wandb[_-]?api[_-]?key|aws_secret_access_key")
OWN_RULES = (
    OwnRule("Private Key", (
        r"(?P<value>-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)[ \t]*(?:\\r)?(?:\\n|\r?\n)"
        r"(?:Proc-Type:|[ \t\"']*[A-Za-z0-9+/=]{16})"), ("private key",), judge=False),
    OwnRule("Private Key", r"(?P<putty>PuTTY-User-Key-File-\d: ssh-[\w-]+)",
            ("putty",), judge=False),
    OwnRule("Azure storage connection string", (
        r"DefaultEndpointsProtocol=https?;[^\s\"']*?AccountKey=(?P<value>[A-Za-z0-9+/=]{20,})"),
        ("accountkey=",), judge=False),
    OwnRule("Azure storage account key", r"AccountKey=(?P<value>[A-Za-z0-9+/=]{20,})",
            ("accountkey=",), judge=False),
    OwnRule("Azure Service Bus / Event Hubs key",
            r"SharedAccessKey=(?P<value>[A-Za-z0-9+/=]{20,})", ("sharedaccesskey=",),
            judge=False),
    OwnRule("Azure SAS token signature",
            r"[?&]sig=(?P<value>[A-Za-z0-9%+/=]{30,})", ("sig=",)),
    OwnRule("Azure service principal JSON (clientSecret)",
            r"\"clientSecret\"\s*:\s*\"(?P<value>[^\"\s]{8,})\"", ("clientsecret",)),
    OwnRule("Kaggle API key (kaggle.json)", (
        r"\"key\"\s*:\s*\"(?P<value>[0-9a-f]{32})\"(?=[^{}]*\"username\")|"
        r"\"username\"\s*:\s*\"[^\"]*\"\s*,\s*\"key\"\s*:\s*\"(?P<value2>[0-9a-f]{32})\""),
        ("username",), judge=False),
    OwnRule("credentials in a URL", (
        r"(?i)\b[a-z][a-z0-9+.-]{1,20}://(?P<user>[^:/\s@'\"`]{1,64}):(?P<value>[^:/\s@'\"`]{6,})@"
        r"(?P<host>[^/\s:'\"`?#]+(?::\d+)?)"), ("://",), gated=True),
    # `password = "..."`, `"api_key": "..."`: quoted values of the names that mean a secret.
    OwnRule("hard-coded credential", (
        r"(?i)\b(?:" + _KEYWORD_NAMES + r")\w*[\"']?\s*(?::=|[:=]|=>)\s*[rbf]?(?P<q>[\"'])"
        r"(?P<value>[^\"'\s]{8,})(?P=q)"),
        ("passw", "pwd", "secret", "key", "token"), gated=True),
    # `password: hunter2hunter2` (YAML, INI, properties) and `AZURE_OPENAI_KEY=...` (.env, shell).
    OwnRule("hard-coded credential", (
        r"(?im)^[ \t]*(?:export[ \t]+|-[ \t]+)?[\"']?(?:[A-Za-z0-9_.-]*[_.-])?(?:" + _KEYWORD_NAMES +
        r"|token|key)[\"']?[ \t]*[:=][ \t]*"
        r"(?P<value>[^\s\"'#$<{()\[\]][^\s\"'#()\[\]]{6,}[^\s\"'#()\[\],;])[,;]?[ \t]*(?:#.*)?$"),
        ("passw", "pwd", "secret", "key", "token"), gated=True),
)


_PATH = regexcache.compile(r"(?:~|\.{0,2})/(?:[a-z0-9_.-]+/)*[\w.-]+")
_FAKE_RUN = regexcache.compile(r"(?i)0123456|1234567|abcdefg|(.)\1{5}|^(?=.{0,15}$).*(?:asdf|qwer|1234)")


def is_doc_path(path: str) -> bool:
    parts = path.lower().split("/")
    return parts[-1].endswith(DOC_SUFFIXES) or any(p in DOC_DIRS for p in parts[:-1])


def is_test_path(path: str) -> bool:
    parts = path.lower().split("/")
    name = parts[-1]
    return any(p in TEST_DIRS for p in parts[:-1]) or name.startswith("test_") \
        or name.endswith(("_test.py", "_tests.py", "_test.go")) or name in {"tests.py", "conftest.py"} \
        or bool(re.search(r"\.(?:test|spec)\.[jt]sx?$", name))


# Source files, where a secret is a string literal and an unquoted word is a name in the code
CODE_SUFFIXES = (".py", ".pyi", ".ipynb", ".go", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs",
                 ".java", ".kt", ".scala", ".rs", ".rb", ".cs", ".c", ".h", ".cc", ".cpp", ".hpp",
                 ".swift", ".php", ".r", ".jl", ".lua")


def dismissed_for_path(hit: "SecretHit", path: str | None) -> bool:
    """A finding of a name-based rule that the file it is in shows to be an illustration, or
    to be code: `from transformers import Qwen2TokenizerFast, Qwen3ForCausalLM` in a ``.py``."""
    if path is not None and hit.kind == "JSON Web Token" and is_doc_path(path) \
            and _expired_jwt(hit.value):
        return True  # a documentation page's request transcript, its token long expired
    if path is None or hit.kind not in NAME_BASED:
        return False
    if is_doc_path(path):
        return True
    if hit.bare and path.lower().endswith(CODE_SUFFIXES):
        return True
    return hit.kind == "credentials in a URL" and is_test_path(path)


def severity_for_path(hit: "SecretHit", path: str | None) -> str | None:
    """``"warning"`` for a name-based hit (``access_token = "..."``) or a private key in a test
    file: tests are full of made-up credentials and key fixtures for the code they test. A
    token of a service's own format (``hf_...``, ``AKIA...``, ``ghp_...``) stays an error there."""
    if path is not None and (hit.kind in NAME_BASED or hit.kind == "Private Key") and is_test_path(path):
        return "warning"  # a key in a test is a fixture, as a key file under tests/ is (tracked-secret-file)
    return None


def _jwt_header(segment: str) -> bool:
    import base64
    import binascii

    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return False
    return data.startswith(b"{") and data.rstrip().endswith(b"}") and b'"alg"' in data


def _encoded_placeholder(v: str) -> bool:
    """A short base64 value that decodes to a placeholder (``cGFzc3dvcmQ=`` is ``password``):
    a Kubernetes Secret's ``data:`` or a test's credentials file holds values encoded."""
    if not 4 <= len(v) <= 32 or len(v) % 4:
        return False
    try:
        plain = base64.b64decode(v, validate=True).decode("ascii").strip()
    except (ValueError, UnicodeError):
        return False
    return plain.isprintable() and (not plain or bool(_PLACEHOLDER.match(plain))
                                    or len(set(plain.replace("-", ""))) <= 3
                                    or plain.lower() in _PLACEHOLDER_WORDS)


# what a test or a sample writes where a real value would go
_PLACEHOLDER_WORDS = {"user", "username", "admin", "pass", "pwd", "root", "guest", "demo",
                      "1234", "12345", "123456", "abc", "abc123", "foo", "bar", "baz", "qwerty"}


def _judged_as_code_or_placeholder(value: str) -> bool:
    v = value.strip().strip("\"'`")
    if _encoded_placeholder(v):
        return True
    if len(v) >= 16 and any(v in k for k in PUBLIC_KEYS):
        return True
    if v in PUBLIC_KEYS or _FAKE_RUN.search(v) or "://" in v or _PATH.fullmatch(v):
        return True
    if _PLACEHOLDER.match(v) or "${" in v or "{{" in v or v.startswith(("$", "%(", "<")):
        return True
    if _CODE.match(v) or _GENERIC_TYPE.fullmatch(v):
        return True
    if re.fullmatch(r"eyJ[A-Za-z0-9_-]*={0,2}\.?", v) and _jwt_header(v.rstrip(".")):
        return True  # a JWT's header alone ({"alg": ...}): a token has three parts
    return len(set(v)) <= 3  # 00000000, abababab


# An unquoted name: `Qwen3ForCausalLM` after `from transformers import Qwen2TokenizerFast,`,
# `key_columns=key_columns`, `allow_internal_secrets=True`
_BARE_NAME = regexcache.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:=[A-Za-z_][A-Za-z0-9_]*)?$")
# A filler run no generated token has: `T00000000/B00000000/XXXXXXXXXXXXXXXX`, `1111111111`
_FILLER = regexcache.compile(r"(.)\1{7}")
_VERSION_OR_PIN = regexcache.compile(r"[A-Za-z][\w.-]*(?:-v?\d+(?:\.\d+)+|(?:==|>=|<=|~=|!=)\d[\w.*]*)")
# Words joined by `_` or `/`, each segment a word with at most one run of digits: an identifier,
# an environment variable's name or a path (`expected_v3io_framesd`, `V3IO_FRAMESD`,
# `kaufmann_2020_deepvess`, `invalid/secret/key`), never a generated key's randomness
_SEGMENT = r"(?:[a-z]+\d*[a-z]*|\d+)"
_NAME_LIKE = regexcache.compile(rf"(?:{_SEGMENT}(?:[_/]{_SEGMENT})+|{_SEGMENT.replace('a-z', 'A-Z')}"
                        rf"(?:[_/]{_SEGMENT.replace('a-z', 'A-Z')})+|"
                        # kebab-case words: a storage key's or a cookie's name
                        # (`prefect-v2-promo-dismissed`), at least three words
                        rf"[a-z]+(?:-{_SEGMENT}){{2,}})")


def _documentation_jwt(value: str) -> bool:
    """The example token of jwt.io and RFC-style docs: claims ``sub`` 1234567890, John Doe."""
    import base64
    import binascii

    parts = value.split(".")
    if len(parts) < 2:
        return False
    try:
        claims = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
    except (binascii.Error, ValueError):
        return False
    return b'"sub":"1234567890"' in claims.replace(b" ", b"") and b"John Doe" in claims


def _expired_jwt(value: str) -> bool:
    """A token whose ``exp`` claim is past: no server accepts it any more. Documentation
    pages quote such tokens in the requests they show (a ``curl -v`` transcript's
    ``Authorization: Bearer eyJ...``)."""
    import json
    import time

    parts = value.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeError):
        return False
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp < time.time()


def _looks_like_a_name(value: str) -> bool:
    """An identifier made of words (``Qwen3ForCausalLM``, ``prompt_weights_2``, ``MYKEY123``),
    not a generated key that happens to be identifier-shaped (32 hex digits, ``Zx81kQp2Lm7R``):
    each part switches between letters and digits at most twice and never alternates case."""
    if not _BARE_NAME.match(value):
        return False
    for part in re.split(r"[_=]", value):
        if len(re.findall(r"(?<=[A-Za-z])\d|(?<=\d)[A-Za-z]", part)) > 2 \
                or re.search(r"[A-Z][a-z][A-Z][a-z][A-Z]|[a-z][A-Z][a-z][A-Z][a-z]", part):
            return False
    return True


def _public(value: str) -> bool:
    return value in PUBLIC_KEYS or (len(value) >= 16 and any(value in k for k in PUBLIC_KEYS))


# `openapi_spec_hash: 9270...`: a digest of something public, named as such
_DIGEST_NAME = regexcache.compile(r"(?i)(?:hash|checksum|digest|sha\d*|md5|fingerprint|etag)[\"'`]?\s*"
                          r"(?::=|=>|[:=,])[\s\"'`]*[rbf]?[\"'`]?$")
# `...x-amz-security-token, Signature=dc20...`: the name-based pattern stepped over a comma into
# the next field, whose own name (an AWS SigV4 request signature) does not mean a secret
_NEXT_FIELD = regexcache.compile(r"^([A-Za-z][\w-]*)=(?!=)")
_SECRET_WORD = regexcache.compile(r"(?i)key|secret|token|passw|pwd|auth|credential")
# `citation_key: shit_2021_cldice`, `sort_key=...`, `API_KEY_REGEX = r"..."`: keys of a table, an
# index or a bibliography, names of what describes a secret (its pattern, its variable) and
# of the vault that keeps them
_OTHER_KEY = regexcache.compile(
    r"(?i)(?:(?:citation|cite|bib(?:tex)?|sort|foreign|partition|cluster(?:ing)?|cache|"
    r"lookup|group(?:ing)?|dedupe?|idempotency|routing|shard|row|column|dict|map|index|object|hot|"
    r"timestamp|join|merge|entity|unique|composite|i18n|translation|message)[ _.-]?keys?"
    r"|(?:key|token|secret|passw(?:or)?d)[_.-]?(?:regexp?|pattern|re|format|fmt|prefix|"
    r"env(?:_?var)?|var(?:iable)?|name|header|field|type|len(?:gth)?)"
    # an Azure Key Vault's name or address: `"KEYVAULT": "akvamlmlopsdstk011"`
    r"|key[_.-]?vault(?:[_.-]?(?:name|id|uri|url))?)"
    r"[\"'`]?\s*(?::=|=>|[:=,])[\s\"'`]*[rbf]?[\"'`]?$")


def _named_as_other(match: re.Match, value: str, name_based: bool) -> bool:
    """A name=value match whose value is named a digest, computed by an f-string, or is the next
    field of a list (``Signature=...`` after ``...-token,``), not a secret's value."""
    if not name_based:
        return False
    whole = match.group(0)
    at = whole.rfind(value)
    head = whole[:at] if at >= 0 else whole
    if _DIGEST_NAME.search(head) or _OTHER_KEY.search(head):
        return True
    if re.search(r"[fF][\"']$", head) and re.search(r"\{[^{}]+\}", value):
        return True  # Python f-string: the value is built at run time
    inner = _NEXT_FIELD.match(value)
    return bool(inner and not _SECRET_WORD.search(inner.group(1)))


# Keys that their vendor publishes for client-side code: a PostHog project key (`phc_...`) only
# sends events, and PostHog's documentation says it is safe to embed in public apps.
_PUBLIC_BY_DESIGN = regexcache.compile(r"phc_[A-Za-z0-9]{30,}")
# A Segment source's write key only sends events, and Segment documents it as public (its
# browser library is loaded with it in every page's source: segmentio/segment-docs#1035).
_WRITE_KEY_NAME = regexcache.compile(r"(?i)segment[\w.-]*?write[_-]?key[\"']?\s*[:=]\s*[\"']?$")
# An access key ID inside a pre-signed URL (`X-Amz-Credential=AKIA.../s3/aws4_request`): the ID
# is not the secret, and a pre-signed URL is made to be shared until it expires.
_PRESIGNED = regexcache.compile(r"(?i)(?:X-Amz-Credential|AWSAccessKeyId)=$")
# `sha256:` then `archive.zip: bba1cf...`: a file's checksum, keyed by the file's name
_FILE_KEY = regexcache.compile(r"(?i)[\w.-]+\.(?:zip|gz|tgz|tar|bz2|xz|zst|7z|csv|tsv|jsonl?|parquet|"
                               r"txt|bin|pt|pth|pkl|h5|onnx|safetensors|npz|npy|whl|exe|jar|so|dll|"
                               r"dylib|msi|dmg|deb|rpm|iso|img)[\"']?\s*[:=]\s*[\"']?$")
_HEX_DIGEST = regexcache.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|"
                                 r"[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")
# `For example, ``key='thisisakey123'``` in a docstring or comment: an illustration
_EXAMPLE_LINE = regexcache.compile(r"(?i)\bfor example\b|\be\.g\.|\bexample:")


def _before(match: re.Match, value: str) -> str:
    """The text just before ``value`` (at most 60 characters of it)."""
    at = match.group(0).find(value)
    start = match.start() + (at if at >= 0 else 0)
    return match.string[max(0, start - 60):start]


def _public_by_design(kind: str, match: re.Match, value: str) -> bool:
    v = value.strip("\"'`")
    if _PUBLIC_BY_DESIGN.fullmatch(v):
        return True
    if kind in NAME_BASED and _WRITE_KEY_NAME.search(_before(match, value)):
        return True
    if v.startswith(("AKIA", "ASIA")) and _PRESIGNED.search(_before(match, value)):
        return True
    if kind in NAME_BASED and _HEX_DIGEST.fullmatch(v) and _FILE_KEY.search(_before(match, value)):
        return True
    return kind in NAME_BASED and bool(_EXAMPLE_LINE.search(_line_of(match)))


def _line_of(match: re.Match) -> str:
    text = match.string
    end = text.find("\n", match.end())
    return text[text.rfind("\n", 0, match.start()) + 1:end if end >= 0 else len(text)]


def _expired_sas(match: re.Match) -> bool:
    """A SAS URL whose ``se=`` (signed expiry) is past: Azure Storage refuses it."""
    text = match.string
    rest = _URL_REST.match(text, match.end())
    url = text[text.rfind("?", 0, match.start() + 1):rest.end() if rest else match.end()]
    expiry = _SAS_EXPIRY.search(url)
    if not expiry:
        return False
    import datetime

    try:
        at = datetime.datetime.strptime(expiry.group(1).replace("%3A", ":").replace("%3a", ":")[:19],
                                        "%Y-%m-%dT%H:%M:%S" if "T" in expiry.group(1) else "%Y-%m-%d")
    except ValueError:
        return False
    return at < datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


_URL_REST = regexcache.compile(r"[^\s\"'<>\\]{0,4000}")
_SAS_EXPIRY = regexcache.compile(r"[?&]se=(\d{4}-\d{2}-\d{2}(?:T\d{2}(?:%3[Aa]|:)\d{2}(?:%3[Aa]|:)\d{2})?)")


def _not_a_secret(kind: str, match: re.Match, value: str, judge: bool) -> bool:
    if kind == "Azure SAS token signature" and _expired_sas(match):
        return True  # a notebook's output of an upload years ago: the link no longer works
    if _public(value):
        return True  # a published development key, maybe split over two string literals
    if _public_by_design(kind, match, value):
        return True
    if _named_as_other(match, value, kind in NAME_BASED and kind != "credentials in a URL"):
        return True
    if kind in NAME_BASED and _VERSION_OR_PIN.fullmatch(value.strip("\"'`")):
        return True  # `key: tilt-v0.33.11` (a cache key), `# tokenizers: "huggingface-hub==0.8.0"`
    if kind == "API key or token" and _NAME_LIKE.fullmatch(value.strip("\"'`.,;")):
        return True
    if kind == "Curl auth user":
        user, _, password = value.partition(":")
        hosts = [m.group(1) for m in re.finditer(r"://(?:[^@/\s]*@)?([^/\s:'\"]+)", _line_of(match))]
        if user == password or (hosts and all(_LOCAL_HOST.match(h) for h in hosts)):
            return True  # `curl -u admin:admin http://localhost:8090/...`: a local service's default
    if kind == "credentials in a URL":
        host = match.group("host") or ""
        return bool(_LOCAL_HOST.match(host)) or _judged_as_code_or_placeholder(value) \
            or bool(_PLACEHOLDER.match(match.group("user")))
    if judge and _judged_as_code_or_placeholder(value):
        return True
    if kind == "hard-coded credential":
        # the reference's own judgement of name=value pairs: stopwords, `csrf_token`, `key_id` ...
        line = match.string[match.string.rfind("\n", 0, match.start()) + 1:match.end()]
        return any(a.allows(value, match.group(0), line, None) for a in _generic_allowlists())
    return False


@lru_cache(maxsize=1)
def _generic_allowlists():
    ruleset = gitleaks.ruleset()
    generic = next(r for r in ruleset.rules if r.id == "generic-api-key")
    return (*ruleset.allowlists, *generic.allowlists)


# gitleaks rules whose value is judged like ours (their regex keys on a name, not a format).
JUDGED_GITLEAKS = {"generic-api-key", "hashicorp-tf-password", "curl-auth-user",
                   "kubernetes-secret-yaml", "nuget-config-password"}
_LABELS = {
    "aws-access-token": "AWS access key", "github-pat": "GitHub token", "github-oauth": "GitHub token",
    "github-app-token": "GitHub token", "github-fine-grained-pat": "GitHub fine-grained token",
    "gitlab-pat": "GitLab token", "huggingface-access-token": "Hugging Face token",
    "openai-api-key": "OpenAI API key", "jwt": "JSON Web Token", "private-key": "Private Key",
    "azure-ad-client-secret": "Azure Entra client secret", "gcp-api-key": "Google Cloud API key",
    "generic-api-key": "API key or token", "slack-bot-token": "Slack token",
    "anthropic-api-key": "Anthropic API key", "stripe-access-token": "Stripe key",
}


def label(rule_id: str) -> str:
    return _LABELS.get(rule_id) or rule_id.replace("-", " ").capitalize()


def _literal_prefix(pattern: str) -> bool:
    """Whether a pattern starts with a literal of 2+ characters: ``re`` then finds its matches
    fast in any amount of text, and the keyword (usually that literal) need not gate lines."""
    body = re.sub(r"^\(\?[a-z]+\)", "", pattern)
    body = re.sub(r"^(?:\\b|\(\?:|\()+", "", body)
    return re.match(r"(?:[A-Za-z0-9_~-]|\\[.-]){2}", body) is not None


try:
    from re import _parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]


@lru_cache(maxsize=None)
def anchor_of(regex: re.Pattern) -> tuple[str, bool] | None:
    """The literal every match of ``regex`` starts with (2+ characters), and whether its case
    is ignored; None when a match may start otherwise.

    ``re`` looks for a pattern's leading literal fast, but not behind a ``\\b``
    (``\\bcurl\\b...``): it then tries the whole pattern at every position of the text. Trying
    it only where the literal is finds the same matches (``pattern.match(text, i)`` still sees
    the character before ``i`` for ``\\b``)."""
    anchors = anchors_of(regex)
    return (anchors[0][0], anchors[1]) if anchors and len(anchors[0]) == 1 else None


@lru_cache(maxsize=None)
def anchors_of(regex: re.Pattern) -> tuple[tuple[str, ...], bool] | None:
    """Like :func:`anchor_of`, also for a pattern that starts with a choice whose every
    alternative starts with a literal (``(?:\\bkind:...|\\bdata:...)``): one literal each."""
    try:
        parsed = _sre_parse.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - an unreadable pattern is run as it is
        return None
    found = _leading_literals(list(parsed))
    if not found or any(len(f) < 2 for f in found):
        return None
    return tuple(found), bool(parsed.state.flags & re.IGNORECASE)


def _leading_literals(items) -> list[str] | None:
    """Literals such that every match of the parsed ``items`` starts with one of them."""
    chars: list[str] = []
    for op, arg in items:
        if op is _sre_parse.AT and arg is _sre_parse.AT_BOUNDARY:
            continue  # (a condition, no character)
        if op is _sre_parse.LITERAL:
            chars.append(chr(arg))
            continue
        if op is _sre_parse.SUBPATTERN and not arg[1] and not arg[2]:  # (...), no flags
            inner = _leading_literals(list(arg[3]))
            if inner is not None and len(inner) == 1 and all(
                    o in (_sre_parse.LITERAL, _sre_parse.AT) for o, _ in arg[3]):
                chars.append(inner[0])  # all literal: what follows goes on the literal
                continue
            if not chars:
                return inner  # a choice, or a literal and more: the match starts with it
            break
        if op is _sre_parse.BRANCH and not chars:
            found = [_leading_literals(list(alternative)) for alternative in arg[1]]
            if any(f is None for f in found):
                return None
            return [literal for f in found for literal in f]
        break
    return ["".join(chars)] if chars else None


# The only characters besides ASCII letters that `re` matches to an ASCII letter when it ignores
# case (``re._casefix``: dotless i, long s; Kelvin sign, dotted capital I), or whose lower case
# is longer (offsets in ``text.lower()`` would shift).
_CASE_TRAPS = regexcache.compile("[\u0130\u0131\u017f\u212a]")


def lower_keeps_case_matches(text: str, low: str) -> bool:
    """Whether ``low`` (``text.lower()``) holds an ASCII literal exactly where ``re`` matches it
    in ``text`` ignoring case."""
    return text.isascii() or (len(low) == len(text) and _CASE_TRAPS.search(text) is None)


def finditer(regex: re.Pattern, text: str, low: str, case_ok=None):
    """``regex.finditer(text)`` (``low`` is ``text.lower()``), trying the pattern only where its
    leading literal is (one of them, for a choice) when it has one.

    A pattern that ignores case is looked for in ``low``, when :func:`lower_keeps_case_matches`
    (or ``case_ok()``, its answer kept by the caller) says so."""
    anchors = anchors_of(regex)
    if anchors is None or not all(a.isascii() for a in anchors[0]) or (
            anchors[1] and not (case_ok() if case_ok else lower_keeps_case_matches(text, low))):
        yield from regex.finditer(text)
        return
    literals, ignore_case = anchors
    haystack = low if ignore_case else text
    if ignore_case:
        literals = tuple(a.lower() for a in literals)
    places = [haystack.find(a) for a in literals]  # each literal's next place
    while True:
        pos = min((p for p in places if p >= 0), default=-1)
        if pos < 0:
            return
        match = regex.match(text, pos)
        if match:
            yield match
        at = match.end() if match else pos + 1  # non-overlapping, as finditer
        places = [p if p < 0 or p >= at else haystack.find(a, at) for p, a in zip(places, literals)]


@lru_cache(maxsize=None)
def _plan():
    """(rule, how) for every gitleaks rule: "text" runs on the whole text when a keyword is in
    it (the rules that span lines); "lines" runs only on the lines that hold one of its keywords.
    gitleaks gates per file; gating per line keeps a keyword in one file from waking a rule up
    for every 40-hex git object id in the next one, and spares ``re`` the patterns it cannot
    search fast (an alternation or a class first: it tries them at every position)."""
    return tuple((r, "text" if r.multiline or not r.keywords else "lines")
                 for r in gitleaks.ruleset().rules)


@lru_cache(maxsize=1)
def _global_path_allowlist() -> re.Pattern | None:
    patterns = [p for a in gitleaks.ruleset().allowlists for p in a.spec.get("paths", [])]
    return gitleaks._compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@lru_cache(maxsize=1 << 16)  # a history walk asks for every path it ever had, again and again
def path_is_allowed(path: str) -> bool:
    """gitleaks' global path allowlist (lock files, vendored packages, fonts, its own config)."""
    rx = _global_path_allowlist()
    return rx is not None and rx.search(path) is not None


_HUGE_RUN = regexcache.compile(r"[A-Za-z0-9+/=]{4096,}")
_NEWLINE = regexcache.compile("\n")


# every byte of an encoded run as "a", any other as a line break: a run of 4096 is then a
# substring (its characters are ASCII, so the text's UTF-8 holds the same runs)
_RUN_BYTES = bytes(97 if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "+/=") else 10
                   for b in range(256))
_RUN_BYTES_FROM = 1 << 16  # characters in long lines: below, `re` costs less than encoding


def runs_in(data: bytes, least: int = 4096):
    """``(start, end)`` of each run of ``least`` or more characters of an encoded run in
    ``data`` (``_HUGE_RUN``'s matches, for 4096, in bytes): found in C, by ``bytes.find``, where
    ``re`` would read a long run again from each of its characters."""
    marked = data.translate(_RUN_BYTES)
    run = b"a" * least
    found = marked.find(run)
    while found >= 0:  # (the first place of a run this long is where a run starts)
        end = marked.find(b"\n", found)
        if end < 0:
            end = len(marked)
        yield found, end
        found = marked.find(run, end)


def blank_runs(text: str) -> str:
    """``text`` with each encoded run (``_HUGE_RUN``) as as many spaces."""
    if len(text) < _RUN_BYTES_FROM:
        return _HUGE_RUN.sub(lambda m: " " * len(m.group()), text)
    data = text.encode("utf-8", "surrogatepass")
    out = None
    for start, end in runs_in(data):
        out = bytearray(data) if out is None else out
        out[start:end] = b" " * (end - start)  # (ASCII for ASCII: every character stays put)
    return text if out is None else out.decode("utf-8", "surrogatepass")


def _has_huge_run(text: str, starts: list[int]) -> bool:
    """``_HUGE_RUN.search(text)``, looked for only in the lines long enough to hold such a run
    (a line break ends one): ``re`` tries that pattern at every position of a text, a pass that
    costs as much as the keyword search, and almost no line is that long. In a long line
    (minified code, a fixture of JSON on one line) ``re`` still reads every character in
    Python's loop: there the text's bytes, translated (see ``_RUN_BYTES``), are searched in C."""
    ends = starts[1:]
    ends.append(len(text) + 1)
    lines = [(a, b) for a, b in zip(starts, ends) if b - a > 4096]
    if sum(b - a for a, b in lines) > _RUN_BYTES_FROM:
        return b"a" * 4096 in text.encode("utf-8", "surrogatepass").translate(_RUN_BYTES)
    return any(_HUGE_RUN.search(text, a, b) for a, b in lines)
_TOKEN = regexcache.compile(r"[^\s\"'`,;()\[\]{}]+")


@lru_cache(maxsize=1)
def _keywords() -> tuple[frozenset[str], tuple[tuple[str, tuple[bytes, ...]], ...], tuple[bytes, ...], bytes]:
    """Every rule keyword: those a token can hold, and those with a space or quote in them;
    the first ones in bytes, and a ``bytes.translate`` table that turns every byte no such
    keyword holds into a space."""
    words = prefilter_words()
    odd = tuple(w for w in words if _TOKEN.fullmatch(w) is None)
    plain = frozenset(words - set(odd))
    held = {ord(c) for w in plain for c in w}
    table = bytes(b if b in held else 32 for b in range(256))
    # the fragments a text with an odd keyword must hold: "private key" needs "private", "key"
    parts = tuple((w, tuple(w.encode().translate(table).split())) for w in odd)
    return plain, parts, tuple(w.encode() for w in plain), table


@lru_cache(maxsize=1)
def _keyword_set():
    """(RE2 set of every keyword, the keywords in its order), or None without RE2."""
    from . import prefilter

    words = tuple(sorted(prefilter_words()))
    found = prefilter.literal_set(words)
    return None if found is None else (found, words)


def _present_keywords(low: str) -> set[str]:
    """The keywords in ``low`` (lower-cased text). One substring test per keyword over the whole
    text costs a pass of memory each; in a long text the keywords are looked for in its
    distinct fragments instead: the runs of the characters keywords are made of (a keyword
    never holds a quote, a bracket or a comma, so each occurrence lies inside one fragment).
    ``bytes.translate`` and ``split`` find the fragments in C; code repeats its identifiers,
    so the distinct ones are a fraction of the text."""
    words, odd, encoded, table = _keywords()
    if len(low) < 65536:
        return {w for w in words if w in low} | {w for w, _ in odd if w in low}
    every = _keyword_set()
    if every is not None:  # one pass in C (RE2), however many fragments the text has
        found = every[0].Match(low.encode("utf-8", "surrogatepass")) or ()
        return {every[1][i] for i in found}
    fragments = b"\n".join(set(low.encode("utf-8", "surrogatepass").translate(table).split()))
    return {w for w, b in zip(words, encoded) if b in fragments} | {
        w for w, parts in odd if all(p in fragments for p in parts) and w in low}


class _LongLine(Record):
    """A line over 2000 characters of a text that :func:`scan_text` searches around its
    keywords: ``start``, ``end`` (its line break), whether it is ASCII (offsets in its UTF-8
    are offsets in the text), and its UTF-8 once asked for (None when RE2 may not match there
    as ``re`` does: a character they fold differently, a lone surrogate)."""

    FIELDS = ("start", "end", "ascii", "encoded")
    FROZEN = False

    def __init__(self, start: int, end: int) -> None:
        self._set(start, end, False, ())

    @staticmethod
    def all_in(text: str, starts: list[int]) -> list["_LongLine"]:
        ends = [b - 1 for b in starts[1:]] + [len(text)]
        return [_LongLine(a, b) for a, b in zip(starts, ends) if b - a > 2000]

    @staticmethod
    def parts(lines: list["_LongLine"], size: int):
        """``(start, end, line)``: the text cut into its long lines (``line``) and the runs of
        short lines between them (``line`` None), in order."""
        at = 0
        for line in lines:
            if line.start > at:
                yield at, line.start, None
            yield line.start, line.end, line
            at = line.end + 1
        if at < size:
            yield at, size, None

    def data(self, text: str) -> bytes | None:
        if self.encoded == ():
            piece = text[self.start:self.end]
            self.ascii = piece.isascii()
            try:
                self.encoded = piece.encode("utf-8")
            except UnicodeEncodeError:
                self.encoded = None
            if not self.ascii and _CASE_TRAPS.search(piece):
                self.encoded = None
        return self.encoded


@lru_cache(maxsize=None)
def _line_search(pattern: str):
    """``found(data, start, end)``: whether the loosened ``pattern`` (RE2) matches in
    ``data[start:end]`` (UTF-8); None without such a search."""
    from . import prefilter

    search = prefilter.line_search(pattern)
    if search is None:
        return None
    match, unanchored = search.Match, prefilter.re2._Anchor.UNANCHORED
    return lambda data, start, end: match(unanchored, data, start, end)[0][0] >= 0


# A window around a keyword in a long line: characters before it, and after its end
WINDOW_BEFORE, WINDOW_AFTER = 80, 400


def scan_text(text: str, path: str | None = None) -> list[SecretHit]:
    """Secrets in ``text`` (a file at ``path``, if known): one hit per line, most specific first."""
    if path is not None and path_is_allowed(path):
        return []
    # (every change below keeps each character's offset, and so these line starts)
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    if len(text) > 4096 and _has_huge_run(text, starts):
        # Encoded binary (a notebook's image output, an embedded font): no secret is kilobytes
        # of unbroken base64, and patterns such as `ey[a-zA-Z0-9]{17,}\.` would re-read the
        # whole run at each of its candidate starts. Blanked, keeping every offset.
        text = blank_runs(text)
    if "\\" in text:
        # Code inside JSON strings (notebooks): `\"` becomes ` "`, so that patterns see the quote
        # the code has; the length is kept, and so every line and column.
        text = text.replace('\\"', ' "').replace("\\'", " '")
    # offsets in `low` must be offsets in `text`: U+0130 (Turkish dotted I, in BPE vocabularies)
    # is the one character whose lower case is two characters long
    low = text.replace("\u0130", "i").lower()
    present = _present_keywords(low)
    case_known: list[bool] = []

    def case_ok() -> bool:
        if not case_known:
            case_known.append(lower_keeps_case_matches(text, low))
        return case_known[0]

    def has(words) -> bool:
        return not words or any(w in present for w in words)

    hits: dict[int, SecretHit] = {}

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    def line_text(number: int) -> str:
        start = starts[number - 1]
        end = starts[number] - 1 if number < len(starts) else len(text)
        return text[start:end]

    def add(kind: str, value: str, offset: int, rule: str = "") -> None:
        number = line_of(offset)
        if number in hits:
            return  # a more specific rule already reported this line
        if any(m in line_text(number) for m in ALLOW_MARKERS):
            return
        bare = (kind in NAME_BASED and kind != "credentials in a URL" and _looks_like_a_name(value)
                and (offset == 0 or text[offset - 1] not in "\"'`"))
        hits[number] = SecretHit(kind, number, offset - starts[number - 1] + 1, value, rule, bare)

    keyword_spans: dict[tuple[str, int, int], list[tuple[int, int]]] = {}

    def spans_of(word: str, start: int, end: int, long: bool = False) -> list[tuple[int, int]]:
        """Where a rule keyed on ``word`` can match in ``text[start:end]`` (whole lines;
        ``long``: one line over 2000 characters): the line of each occurrence, or, in a long
        line (minified code, a notebook's base64 output), a window around it (a name=value
        pattern reaches 50 characters before its keyword and a few hundred after)."""
        if (word, start, end) not in keyword_spans:
            found, pos = [], low.find(word, start, end)
            before, after = WINDOW_BEFORE, len(word) + WINDOW_AFTER
            if long:  # one long line: windows, clipped to it
                find = low.find
                while pos >= 0:
                    found.append((pos - before if pos - before > start else start,
                                  pos + after if pos + after < end else end))
                    pos = find(word, pos + 1, end)
            while pos >= 0:  # (never after a long line's: its search ended at -1)
                number = bisect.bisect_right(starts, pos)
                line_start = starts[number - 1]
                line_end = starts[number] - 1 if number < len(starts) else len(text)
                if line_end - line_start <= 2000:
                    found.append((line_start, line_end))
                    pos = low.find(word, max(line_end, pos + 1), end)
                else:
                    found.append((max(line_start, pos - before), min(line_end, pos + after)))
                    pos = low.find(word, pos + 1, end)
            keyword_spans[word, start, end] = found
        return keyword_spans[word, start, end]

    long_lines: list[list[_LongLine]] = []  # (found on first need)

    def regions(rule, how):
        """(text to search, offset of its start in ``text``) pieces for one rule."""
        if how == "text" or (len(text) <= 4096 and "\n" not in text):
            yield text, 0
            return
        words = [w for w in rule.keywords if w in present]
        # In a long line every occurrence of a common keyword ("key", "api" in minified code)
        # has its window, and `re` would read the whole line for each rule: a line where the
        # rule's loosened pattern (prefilter.line_search, RE2) does not match cannot hold its
        # match in any window, nor can a window where it does not match (the lines are
        # separate: no window crosses a line break, and no two lines' windows merge).
        if not long_lines:
            long_lines.append(_LongLine.all_in(text, starts) if len(text) > 2000 else [])
        search = _line_search(rule.regex.pattern) if long_lines[0] else None
        parts = ((0, len(text), None),) if search is None else _LongLine.parts(long_lines[0], len(text))
        for start, end, line in parts:
            if line is not None:
                if not any(low.find(w, start, end) >= 0 for w in words):
                    continue
                data = line.data(text)
                if data is not None and not search(data, 0, len(data)):
                    continue
            spans = sorted({s for w in words for s in spans_of(w, start, end, line is not None)})
            merged: list[list[int]] = []
            for a, b in spans:  # overlapping windows merged, so that a match is found once
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            for a, b in merged:
                if line is not None and line.ascii and not search(data, a - start, b - start):
                    continue
                yield text[a:b], a

    for rule in OWN_RULES:
        if not has(rule.keywords):
            continue
        for piece, base in regions(rule, "lines" if rule.gated else "text"):
            for match in (finditer(rule.regex, text, low, case_ok) if piece is text else rule.regex.finditer(piece)):
                name = next((g for g in ("value", "value2", "putty") if g in rule.regex.groupindex
                             and match.group(g)), None)
                value = match.group(name) if name else match.group(0)
                if _not_a_secret(rule.kind, match, value, rule.judge):
                    continue
                add(rule.kind, value, base + (match.start(name) if name else match.start()))
    ruleset = gitleaks.ruleset()
    for rule, how in _plan():
        if not has(rule.keywords):
            continue
        if rule.path_pattern and (path is None or not rule.path.search(path)):
            continue
        for piece, base in regions(rule, how):
            for match in (finditer(rule.regex, text, low, case_ok) if piece is text else rule.regex.finditer(piece)):
                value, start = gitleaks.secret_of(rule, match)
                if rule.entropy and gitleaks.shannon(value) <= rule.entropy:
                    continue
                if rule.id != "private-key" and _FILLER.search(value):
                    continue  # `hooks.slack.com/services/T00000000/B00000000/XXXXXXXX`
                if rule.id == "jwt" and _documentation_jwt(value):
                    continue
                number = line_of(base + start)
                if number in hits:
                    continue
                line = line_text(number)
                if how == "text" and not rule.multiline and rule.keywords \
                        and not any(w in line.lower() for w in rule.keywords):
                    continue  # e.g. any 40-hex git object id, away from "sourcegraph"
                whole = match.group(0)
                if any(a.allows(value, whole, line, path)
                       for a in (*ruleset.allowlists, *rule.allowlists)):
                    continue
                if _not_a_secret(label(rule.id), match, value, rule.id in JUDGED_GITLEAKS):
                    continue
                if rule.id == "private-key":
                    header = re.match(r"-----BEGIN[^-\n]*-----", whole)
                    value = header.group(0) if header else "PRIVATE KEY"
                add(label(rule.id), value, base + start, rule.id)
    return sorted((h for h in hits.values() if not dismissed_for_path(h, path)),
                  key=lambda h: (h.line, h.column))


@lru_cache(maxsize=1)
def _path_rules() -> re.Pattern | None:
    patterns = [r.path_pattern for r in gitleaks.ruleset().rules if r.path_pattern]
    patterns += [p for r in gitleaks.ruleset().rules for a in r.allowlists for p in a.spec.get("paths", [])]
    return gitleaks._compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _needs_its_path(path: str, text: str) -> bool:
    """Whether scanning ``text`` needs its path: a rule for such files (Terraform, NuGet,
    Kubernetes YAML) may fire (one of its keywords is in the text), or an allowlist names such
    paths. A single line of 2000-4096 characters is searched whole on its own but around its
    keywords in a batch: it keeps its own scan too."""
    if 2000 < len(text) <= 4096 and "\n" not in text:
        return True
    low = None
    for rule in gitleaks.ruleset().rules:
        if any(a.spec.get("paths") for a in rule.allowlists) and \
                any(p.search(path) for a in rule.allowlists for p in a.paths):
            return True
        if rule.path_pattern and rule.path.search(path):
            low = text.lower() if low is None else low
            if not rule.keywords or any(w in low for w in rule.keywords):
                return True
    return False


def scan_files(files, batch_chars: int = 4 << 20):
    """``(path, hits)`` for ``(path, text)`` pairs, scanning many small files as one text.

    A scan has a fixed cost (finding which of 250 keywords a text holds, deciding which rules
    to run), which dominates on thousands of small files: they are joined into batches, and
    each hit is mapped back to its file and line. Files that a path-specific rule applies to
    (Terraform, NuGet, Kubernetes YAML) are scanned on their own, with their path, when that
    rule's keywords are in them (a YAML file without ``secret`` joins the batch).
    """
    from .linescan import scan_batch  # (it builds on this module)

    special = _path_rules()
    texts: list[str] = []
    owners: list[tuple[str, int]] = []  # (path, first line of the file in the batch)
    size = 0
    line = 1

    def flush():
        found: dict[str, list[SecretHit]] = {}
        for hit in scan_batch(texts):
            i = bisect.bisect_right(owners, (hit.line, "\uffff"), key=lambda o: (o[1], "")) - 1
            path, first = owners[i]
            local = hit.at(hit.line - first + 1)
            if not dismissed_for_path(local, path):
                found.setdefault(path, []).append(local)
        texts.clear()
        owners.clear()
        return found

    for path, text in files:
        if path_is_allowed(path):
            continue
        if special is not None and special.search(path) and _needs_its_path(path, text):
            hits = scan_text(text, path)
            if hits:
                yield path, hits
            continue
        texts.append(text)
        owners.append((path, line))
        line += text.count("\n") + 1
        size += len(text) + 1
        if size > batch_chars:
            yield from flush().items()
            size, line = 0, 1
    if texts:
        yield from flush().items()


def prefilter_words() -> set[str]:
    """Every keyword a rule needs: text with none of them cannot hold a finding."""
    words = {w for r in gitleaks.ruleset().rules for w in r.keywords}
    words |= {w for r in OWN_RULES for w in r.keywords}
    return words
