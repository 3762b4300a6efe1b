"""Secret values written into tracked files."""
from __future__ import annotations

from ..registry import Problem, rule
from . import artifacts
from .context import SYMLINK_MODE, RepoContext
from .secretscan import SecretHit, path_is_allowed, scan_files, scan_text, severity_for_path

# set by check_repo when the workflow checker's workflow-plaintext-secret runs on the workflows
WORKFLOW_SECRETS_JUDGED = "workflow-plaintext-secret runs"
ROTATE = ("rotate it now (a pushed secret is compromised), store the new one in Azure Key Vault "
          "(or as a GitHub secret for workflows) and read it at run time, e.g. "
          "`os.environ[\"AZURE_STORAGE_CONNECTION_STRING\"]` or a Key Vault reference")


def secret_problem(path: str, hit: SecretHit, where: str = "") -> Problem:
    severity = severity_for_path(hit, path)
    return Problem(
        f"{hit.kind} in `{path}`{where}: {hit.masked}"
        + (" (in a test file, where made-up credentials and key fixtures are common: if this "
           "one is made up, mark it with `pragma: allowlist secret`)" if severity else ""),
        f"delete the value from the file and {ROTATE}. If it was ever committed, purge it from "
        "the history too (see history-secret). A value that is not a secret can be marked with a "
        "`pragma: allowlist secret` comment on its line.",
        path=path, line=hit.line, column=hit.column, severity=severity,
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

    An unquoted name in source code (``from transformers import Qwen2TokenizerFast,
    Qwen3ForCausalLM``, ``key_columns=key_columns``) is code; the keys of a bibliography or a
    table (``citation_key:``, ``sort_key=``), names of what describes a secret
    (``API_KEY_REGEX = r"..."``), versions and requirement pins are not secrets either. A value
    found only by its name (``access_token = "..."``) and a private key in a test file are a
    **warning**: tests are full of made-up credentials and key fixtures; a token of a service's
    own format (``hf_...``, ``AKIA...``) stays an error there. Filler such as
    ``T00000000/B00000000/XXXXXXXX`` and the jwt.io example token are not secrets, and neither
    are keys their vendor publishes for client code (a PostHog project key ``phc_...``, a
    Segment ``SEGMENT_WRITE_KEY``), short base64 values that decode to a placeholder
    (``cGFzc3dvcmQ=`` is ``password``: a test's encoded credentials), a token in a
    documentation page whose ``exp`` claim is past (a ``curl -v`` transcript), a SAS URL whose
    ``se=`` expiry is past (a notebook's output of an old upload: Azure Storage refuses it), an
    access key ID inside a pre-signed URL (``X-Amz-Credential=AKIA...``: the ID is not the
    secret), a file's checksum keyed by the file's name (``sha256:`` /
    ``archive.zip: bba1cf...``), kebab-case names (``STORAGE_KEY = 'app-promo-dismissed'``)
    and name=value examples on a line that says so (``For example, key='thisisakey123'``).

    In a plain folder every file is scanned; in a git repository the tracked files are, less
    what gitleaks' own allowlist leaves out (lock files, fonts, pictures, ``node_modules/``) and
    a Go module's ``vendor/`` copy of third-party sources (``vendor/modules.txt``). Files
    that are themselves secret files (``.env``, keys) are reported by ``tracked-secret-file``;
    the workflows in ``.github/workflows/`` by ``workflow-plaintext-secret`` when it runs (it
    knows a service container's throwaway password from a credential).
    """
    workflows = ctx.cache.get(WORKFLOW_SECRETS_JUDGED)
    # `go mod vendor` copies third-party modules' sources under vendor/ and lists them in
    # vendor/modules.txt; gitleaks leaves the common hosts' folders out, this leaves the whole copy
    go_vendor = tuple(e.path[:-len("modules.txt")] for e in ctx.entries
                      if e.path == "vendor/modules.txt" or e.path.endswith("/vendor/modules.txt"))
    def texts():
        for entry in ctx.entries:
            if entry.mode == SYMLINK_MODE or (workflows and entry.path.startswith(".github/workflows/")
                                              and entry.path.count("/") == 2
                                              and entry.path.endswith((".yml", ".yaml"))):
                continue
            if path_is_allowed(entry.path) or (go_vendor and entry.path.startswith(go_vendor)):
                continue  # read only what will be scanned (wandb's checkout: 55 of 80 MB are not)
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
