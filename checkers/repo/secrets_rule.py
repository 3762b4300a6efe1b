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

    Detection uses the patterns maintained by detect-secrets (AWS, GitHub, Slack, private keys,
    JWTs ...) plus Azure's own formats: storage connection strings and account keys, Service Bus
    and Event Hubs ``SharedAccessKey``, SAS signatures, Entra client secrets, and the
    service-principal JSON that the legacy ``azure/login`` ``creds`` input takes. Literal
    ``password = "..."`` style assignments are reported too; placeholders (``<your-key>``,
    ``${{ secrets.X }}``, ``changeme``) are not. The value is never printed in full.

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
