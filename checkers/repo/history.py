"""What the history holds: every object reachable from any ref, even after a later ``git rm``.

The scan is git's own ``rev-list --objects --all`` piped straight into ``cat-file --batch-check``
(the same pipeline ``benchmarks/history_scan.py`` times as the baseline); Python only reads the
result. Blob contents are read (one ``cat-file --batch`` process) only for the secret scan, and
only for text blobs that are no longer in the index.
"""
from __future__ import annotations

import shlex
import subprocess
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from ..registry import Problem, rule
from . import artifacts, gitcmd
from .context import RepoContext, decode_text
from .secrets_rule import ROTATE
from .secretscan import SecretHit, path_is_allowed, scan_text
from .tracked import _anchor, plural

# Files whose content is never text worth scanning for secrets.
BINARY_SUFFIXES = tuple(artifacts.MODEL_SUFFIXES | artifacts.IMAGE_SUFFIXES | {
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".whl", ".so", ".dll", ".exe", ".pdf", ".parquet",
    ".feather", ".npy", ".npz", ".ttf", ".woff", ".woff2", ".ico"})


@dataclass
class Blob:
    sha: str
    size: int
    path: str       # relative to the checked root


@dataclass
class HistoryScan:
    artifacts: dict[str, list[Blob]] = field(default_factory=lambda: defaultdict(list))
    large: dict[str, Blob] = field(default_factory=dict)
    secrets: list[tuple[Blob, SecretHit]] = field(default_factory=list)
    first_commit: dict[str, tuple[str, int]] = field(default_factory=dict)


def list_blobs(ctx: RepoContext):
    """(sha, size, path) of every blob reachable from any ref, below the checked root."""
    rev_list = gitcmd.popen(ctx.root, "rev-list", "--objects", "--all")
    batch = subprocess.Popen(
        ["git", *gitcmd.SAFE_CONFIG, "cat-file",
         "--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)"],
        cwd=ctx.root, stdin=rev_list.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=gitcmd.env())
    rev_list.stdout.close()
    prefix = (ctx.prefix or "").encode("utf-8", "surrogateescape")
    cut = len(prefix)
    try:
        for raw in batch.stdout:
            sha, kind, size, path = raw.rstrip(b"\n").split(b" ", 3) if raw.count(b" ") >= 3 \
                else (*raw.split(b" ", 2), b"")
            if kind != b"blob" or not path.startswith(prefix):
                continue
            yield sha.decode(), int(size), path[cut:].decode("utf-8", "surrogateescape")
    finally:
        batch.stdout.close()
        batch.wait()
        rev_list.wait()


def scan(ctx: RepoContext) -> HistoryScan:
    if "history" in ctx.cache:
        return ctx.cache["history"]
    result = HistoryScan()
    tracked = ctx.paths
    # classify() depends on the size only through the fixture limit under tests/
    kinds: dict[tuple[str, bool], artifacts.Kind | None] = {}
    to_read: list[Blob] = []
    for sha, size, path in list_blobs(ctx):
        if ctx.excluded(path):
            continue
        blob = Blob(sha, size, path)
        key = (path, size <= artifacts.FIXTURE_LIMIT)
        kind = kinds[key] if key in kinds else kinds.setdefault(key, artifacts.classify(path, size))
        if kind is not None:
            if path not in tracked:
                result.artifacts[path].append(blob)
            continue
        if size > ctx.max_blob_size:
            if path not in result.large or result.large[path].size < size:
                result.large[path] = blob
            continue
        # every text version, the committed one included: a secret deleted only on disk is
        # still in HEAD (history-secret leaves the ones still on disk to secret-in-file)
        if not path.lower().endswith(BINARY_SUFFIXES):
            to_read.append(blob)
    log: list[bytes] = []
    walk = None
    if result.artifacts or result.large:
        # The first commits will be needed whatever the secret scan finds, and the history walk
        # does not depend on it: let git walk on another core while Python reads and scans.
        walk = threading.Thread(target=lambda: log.append(_history_log(ctx)), daemon=True)
        walk.start()
    # Oldest versions first, so that a line's first appearance is in the blob that added it.
    result.secrets.extend(scan_new_lines(_read_blobs(ctx, to_read[::-1])))
    wanted = {b.sha for blobs in result.artifacts.values() for b in blobs}
    wanted |= {b.sha for b in result.large.values()} | {b.sha for b, _ in result.secrets}
    if walk is not None:
        walk.join()
    if wanted:
        result.first_commit, paths = _first_commits(ctx, wanted, log[0] if log else None)
        _add_copies(result, paths, tracked, ctx.prefix or "")
    ctx.cache["history"] = result
    return result


def scan_new_lines(blobs, batch_chars: int = 4 << 20) -> list[tuple[Blob, SecretHit]]:
    """Secrets in ``(blob, text)`` pairs, scanning each distinct line of a path once.

    Consecutive versions of a file share almost all their lines, and every secret pattern is
    confined to one line, so scanning only the lines a version added finds every secret once,
    at the version that introduced it. The new lines of many blobs are scanned together, in
    batches, because most versions add only a line or two.
    """
    seen: dict[str, set[int]] = defaultdict(set)  # per path: the same line elsewhere is news
    found: list[tuple[Blob, SecretHit]] = []
    lines: list[str] = []
    owners: list[tuple[Blob, int]] = []
    size = 0

    def flush():
        for hit in scan_text("\n".join(lines)):
            blob, number = owners[hit.line - 1]
            found.append((blob, SecretHit(hit.kind, number, hit.column, hit.value)))
        lines.clear()
        owners.clear()

    for blob, text in blobs:
        if path_is_allowed(blob.path):
            continue
        known = seen[blob.path]
        for number, line in enumerate(text.split("\n"), 1):
            key = hash(line)
            if key not in known:
                known.add(key)
                lines.append(line)
                owners.append((blob, number))
                size += len(line) + 1
        if size > batch_chars:
            flush()
            size = 0
    flush()
    return found


def _read_blobs(ctx: RepoContext, blobs: list[Blob]):
    if not blobs:
        return
    proc = gitcmd.popen(ctx.root, "cat-file", "--batch")
    # Feed from a thread so a large request list cannot dead-lock against a full output pipe.
    def feed():
        try:
            for blob in blobs:
                proc.stdin.write(blob.sha.encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for blob in blobs:
            header = proc.stdout.readline().split()
            if len(header) < 3:
                break
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            text = decode_text(data)
            if text is not None:
                yield blob, text
    finally:
        proc.stdout.close()
        proc.wait()
        writer.join()


def _history_log(ctx: RepoContext) -> bytes:
    return ctx.git("log", "--all", "--raw", "--no-abbrev", "--no-renames", "--format=C %H", "--",
                   ".", check=False)


def _first_commits(ctx: RepoContext, shas: set[str], log: bytes | None = None):
    """From one walk of the history: the oldest commit that added each blob, as
    ``{sha: (short commit id, age)}`` (a larger age is older), and every path each blob had
    (``git rev-list --objects`` names a blob once, under one of its paths)."""
    out = _history_log(ctx) if log is None else log
    first: dict[str, tuple[str, int]] = {}
    paths: dict[str, set[str]] = defaultdict(set)
    commit, age = "", 0
    for line in out.splitlines():
        if line.startswith(b"C "):
            commit, age = line[2:14].decode(), age + 1
        elif line.startswith(b":"):
            meta, _, path = line.partition(b"\t")
            new_sha = meta.split(b" ", 4)[3].decode()
            if new_sha in shas:
                first[new_sha] = (commit, age)  # newest first: the last one seen is the oldest
                if not path.startswith(b'"'):  # C-quoted odd names keep their rev-list path
                    paths[new_sha].add(path.decode("utf-8", "surrogateescape"))
    return first, paths


def _add_copies(result: HistoryScan, paths: dict[str, set[str]], tracked: set[str],
                prefix: str) -> None:
    """The same model or dataset committed under a second name must be purged too."""
    by_sha = {b.sha: b for blobs in result.artifacts.values() for b in blobs}
    for sha, blob in by_sha.items():
        for repo_path in paths.get(sha, ()):
            if not repo_path.startswith(prefix):
                continue
            path = repo_path[len(prefix):]
            if path not in tracked and all(b.sha != sha for b in result.artifacts.get(path, [])) \
                    and artifacts.classify(path, blob.size) is not None:
                result.artifacts[path].append(Blob(sha, blob.size, path))


def _repo_path(ctx: RepoContext, path: str) -> str:
    return (ctx.prefix or "") + path


def _human(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def _purge_hint(ctx: RepoContext, paths: list[str]) -> str:
    args = " ".join(f"--path {shlex.quote(_repo_path(ctx, p))}" for p in paths)
    return (f"rewrite the history without it (pip install git-filter-repo):\n"
            f"  git filter-repo --invert-paths {args}\n"
            "  git push --force --all && git push --force --tags\n"
            "then have every collaborator re-clone (old clones still hold it)")


def _commit_note(scan_result: HistoryScan, sha: str) -> str:
    commit = scan_result.first_commit.get(sha)
    return f" (added in commit {commit[0]})" if commit else ""


@rule("history-artifact", severity="error", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_artifact(ctx: RepoContext):
    """A model, dataset, experiment log or secret file is still in the history.

    ``git rm`` only removes a file from the next commit: every earlier commit keeps it, every
    clone downloads it, and anyone can ``git checkout`` it. The checker looks at every commit
    reachable from any branch, tag or stash. To remove it for good, rewrite the history with
    ``git filter-repo --invert-paths --path <file>``, force-push, and have everyone re-clone. A
    secret that ever reached a remote must be rotated as well: rewriting history does not
    un-leak it.
    """
    if not ctx.history:
        return
    result = scan(ctx)
    groups: dict[str, list[str]] = defaultdict(list)
    for path in result.artifacts:
        kind = artifacts.classify(path, result.artifacts[path][0].size)
        groups[_anchor(path, kind) or path].append(path)
    for key, paths in sorted(groups.items()):
        kind = artifacts.classify(paths[0], result.artifacts[paths[0]][0].size)
        blobs = [b for p in paths for b in result.artifacts[p]]
        biggest = max(blobs, key=lambda b: b.size)
        what = f"`{ctx.display(key)}` ({plural(len(paths), 'file')})" if key.endswith("/") else f"`{ctx.display(key)}`"
        hint = _purge_hint(ctx, [key] if key.endswith("/") else paths)
        if kind is artifacts.SECRET:
            hint = f"{ROTATE}; then {hint}"
        yield Problem(
            f"{what} ({kind.name}, {_human(biggest.size)}) is no longer tracked but is still in "
            f"the history{_commit_note(result, biggest.sha)}; {kind.name} belong in {kind.where}",
            hint, path=ctx.display(key))


@rule("history-secret", severity="error", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_secret(ctx: RepoContext):
    """A secret value is in a committed version of a file, even if the file on disk is clean.

    Deleting the line in a new commit does not remove it: the old version stays in the history
    and in every clone. (Deleting it only on disk does not even change the last commit.) A
    secret still in the file is reported once, by ``secret-in-file``. Rotate the secret first (assume it is compromised), keep the new one in
    Azure Key Vault, then purge the old value with ``git filter-repo --replace-text`` (or remove
    the file from history with ``--invert-paths``) and force-push.
    """
    if not ctx.history:
        return
    result = scan(ctx)
    oldest: dict[tuple, tuple[Blob, SecretHit]] = {}
    for blob, hit in result.secrets:
        key = (blob.path, hit.kind, hit.value)
        age = result.first_commit.get(blob.sha, ("", -1))[1]
        if key not in oldest or age > result.first_commit.get(oldest[key][0].sha, ("", -1))[1]:
            oldest[key] = (blob, hit)
    on_disk: dict[str, set] = {}
    for blob, hit in oldest.values():
        if blob.path not in on_disk:
            text = ctx.read_text(blob.path, limit=ctx.max_blob_size)
            on_disk[blob.path] = {(h.kind, h.value) for h in scan_text(text, blob.path)} if text else set()
        if (hit.kind, hit.value) in on_disk[blob.path]:
            continue  # still in the file: secret-in-file reports it, with the same fix
        yield Problem(
            f"{hit.kind} in a committed version of `{ctx.display(blob.path)}`"
            f"{_commit_note(result, blob.sha)}: {hit.masked}",
            f"{ROTATE}; then purge the old value from the history:\n"
            "  echo '<the secret>==>REMOVED' > replacements.txt\n"
            "  git filter-repo --replace-text replacements.txt\n"
            "  git push --force --all && git push --force --tags",
            path=ctx.display(blob.path), line=hit.line, column=hit.column)


@rule("history-large-blob", severity="warning", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_large_blob(ctx: RepoContext):
    """A file in the history is larger than the limit (5 MiB unless ``--max-blob-size`` says).

    Large files make every clone and every CI checkout slow, and GitHub refuses files over
    100 MiB. In an ML project a large file is almost always data or a model in disguise (a
    ``.zip`` of images, a notebook full of outputs). Keep it in a datastore or the model
    registry; strip notebook outputs before committing. Files that are models, data or logs by
    their name are reported by ``history-artifact`` and ``tracked-*`` instead.
    """
    if not ctx.history:
        return
    result = scan(ctx)
    for path, blob in sorted(result.large.items()):
        yield Problem(
            f"`{ctx.display(path)}` is {_human(blob.size)} in the history"
            f"{_commit_note(result, blob.sha)} (limit {_human(ctx.max_blob_size)})",
            "move it to an Azure ML datastore or the model registry, then purge it:\n"
            f"  git filter-repo --strip-blobs-bigger-than {max(1, ctx.max_blob_size // (1024 * 1024))}M",
            path=ctx.display(path))
