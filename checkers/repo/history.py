"""What the history holds: every object reachable from any ref, even after a later ``git rm``.

The scan is git's own ``rev-list --objects --all`` piped straight into ``cat-file --batch-check``
(the same pipeline ``benchmarks/history_scan.py`` times as the baseline); Python only reads the
result. Blob contents are read (one ``cat-file --batch`` process) only for the secret scan, and
only for text blobs that are no longer in the index.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import tempfile
import threading
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from ..registry import Problem, rule
from . import artifacts, gitcmd, prefilter, scanworker
from .context import SYMLINK_MODE, RepoContext, decode_text
from .secrets_rule import ROTATE
from .secretscan import SecretHit, dismissed_for_path, path_is_allowed, scan_text, severity_for_path
from .tracked import _anchor, plural, shipped_sample

# Files whose content is never text worth scanning for secrets.
BINARY_SUFFIXES = tuple(artifacts.MODEL_SUFFIXES | artifacts.IMAGE_SUFFIXES | {
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".whl", ".so", ".dll", ".exe", ".pdf", ".parquet",
    ".feather", ".npy", ".npz", ".ttf", ".woff", ".woff2", ".ico"})


GITHUB_LIMIT = 100 * 1024 * 1024
# Text versions (bytes) from which the history scan builds the native prefilter (~0.3 s)
PREFILTER_FROM = 8 << 20
# The prefilter searches the changed paragraphs of many versions at once, up to BULK bytes of
# them or BULK_HELD bytes of the versions themselves (kept until then)
BULK = 4 << 20
BULK_HELD = 16 << 20


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
    messages: list[tuple[str, SecretHit]] = field(default_factory=list)  # (commit, hit)
    # folders that held something else than artifacts (code, READMEs) in some commit: purging
    # the folder would delete that too
    mixed: set[str] = field(default_factory=set)


def stash_commits(ctx: RepoContext) -> list[str]:
    """Every stash entry (``stash@{0}``, ``stash@{1}`` ...): ``--all`` only reaches the newest."""
    if "stash" not in ctx.cache:
        out = ctx.git("log", "-g", "--format=%H", "refs/stash", "--", check=False)
        ctx.cache["stash"] = [c for c in out.decode("ascii", "replace").split() if len(c) >= 40]
    return ctx.cache["stash"]


def history_tips(ctx: RepoContext) -> list[str]:
    """Where the history walk starts: the commits asked for (``--history-rev``), or every ref
    (``--all``) and every stash entry."""
    return list(ctx.history_revs) if ctx.history_revs else ["--all", *stash_commits(ctx)]


def list_blobs(ctx: RepoContext):
    """(sha, size, path) of every blob reachable from any ref or stash entry (or from the
    commits of ``--history-rev``), below the root.

    What git could not read (a missing or corrupt object, a broken ref) is recorded in
    ``ctx.cache["history-unreadable"]``: a history that cannot be walked must never pass as clean.
    """
    errors = ctx.cache.setdefault("history-unreadable", [])
    with tempfile.TemporaryFile() as rev_err, tempfile.TemporaryFile() as batch_err:
        # Trees are walked but not listed (git 2.32+): the same blobs, in the same order,
        # without 2 lines in 3 for cat-file to look up and Python to skip.
        only_blobs = ["--filter=object:type=blob"] if gitcmd.version() >= (2, 32) else []
        rev_list = subprocess.Popen(
            ["git", *gitcmd.SAFE_CONFIG, "rev-list", "--objects", *only_blobs,
             *(() if ctx.history_revs else ("--all",)), "--stdin"],
            cwd=ctx.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=rev_err,
            env=gitcmd.env())
        batch = subprocess.Popen(
            ["git", *gitcmd.SAFE_CONFIG, "cat-file",
             "--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)"],
            cwd=ctx.root, stdin=rev_list.stdout, stdout=subprocess.PIPE, stderr=batch_err,
            env=gitcmd.env())
        for pipe in (rev_list.stdout, batch.stdout):
            gitcmd.widen_pipe(pipe)
        rev_list.stdout.close()
        try:
            starts = ctx.history_revs or stash_commits(ctx)  # (the refs: --all, above)
            rev_list.stdin.write("".join(f"{c}\n" for c in starts).encode())
            rev_list.stdin.close()
        except BrokenPipeError:
            pass
        prefix = (ctx.prefix or "").encode("utf-8", "surrogateescape")
        cut = len(prefix)
        # Two objects in three are trees and commits: a line that is not a blob costs one test.
        try:
            for raw in batch.stdout:
                if not raw.startswith(b"blob "):
                    name, _, rest = raw.partition(b" ")
                    if rest == b"missing\n":
                        errors.append(f"object {name.decode(errors='replace')} is missing")
                    continue
                parts = raw.rstrip(b"\n").split(b" ", 3)
                if len(parts) < 3:
                    continue
                path = parts[3] if len(parts) > 3 else b""
                if not path.startswith(prefix):
                    continue
                yield parts[1].decode(), int(parts[2]), path[cut:].decode("utf-8", "surrogateescape")
        finally:
            batch.stdout.close()
            batch.wait()
            rev_list.wait()
            for proc, err in ((rev_list, rev_err), (batch, batch_err)):
                err.seek(0)
                message = err.read(4096).decode(errors="replace").strip().splitlines()
                if proc.returncode != 0 or any(m.startswith(("fatal:", "error:")) for m in message):
                    errors.append(message[0] if message else f"git exited with {proc.returncode}")


def scan(ctx: RepoContext) -> HistoryScan:
    if "history" in ctx.cache:
        return ctx.cache["history"]
    result = HistoryScan()
    stash_commits(ctx)  # (cached before any thread asks)
    # The messages do not depend on the blobs: git lists them (and Python scans them) while
    # git walks the trees below, instead of after the blob scan.
    messages = _in_background(scan_messages, ctx)
    tracked = ctx.paths
    # classify() depends on the size only through the fixture limit under tests/
    kinds: dict[tuple[str, bool], artifacts.Kind | None] = {}
    to_read: list[Blob] = []
    pems: list[Blob] = []
    code_paths: set[str] = set()  # paths whose folders held something else than artifacts
    # What a path's name decides is worked out once per path, not once per version.
    facts: dict[str, tuple[bool, bool, bool]] = {}  # path -> (excluded, .pem-like, binary)
    expect = 0  # bytes of the text versions to read
    native = None
    for sha, size, path in list_blobs(ctx):
        fact = facts.get(path)
        if fact is None:
            low = path.lower()
            fact = facts[path] = (ctx.excluded(path), low.endswith((".pem", ".crt", ".cer")),
                                  low.endswith(BINARY_SUFFIXES))
        if fact[0]:
            continue
        key = (path, size <= artifacts.FIXTURE_LIMIT)
        kind = kinds[key] if key in kinds else kinds.setdefault(key, artifacts.classify(path, size))
        if kind is artifacts.SECRET and fact[1]:
            pems.append(Blob(sha, size, path))  # a CA bundle is no secret: decided by its content below
            continue
        if kind is not None:
            if path not in tracked:
                result.artifacts[path].append(Blob(sha, size, path))
            continue
        if path not in code_paths:
            code_paths.add(path)
            slash = path.find("/")
            while slash >= 0:
                result.mixed.add(path[:slash + 1])
                slash = path.find("/", slash + 1)
        if size > ctx.max_blob_size:
            if path not in result.large or result.large[path].size < size:
                result.large[path] = Blob(sha, size, path)
            continue
        # every text version, the committed one included: a secret deleted only on disk is
        # still in HEAD (history-secret leaves the ones still on disk to secret-in-file)
        if not fact[2]:
            to_read.append(Blob(sha, size, path))
            expect += size
            if native is None and expect >= PREFILTER_FROM:
                # built while git lists the rest (its translation and RE2's compile, ~0.1 s)
                native = _in_background(prefilter.compiled)
    log = None
    if result.artifacts or result.large:
        # The first commits will be needed whatever the secret scan finds, and the history walk
        # does not depend on it: let git walk on another core while Python reads and scans.
        log = _in_background(_history_log, ctx)
    for blob, text in _read_blobs(ctx, pems):
        if not artifacts.harmless_secret_file(blob.path, text, lambda t: True) \
                and blob.path not in tracked:
            result.artifacts[blob.path].append(blob)
    # Oldest versions first, so that a line's first appearance is in the blob that added it.
    result.secrets.extend(scan_new_lines(
        _read_blobs(ctx, to_read[::-1], raw=True), expect=expect, native=native,
        reread=lambda blobs: (data for _, data in _read_blobs(ctx, blobs, raw=True))))
    result.messages = messages()
    wanted = {b.sha for blobs in result.artifacts.values() for b in blobs}
    wanted |= {b.sha for b in result.large.values()} | {b.sha for b, _ in result.secrets}
    if wanted:
        result.first_commit, paths = _first_commits(ctx, wanted, log() if log else None)
        _add_copies(result, paths, tracked, ctx.prefix or "")
    ctx.cache["history"] = result
    return result


def _in_background(function, *args):
    """Run ``function(*args)`` on a thread; returns a call that waits for its result (or raises
    what it raised)."""
    out: list = []

    def run():
        try:
            out.append((True, function(*args)))
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            out.append((False, error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result():
        thread.join()
        ok, value = out[0]
        if not ok:
            raise value
        return value
    return result


def scan_new_lines(blobs, batch_chars: int = 4 << 20, worker: bool = True,
                   expect: int = 0, native=None, reread=None) -> list[tuple[Blob, SecretHit]]:
    """Secrets in ``(blob, data)`` pairs (the blob's bytes), scanning each distinct line of a
    path once.

    Consecutive versions of a file share almost all their lines, and every secret pattern is
    confined to one line, so scanning only the lines a version added finds every secret once,
    at the version that introduced it. The new lines of many blobs are scanned together, in
    batches, because most versions add only a line or two.

    A version is compared with the path's previous one first, in bytes (``startswith`` on a
    memoryview: memcmp): the lines both share at the start and at the end are already known,
    and only the lines between them are decoded, split and looked up. Per blob, only set and
    dict operations run (in C); a line's number is looked up only when a secret is found on it.

    The batches go to a second process (scanworker.py) when the first one is due before half of
    the ``expect``ed bytes are read (the reading left can hide the scanning; a history that
    fills one batch at its end is faster without). Without ``expect``, at the second batch.

    ``native``: a call returning :func:`prefilter.compiled` (or None). With it, only the lines
    of a version that a rule's loosened pattern matches in are looked up and scanned, and a
    version with none costs one pass of RE2 over the paragraphs it changed. No rule can report
    anything on the other lines, and those that are new go to no batch: a path's known lines
    are then only some of its earlier ones, but every one that a pattern matches in (see
    ``_candidates``). When a rule whose matches go on over the next lines (a private key) may
    match, the version's new lines must be exactly the plain computation's, as they follow each
    other in the batch: ``reread(blobs)`` (their bytes, as read before) then gives the path's
    earlier versions, whose lines become its known ones, and the path takes the plain way from
    there on.
    """
    # per path: the same line elsewhere is news. Holds every line of the versions scanned so far,
    # or with the prefilter every one of those lines that a loosened pattern matches in.
    seen: dict[str, set[str]] = defaultdict(set)
    # per path: the version scanned last, and its codec; every one of its lines is in seen
    last: dict[str, tuple[bytes, str]] = {}
    # a line added to several files is scanned once per batch: the batch's lines in order of
    # first appearance, and per blob (its new lines, where to find their numbers, the number
    # of the line before the part of the blob that was compared)
    batch: dict[str, None] = {}
    members: list[tuple[Blob, set[str], list[str] | dict[str, int], int]] = []
    size = 0
    pool = scanworker.Pool(worker)
    waiting: dict[int, tuple[list[str], list]] = {}  # batches sent to the worker
    done: dict[int, list[tuple[Blob, SecretHit]]] = {}

    def place(hits: list[SecretHit], lines: list[str], members) -> list[tuple[Blob, SecretHit]]:
        """The hits of a batch, on each blob that added the line, at its number there."""
        placed = []
        if hits:
            wanted = {lines[hit.line - 1] for hit in hits}
            owners: dict[str, list[tuple[Blob, int]]] = defaultdict(list)
            for blob, fresh, where, before in members:
                for line in wanted.intersection(fresh):
                    number = where.index(line) + 1 if isinstance(where, list) else where[line]
                    owners[line].append((blob, before + number))
            for hit in hits:
                for blob, number in owners[lines[hit.line - 1]]:
                    if not dismissed_for_path(hit, blob.path):
                        placed.append((blob, hit.at(number)))
        return placed

    def flush():
        lines = list(batch)
        number = pool.submit(lines)
        if number in pool.results:
            done[number] = place(pool.results.pop(number), lines, members)
        else:
            waiting[number] = (lines, members.copy())
        for number in [n for n in waiting if n in pool.results]:
            done[number] = place(pool.results.pop(number), *waiting.pop(number))
        batch.clear()
        members.clear()

    read = 0
    natively = None  # the prefilter, once built
    earlier: dict[str, list[Blob]] = defaultdict(list)  # per path: its versions so far
    plain: set[str] = set()  # paths that take the plain way (their known lines are all of them)

    def take(blob: Blob, data: bytes | None, whole: bytes, start: int, old: bytes | None,
             codec: str, places) -> None:
        """A version's new lines into the batch. ``data``: its changed lines (None: none);
        ``places``: where in ``_changed_paragraphs(data, old)`` the prefilter matched (see
        ``_candidates``), or None when only the plain way can tell."""
        nonlocal size
        known = seen[blob.path]
        fresh = None
        native_way = natively is not None and blob.path not in plain
        if native_way:
            earlier[blob.path].append(blob)
        if data is None:
            return  # every line is one of the previous version's
        if native_way:
            fresh = None if places is None else _candidates(places, data, codec, known)
            if fresh is not None and not fresh:
                return  # no line a rule can report anything on
            if fresh is None:  # the plain way, from here on: every earlier line is known
                plain.add(blob.path)
                if reread is not None:
                    known.update(_lines_of(reread(earlier.pop(blob.path)[:-1])))
        if fresh is None and old is not None and len(data) > 4096:
            fresh = _few_new_lines(data, old, codec, known)
            if fresh is not None and not fresh:
                return
        if fresh is not None:
            where: list[str] | dict[str, int] = fresh
            ordered = dict.fromkeys(sorted(fresh, key=fresh.__getitem__))
            fresh = set(fresh)
            known.update(fresh)
        else:
            all_lines = data.decode(codec).split("\n")
            distinct = set(all_lines)
            fresh = distinct.difference(known)  # in C, a pass over the lines (not over known)
            if not fresh:
                return
            known.update(fresh)
            if len(fresh) == len(distinct):
                ordered = dict.fromkeys(all_lines)  # every line is new: their order is the file's
                where = all_lines
                if len(all_lines) > 2 * len(distinct):  # one line repeated all over: keep no long list
                    where = dict(zip(reversed(all_lines), range(len(all_lines), 0, -1)))
            elif len(fresh) * 8 < len(all_lines):
                # a line or two added: find them with list.index (in C), not a loop over the file
                where = {line: all_lines.index(line) + 1 for line in fresh}
                ordered = dict.fromkeys(sorted(fresh, key=where.__getitem__))
            else:
                ordered = dict.fromkeys(all_lines)  # in C, in the file's order; then the known out
                for line in distinct.difference(fresh):
                    del ordered[line]
                where = all_lines
        before = whole.count(b"\n", 0, start)  # lines above the compared part
        added = fresh.difference(batch)  # (a set less a dict: a pass over the set, in C)
        size += sum(map(len, added)) + len(added)
        batch.update(ordered)
        members.append((blob, fresh, where, before))
        if size > batch_chars:
            if not expect or read * 2 < expect:
                pool.start()
            flush()
            size = 0

    # With the prefilter, versions wait here (in order) until their changed paragraphs fill
    # BULK bytes: RE2 then makes one pass over all of them (see Prefilter.bulk), on a thread
    # (RE2 lets go of the GIL while it searches) while this one compares the next versions;
    # then each version takes its places, in order, as if it had been searched alone.
    waiting_versions: list[tuple] = []  # (blob, data, whole, start, old, codec, text offset or None)
    texts: list[bytes] = []
    text_at = 0
    held = 0  # bytes of the waiting versions
    searched = None  # the group of versions RE2 is searching: (versions, joined texts, result)

    def drain() -> None:
        nonlocal text_at, held, searched
        joined = b"\n".join(texts)
        group = (waiting_versions.copy(), joined,
                 _in_background(natively.bulk, joined, True) if texts else lambda: ())
        waiting_versions.clear()
        texts.clear()
        text_at = held = 0
        if searched is not None:
            place_group(*searched)
        searched = group

    def place_group(versions: list[tuple], joined: bytes, found) -> None:
        offsets = [entry[6] for entry in versions if entry[6] is not None]
        # per version (by its text's offset): the lines matched, or None for the plain way
        places: dict[int, list[bytes] | None] = {at: [] for at in offsets}
        for start, stop, context in found():
            at = offsets[bisect_right(offsets, start) - 1]
            mine = places[at]
            if mine is None:
                continue
            if context:
                places[at] = None  # a multi-line rule may match: the plain way decides
            else:
                mine.append(joined[start:stop])
        for blob, data, whole, start, old, codec, at in versions:
            take(blob, data, whole, start, old, codec, None if at is None else places[at])

    for blob, data in blobs:
        if native is not None:
            natively, native = native(), None
        read += len(data)
        if path_is_allowed(blob.path) or data.find(b"\0", 0, 8192) >= 0:
            continue  # (a NUL byte in the first 8 KiB: binary, as decode_text judges)
        codec = _codec(data)
        previous = last.get(blob.path)
        last[blob.path] = (data, codec)
        whole, start = data, 0
        old = None
        if previous is not None and previous[1] == codec:
            start, end = changed_lines(previous[0], data)
            if end < start:
                data = None  # every line is one of the previous version's
            else:
                old = previous[0][start:end + len(previous[0]) - len(data)]
                data = data[start:end]
        if natively is None:
            take(blob, data, whole, start, old, codec, None)
            continue
        at = None
        if data is not None and blob.path not in plain:
            text = _changed_paragraphs(data, old)
            if natively.readable(text, codec):
                at = text_at
                texts.append(text)
                text_at += len(text) + 1
        waiting_versions.append((blob, data, whole, start, old, codec, at))
        held += len(whole)
        if text_at > BULK or held > BULK_HELD:
            drain()
    try:
        if waiting_versions:
            drain()
        if searched is not None:
            place_group(*searched)
        flush()
        results = pool.collect()
    finally:
        pool.close(kill=True)
    for number, (lines, owners) in waiting.items():
        done[number] = place(results.pop(number), lines, owners)
    return [hit for number in sorted(done) for hit in done[number]]


def _changed_paragraphs(data: bytes, old: bytes | None) -> bytes:
    """The paragraphs (runs between blank lines) of ``data`` (whole lines of a version) that
    ``old`` (the same stretch of the path's previous version) does not have, left out in C as
    in ``_few_new_lines``: where the prefilter looks. Below 4 KiB the split costs more than
    the search it saves (a small file's edit is most of its changed stretch)."""
    if old is not None and len(data) > 4096 and b"\n\n" in data:
        paragraphs = set(data.split(b"\n\n"))
        paragraphs.difference_update(old.split(b"\n\n"))
        return b"\n".join(paragraphs)
    return data


def _candidates(lines, data: bytes, codec: str, known: set[str]) -> dict[str, int] | None:
    """``{line: number}`` (1-based in ``data``, at its first place) of the ``lines`` (bytes:
    the lines of ``data``'s changed paragraphs that a rule's loosened pattern matches in,
    :meth:`prefilter.Prefilter.bulk`) that are not ``known``.

    Whether a pattern matches in a line depends on the line alone, so each line a pattern
    matches in is put in ``known`` by the first version that has it (here, or on the plain
    way, whose new lines all go there), and a line is new exactly as the plain computation
    says."""
    fresh = {}
    for line in set(lines):
        decoded = line.decode(codec)
        if decoded not in known:
            fresh[line] = decoded
    if not fresh:
        return {}  # (the usual case: the lines are the path's known ones, nothing to place)
    padded = b"\n" + data + b"\n"
    # each line's first place, then their numbers counted in one pass from the top
    where: dict[str, int] = {}
    number, counted = 0, 0
    for at, line in sorted((padded.find(b"\n" + line + b"\n"), line) for line in fresh):
        number += padded.count(b"\n", counted, at + 1)
        counted = at + 1
        where[fresh[line]] = number
    return where


def _lines_of(versions) -> set[str]:
    """Every line of the ``versions`` (bytes of text blobs), decoded as the scan decodes them."""
    lines: set[str] = set()
    for data in versions:
        lines.update(data.decode(_codec(data)).split("\n"))
    return lines


def _codec(data: bytes) -> str:
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def _few_new_lines(data: bytes, old: bytes, codec: str, known: set[str],
                   most: int = 32) -> dict[str, int] | None:
    """``{line: number}`` of the lines of ``data`` not in ``known``, each at its first place
    (1-based), when there are at most ``most`` of them; None when there may be more.

    ``old`` is the same stretch of the path's previous version (whose lines are all known).
    An edit between two distant places leaves most paragraphs (runs of lines between blank
    lines) as they were: only the paragraphs ``old`` does not have are decoded and split, with
    ``split`` and set operations in C. A line found new is then placed by a search for it as a
    whole line (``\\n line \\n``)."""
    if b"\n\n" not in data and data not in old:
        return None  # one paragraph, not one of old's: all of it would be a candidate
    candidates = set(data.split(b"\n\n"))
    candidates.difference_update(old.split(b"\n\n"))
    if sum(map(len, candidates)) * 4 > len(data):
        return None
    lines = set(b"\n".join(candidates).decode(codec).split("\n")) if candidates else set()
    if b"\n\n" in data or data.startswith(b"\n") or data.endswith(b"\n"):
        lines.add("")  # the blank lines between paragraphs are lines too
    lines = lines.difference(known)  # (a pass over lines, not over known)
    if len(lines) > most:
        return None
    padded = b"\n" + data + b"\n"
    # each line's first place, then their numbers counted in one pass from the top
    places = sorted((padded.find(b"\n" + line.encode(codec) + b"\n"), line) for line in lines)
    where, number, counted = {}, 0, 0
    for at, line in places:
        number += padded.count(b"\n", counted, at + 1)
        counted = at + 1
        where[line] = number
    return where


def changed_lines(old: bytes, new: bytes, grain: int = 256) -> tuple[int, int]:
    """``(start, end)``: every line of ``new`` outside ``new[start:end]`` is a whole line of
    ``old`` (the two share it at their start or at their end), and ``new[start:end]`` is whole
    lines. ``end < start`` when no line is left between them.

    The shared start and end are found by galloping, then halving, with ``startswith`` and
    ``endswith`` on a memoryview (memcmp, no copies), to within ``grain`` bytes: a part found
    a little too short only leaves a few known lines in between, which the caller's set
    lookups drop.
    """
    n = min(len(old), len(new))
    first = min(n, grain)
    if first and not new.startswith(old[:first]) and not new.endswith(old[len(old) - first:]):
        return 0, len(new)  # a version written anew (what the search below finds, at once)
    view = memoryview(old)
    lo, step = 0, grain
    while lo < n:  # new[:lo] == old[:lo]
        hi = min(n, lo + step)
        if not new.startswith(view[lo:hi], lo):
            while hi - lo > grain:  # new[:hi] != old[:hi]
                mid = (lo + hi) // 2
                if new.startswith(view[lo:mid], lo):
                    lo = mid
                else:
                    hi = mid
            break
        lo, step = hi, step * 2
    start = new.rfind(b"\n", 0, lo) + 1  # after the last whole line of the shared start
    size_old, size_new = len(old), len(new)
    back, step = 0, grain
    while back < n:  # new[size_new - back:] == old[size_old - back:]
        hi = min(n, back + step)
        if not new.endswith(view[size_old - hi:size_old - back], 0, size_new - back):
            while hi - back > grain:
                mid = (back + hi) // 2
                if new.endswith(view[size_old - mid:size_old - back], 0, size_new - back):
                    back = mid
                else:
                    hi = mid
            break
        back, step = hi, step * 2
    # the first line break inside the shared end: the lines after it are whole lines of old
    end = new.find(b"\n", size_new - back)
    return start, size_new if end < 0 else end


REQUEST_BLOBS = 4096  # blob names per write to cat-file (~170 KiB)


def _read_blobs(ctx: RepoContext, blobs: list[Blob], raw: bool = False):
    """``(blob, text)`` of each text blob (``(blob, data)`` of every blob with ``raw``)."""
    if not blobs:
        return
    proc = gitcmd.popen(ctx.root, "cat-file", "--batch")
    # git reads ahead of us by up to a pipe's worth: a larger one lets it run on while this
    # process scans what it read (with 64 KiB, each waited for the other).
    gitcmd.widen_pipe(proc.stdout)

    # Fed from a thread so a large request list cannot dead-lock against a full output pipe;
    # in a few large writes, each of which lets go of the GIL until git has taken it all (one
    # write per blob waited for the GIL each time git emptied the pipe). Not in one: the whole
    # request of a long history (keras: 42,000 blobs) would add MiBs to the peak memory.
    def feed():
        try:
            for at in range(0, len(blobs), REQUEST_BLOBS):
                proc.stdin.write("".join([b.sha + "\n" for b in blobs[at:at + REQUEST_BLOBS]]).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for blob in blobs:
            header = proc.stdout.readline().split()
            if len(header) == 2 and header[1] == b"missing":
                ctx.cache.setdefault("history-unreadable", []).append(
                    f"object {header[0].decode(errors='replace')} ({blob.path}) is missing")
                continue
            if len(header) < 3:
                ctx.cache.setdefault("history-unreadable", []).append(
                    f"git stopped reading blobs at {blob.path}")
                break
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            if raw:
                yield blob, data
                continue
            text = decode_text(data)
            if text is not None:
                yield blob, text
    finally:
        proc.stdout.close()
        proc.wait()
        writer.join()


def _history_log(ctx: RepoContext) -> bytes:
    where = ["--", "."] if ctx.prefix else []  # a bare repository has no "." to limit to
    return ctx.git("log", *history_tips(ctx), "--raw", "--no-abbrev", "--no-renames",
                   "--no-textconv", "--no-ext-diff", "--format=C %H", *where, check=False,
                   background=True)


def scan_messages(ctx: RepoContext) -> list[tuple[str, SecretHit]]:
    """Secrets in commit messages (``git commit -m "token ..."``), one hit per commit and line.

    All messages are scanned as one text (a scan has a fixed cost); each line knows its commit."""
    out = ctx.git("log", *history_tips(ctx), "--format=%H%x00%B%x00", check=False)
    fields = out.split(b"\0")
    lines: list[str] = []
    owners: list[tuple[str, int]] = []
    for i in range(0, len(fields) - 1, 2):
        commit = fields[i].strip().decode("ascii", "replace")[:12]
        for number, line in enumerate(fields[i + 1].decode("utf-8", "replace").split("\n"), 1):
            lines.append(line)
            owners.append((commit, number))
    return _message_hits(lines, owners)


def _message_hits(lines: list[str], owners: list[tuple[str, int]]) -> list[tuple[str, SecretHit]]:
    """``(commit, hit)`` of the secrets in the message ``lines`` (``owners``: each line's commit
    and number there). Many messages (a long history's) are scanned on the lines the
    prefilter names only, as the versions are."""
    text = "\n".join(lines)
    picked = _prefiltered_lines(text) if len(text) >= PREFILTER_FROM // 8 else None
    if picked is not None:  # only the lines a rule can report anything on
        text = "\n".join(lines[i] for i in picked)
        owners = [owners[i] for i in picked]
    found = []
    for hit in scan_text(text) if picked is None or picked else ():
        if hit.bare:
            continue  # a message names code: "from transformers import ..., Qwen3ForCausalLM"
        commit, number = owners[hit.line - 1]
        found.append((commit, hit.at(number)))
    return found


def _prefiltered_lines(text: str) -> list[int] | None:
    """The indexes of the lines of ``text`` that a rule's loosened pattern matches in (see
    :mod:`prefilter`), in order; None when every line must be scanned (no RE2, a multi-line
    rule may match, characters RE2 folds otherwise). The hits of the scan of those lines alone
    are the hits of the whole text on them, at their lines."""
    natively = prefilter.compiled()
    if natively is None:
        return None
    data = text.encode("utf-8", "surrogatepass")
    places = natively.lines(data, "utf-8")
    if places is None:
        return None
    picked, line, counted = [], 0, 0
    for start, _ in places:
        line += data.count(b"\n", counted, start)
        counted = start
        picked.append(line)
    return picked


def _first_commits(ctx: RepoContext, shas: set[str], log: bytes | None = None):
    """From one walk of the history: the oldest commit that added each blob, as
    ``{sha: (short commit id, age)}`` (a larger age is older), and every path each blob had
    (``git rev-list --objects`` names a blob once, under one of its paths)."""
    out = _history_log(ctx) if log is None else log
    first: dict[str, tuple[str, int]] = {}
    paths: dict[str, set[str]] = defaultdict(set)
    if len(shas) > FEW_SHAS:
        lines = out.splitlines()
    else:  # the lines that name them, found in C: a few searches cost less than a pass in Python
        lines = _lines_naming(out, shas)
    commit, age = "", 0
    for line in lines:
        if isinstance(line, tuple):  # (commit, age) of the lines that follow
            commit, age = line
        elif line.startswith(b"C "):
            commit, age = line[2:14].decode(), age + 1
        elif line.startswith(b":"):
            meta, _, path = line.partition(b"\t")
            new_sha = meta.split(b" ", 4)[3].decode()
            if new_sha in shas:
                first[new_sha] = (commit, age)  # newest first: the last one seen is the oldest
                if not path.startswith(b'"'):  # C-quoted odd names keep their rev-list path
                    paths[new_sha].add(path.decode("utf-8", "surrogateescape"))
    return first, paths


# Up to this many blobs, _first_commits looks for each one in the log (a search in C per blob)
# instead of reading every line
FEW_SHAS = 32


def _lines_naming(out: bytes, shas: set[str]) -> list:
    """The lines of ``out`` (``_history_log``'s) that name one of ``shas`` as a field
    (`` sha ``), in order, each after the ``(commit, age)`` that a pass over every line would
    have reached there: the commit line above it, and how many commit lines there are up to it."""
    starts = set()
    for sha in shas:
        needle = f" {sha} ".encode()
        at = out.find(needle)
        while at >= 0:
            starts.add(out.rfind(b"\n", 0, at) + 1)
            at = out.find(needle, at + len(needle))
    first_is_commit = out.startswith(b"C ")
    picked: list = []
    age, counted = int(first_is_commit), 0
    for start in sorted(starts):
        if out[start:start + 1] != b":":
            continue  # (only a change line can name a blob)
        age += out.count(b"\nC ", counted, start)  # (no "\nC " spans a change line's start)
        counted = start
        above = out.rfind(b"\nC ", 0, start)
        commit = out[above + 3:above + 15] if above >= 0 else out[2:14] if first_is_commit else b""
        end = out.find(b"\n", start)
        picked += [(commit.decode(), age), out[start:len(out) if end < 0 else end]]
    return picked


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
    args = " ".join(shlex.quote(f"--path={_repo_path(ctx, p)}") for p in paths)
    return (f"rewrite the history without it (pip install git-filter-repo):\n"
            f"  git filter-repo --invert-paths {args}\n"
            "  git remote add origin <url>   # filter-repo removes origin after a rewrite\n"
            "  git push --force --all && git push --force --tags\n"
            "then have every collaborator re-clone (old clones still hold it)")


def purge_paths(result: "HistoryScan", key: str, paths: list[str]) -> list[str]:
    """What to purge: the folder when it never held anything else, otherwise the files."""
    if key.endswith("/") and key not in result.mixed:
        return [key]
    return sorted(paths)


def replace_text_hint(hit: SecretHit) -> str:
    """A ``--replace-text`` line that removes the secret by its shape, never by its value."""
    if hit.kind == "Private Key":
        rule = r"regex:-----BEGIN[^-]*PRIVATE KEY-----[\s\S]*?-----END[^-]*PRIVATE KEY-----==>REMOVED"
    elif len(hit.value) >= 12:
        head = re.escape(hit.value[:4])
        rule = f"regex:{head}\\S{{{len(hit.value) - 4}}}==>REMOVED"
    else:
        rule = "<the secret>==>REMOVED"
    return rule


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

    What ``tracked-data`` and ``tracked-model`` call a warning while it is tracked is a warning
    here too: a test fixture, and a sample that shipped with examples, documentation or a
    package (alibi's removed ``doc/source/examples/.../saved_model.pb``), up to
    history-large-blob's limit (5 MiB).
    """
    if not ctx.history:
        return
    result = scan(ctx)
    groups: dict[str, list[str]] = defaultdict(list)
    for path in result.artifacts:
        kind = artifacts.classify(path, result.artifacts[path][0].size)
        groups[_anchor(path, kind) or path].append(path)
    for key, paths in sorted(groups.items()):
        if key.endswith("/") and len(paths) == 1:
            key = paths[0]  # "`data/` (1 file)" says less than the file's name
        kind = artifacts.classify(paths[0], result.artifacts[paths[0]][0].size)
        blobs = [b for p in paths for b in result.artifacts[p]]
        biggest = max(blobs, key=lambda b: b.size)
        what = f"`{ctx.display(key)}` ({plural(len(paths), 'file')})" if key.endswith("/") else f"`{ctx.display(key)}`"
        hint = _purge_hint(ctx, purge_paths(result, key, paths))
        fixture = all(any(artifacts.is_test_dir(d) for d in p.split("/")[:-1])
                      and (kind is artifacts.SECRET or max(b.size for b in result.artifacts[p])
                           <= ctx.max_blob_size) for p in paths)
        # a sample that shipped with examples, documentation or a package (a warning while it
        # was tracked, as tracked-data and tracked-model say) is no more than that in the history
        sample = not fixture and shipped_sample(
            ctx, kind, paths, lambda p: max(b.size for b in result.artifacts[p]))
        if kind is artifacts.SECRET:
            hint = f"{ROTATE}; then {hint}"
        yield Problem(
            f"{what} ({kind.name}, {_human(biggest.size)}) "
            + ("is in the history" if ctx.is_bare else "is no longer tracked but is still in the history")
            + f"{_commit_note(result, biggest.sha)}; {kind.name} belong in {kind.where}"
            + (" (under tests/: a test fixture is advice only)" if fixture else "")
            + (f" ({sample}: a sample is advice only)" if sample else ""),
            hint, path=ctx.display(key), severity="warning" if fixture or sample else None)


@rule("history-secret", severity="error", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_secret(ctx: RepoContext):
    """A secret value is in a committed version of a file, even if the file on disk is clean.

    Deleting the line in a new commit does not remove it: the old version stays in the history
    and in every clone. (Deleting it only on disk does not even change the last commit.) A
    secret still in the file is reported once, by ``secret-in-file``. Every branch, tag and
    stash entry (``stash@{0}``, ``stash@{1}`` ...) is scanned, and so are commit messages. Each
    version is scanned for the lines it added, so a secret is reported at the commit that
    introduced it. Binary blobs are not scanned.

    Rotate the secret first (assume it is compromised), keep the new one in Azure Key Vault, then
    purge the old value with ``git filter-repo --replace-text`` and a ``regex:`` rule that
    matches its shape (it keeps the rest of the file; purging the whole file with
    ``--invert-paths`` would delete code from the history), and force-push.
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
            f"{ROTATE}; then purge the old value from the history, keeping the file (a regex "
            "that matches the secret's shape; `regex:` rules may span lines):\n"
            f"  printf '%s\\n' {shlex.quote(replace_text_hint(hit))} > replacements.txt\n"
            "  git filter-repo --replace-text replacements.txt\n"
            "  git remote add origin <url>   # filter-repo removes origin after a rewrite\n"
            "  git push --force --all && git push --force --tags",
            path=ctx.display(blob.path), line=hit.line, column=hit.column,
            severity=severity_for_path(hit, blob.path))
    for commit, hit in result.messages:
        yield Problem(
            f"{hit.kind} in the message of commit {commit}: {hit.masked}",
            f"{ROTATE}; then rewrite the message:\n"
            f"  printf '%s\\n' {shlex.quote(replace_text_hint(hit))} > messages.txt\n"
            "  git filter-repo --replace-message messages.txt\n"
            "  git push --force --all && git push --force --tags")


@rule("history-large-blob", severity="warning", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_large_blob(ctx: RepoContext):
    """A file in the history is larger than the limit (5 MiB unless ``--max-blob-size`` says).

    Large files make every clone and every CI checkout slow, and GitHub refuses files over
    100 MiB. In an ML project a large file is almost always data or a model in disguise (a
    ``.zip`` of images, a notebook full of outputs). Keep it in a datastore or the model
    registry; strip notebook outputs before committing. Files that are models, data or logs by
    their name are reported by ``history-artifact`` and ``tracked-*`` instead.

    With ``--no-history`` (the pre-commit mode) the tracked files are checked instead. A file
    over GitHub's 100 MiB limit is an error: the push will be refused.
    """
    if not ctx.history:
        for entry in ctx.entries:
            size = ctx.size(entry.path)
            if size is None or size <= ctx.max_blob_size or entry.mode == SYMLINK_MODE \
                    or artifacts.classify(entry.path, size) is not None:
                continue
            shown = ctx.display(entry.path)
            yield Problem(
                f"`{shown}` is {_human(size)} (limit {_human(ctx.max_blob_size)})"
                + (": GitHub refuses files over 100 MiB" if size > GITHUB_LIMIT else ""),
                "move it to an Azure ML datastore or the model registry and stop tracking it:\n"
                f"  git rm --cached -- {shlex.quote(shown)}",
                path=shown, severity="error" if size > GITHUB_LIMIT else None)
        return
    result = scan(ctx)
    for path, blob in sorted(result.large.items()):
        yield Problem(
            f"`{ctx.display(path)}` is {_human(blob.size)} in the history"
            f"{_commit_note(result, blob.sha)} (limit {_human(ctx.max_blob_size)})"
            + (": GitHub refuses files over 100 MiB" if blob.size > GITHUB_LIMIT else ""),
            "move it to an Azure ML datastore or the model registry, then purge it:\n"
            f"  git filter-repo --strip-blobs-bigger-than {max(1, ctx.max_blob_size // (1024 * 1024))}M",
            path=ctx.display(path), severity="error" if blob.size > GITHUB_LIMIT else None)


@rule("history-unreadable", severity="error", scope="repo", lesson="01-git-hygiene#repair-history",
      needs_git=True)
def history_unreadable(ctx: RepoContext):
    """Git could not read the whole history, so the history checks are incomplete.

    A missing or corrupt object (a damaged clone, an interrupted fetch, a repository copied
    without its ``.git/objects/pack`` files) stops ``git rev-list`` part-way: the commits it
    could not reach were not checked for models, data or secrets. The finding names what git
    could not read. Repair the clone (``git fsck --full`` shows the damage; re-clone, or
    ``git fetch`` the missing objects from the remote) and check again.
    """
    if not ctx.history:
        return
    scan(ctx)
    problems = list(dict.fromkeys(ctx.cache.get("history-unreadable", [])))
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        yield Problem(
            "the history could not be read completely, so models, data and secrets in it may "
            "have been missed: " + "; ".join(problems[:3]) + more,
            "run `git fsck --full` to see the damage, then re-clone (or `git fetch` the missing "
            "objects) and run the check again")
