"""Secret values written into tracked files."""
from __future__ import annotations

from ..registry import Problem, rule
from . import artifacts
from .context import SYMLINK_MODE, RepoContext
from .secretscan import SecretHit, scan_files, scan_text

ROTATE = ("rotate it now (a pushed secret is compromised), store the new one in Azure Key Vault "
          "(or as a GitHub secret for workflows) and read it at run time, e.g. "
          "`os.environ[\"AZURE_STORAGE_CONNECTION_STRING\"]` or a Key Vault reference")


def secret_problem(path: str, hit: SecretHit, where: str = "") -> Problem:
    return Problem(
        f"{hit.kind} in `{path}`{where}: {hit.masked}",
        f"delete the value from the file and {ROTATE}. If it was ever committed, purge it from "
        "the history too (see history-secret). A value that is not a secret can be marked with a "
        "`pragma: allowlist secret` comment on its line.",
        path=path, line=hit.line, column=hit.column,
    )


@rule("secret-in-file", severity="error", scope="repo", lesson="01-git-hygiene#what-goes-in-git")
def secret_in_file(ctx: RepoContext):
    """A tracked file contains a secret value (a key, a token, a password, a connection string).

    Detection uses gitleaks' rule set (vendored unchanged, MIT: cloud keys, Hugging Face,
    OpenAI, Anthropic and other model APIs, Git hosting tokens, private keys, JWTs, Slack ...)
    plus the formats ML projects on Azure leak: storage connection strings and account keys,
    Service Bus and Event Hubs ``SharedAccessKey``, SAS signatures, the service-principal JSON
    that the legacy ``azure/login`` ``creds`` input takes, ``kaggle.json``, credentials in URLs,
    and literal ``password = "..."`` / ``AZURE_OPENAI_KEY=...`` assignments.

    The value is judged, not only its name: code (``password=self.password``,
    ``APP_SECRET = ARGS.APP_SECRET``), placeholders (``<your-key>``, ``${VAR}``, ``{{VAR}}``,
    ``your-client-secret``, ``changeme``), credentials for ``localhost`` or in test files' URLs,
    published development keys (the Azurite emulator's, the OAuth RFCs' examples) and name=value
    examples in documentation pages are not reported. Code inside notebook JSON is read as code.
    Binary files (images, archives, models) are not scanned; their names are judged by the
    ``tracked-*`` rules. The value is never printed in full. Mark a value that is not a secret
    with ``pragma: allowlist secret`` (or ``gitleaks:allow``) on its line.

    In a plain folder every file is scanned; in a git repository the tracked files are. Files
    that are themselves secret files (``.env``, keys) are reported by ``tracked-secret-file``.
    """
    def texts():
        for entry in ctx.entries:
            if entry.mode == SYMLINK_MODE:
                continue
            text = ctx.read_text(entry.path, limit=ctx.max_blob_size)
            if text is None:
                continue
            if ctx.is_git and artifacts.classify(entry.path) is artifacts.SECRET and not \
                    artifacts.harmless_secret_file(entry.path, text, lambda t: bool(scan_text(t, entry.path))):
                continue  # tracked-secret-file reports the file itself
            yield entry.path, text

    found = dict(scan_files(texts()))
    for entry in ctx.entries:
        for hit in found.get(entry.path, ()):
            yield secret_problem(ctx.display(entry.path), hit)
