"""The native prefilter of the history scan (``checkers.repo.prefilter``) never drops a finding.

Each rule's loosened RE2 pattern must match in every line where the rule's own pattern starts
a match (the samples of every rule, true and false, as plain lines and inside JSON strings);
the scan with the prefilter must report exactly what the plain scan reports on generated edit
histories (secrets inserted, deleted and repeated, private keys over several lines, Latin-1,
characters RE2 folds otherwise); and without the ``re2`` module the scan takes the plain way
with the same findings.
"""
from __future__ import annotations

import random
import re
import subprocess

import pytest

from checkers.repo import gitleaks, history, prefilter, secretscan
from checkers.repo.context import RepoContext
from checkers.repo.history import Blob, scan_new_lines

from .test_history_scan import as_set, corpus, plain, versions
from .test_secretscan import SAMPLES

re2 = pytest.importorskip("re2")


def rules_with_patterns():
    """(name, the rule's ``re`` pattern, its keywords, its RE2 pattern, how, one_line) in
    rule_patterns' order."""
    rules = [*secretscan.OWN_RULES, *(r for r, _ in secretscan._plan())]
    patterns = prefilter.rule_patterns()
    assert len(rules) == len(patterns)
    return [(name, rule.regex, rule.keywords, re2.compile(pattern), how, one_line)
            for rule, (name, pattern, how, one_line) in zip(rules, patterns)]


def test_every_rule_gets_a_pattern_and_few_are_cut():
    patterns = prefilter.rule_patterns()
    hows = [how for _, _, how, _ in patterns]
    assert all(pattern for _, pattern, _, _ in patterns)
    assert "none" not in hows
    assert hows.count("whole") >= len(hows) - 10
    assert prefilter.compiled() is not None


def test_loosened_patterns_match_where_every_rule_matches_in_its_samples():
    texts = corpus()
    # code inside a JSON string (a notebook): the scan reads `\"` as ` "`, so must the prefilter
    texts += ['"    ' + t.replace("\\", "\\\\").replace('"', '\\"') + '\\n",' for t in texts[:400]]
    texts += [f"value = {v}" for v in SAMPLES.values()]
    text = "\n".join(texts)
    scanned = text.replace('\\"', ' "').replace("\\'", " '")
    data = scanned.encode("utf-8", "surrogatepass")
    lines = scanned.split("\n")
    lows = [line.lower() for line in lines]
    checked = 0
    for name, rx, keywords, loose, how, one_line in rules_with_patterns():
        if one_line:  # the scan runs it on the lines that hold a keyword of it, one at a time
            matched = [(line, line) for line, low in zip(lines, lows)
                       if any(k in low for k in keywords) and rx.search(line)]
        else:  # on the whole batch: a match may go on over the next lines
            matched = []
            for match in rx.finditer(scanned):
                start = scanned.rfind("\n", 0, match.start()) + 1
                end = scanned.find("\n", match.start())
                matched.append((scanned[start:end if end >= 0 else len(scanned)], match.group(0)))
        for line, whole in matched:
            where = whole if how == "within a version" else line
            assert loose.search(where.encode("utf-8", "surrogatepass")), (name, line[:200])
            checked += 1
    assert checked > 500
    # and Prefilter.lines names each of those lines (or leaves the decision to the plain way)
    natively = prefilter.compiled()
    places = natively.lines(text.encode("utf-8", "surrogatepass"), "utf-8")
    if places is not None:
        found = {data[a:b] for a, b in places}
        for hit in secretscan.scan_text(text):
            line = scanned.split("\n")[hit.line - 1].encode("utf-8", "surrogatepass")
            assert line in found


def test_no_loosened_pattern_matches_across_a_line_break():
    for name, _, _, loose, _, _ in rules_with_patterns():
        assert not loose.fullmatch(b"\n"), name
        for a, b in ((b"token", b" = 'abcdefghijklmnop1234'"), (b"-----" b"BEGIN RSA", b" PRIVATE KEY-----")):
            if loose.search(a + b):
                assert not loose.search(a + b"\n" + b) or loose.search(b) or loose.search(a), name


def test_loosening_keeps_what_python_matches():
    cases = [
        (r"(?i)\bkey\s*=\s*(\w{8,})\b", ["KEY = abcdefgh1", "ß key=Größe12345"]),
        (r"^[^\s'\"]{4}$", ["abcd", "äöüß"]),
        (r"(?P<q>['\"])x{3,2000}(?P=q)", ["'xxx'", '"' + "x" * 1500 + '"']),
        (r"a(?=b)b|c(?!d)", ["ab", "ce"]),
        (r"(?s)BEGIN.{0,5}\nEND", ["BEGIN ab\nEND"]),
        (r"\d+\D\S\W", ["12a!!"]),
    ]
    for source, texts in cases:
        for one_line in (True, False):
            pattern, _ = prefilter.loosen(source, 0, one_line)
            loose = re2.compile(pattern)
            for text in texts:
                import re
                match = re.search(source, text)
                assert match
                line = text[:text.find("\n")] if "\n" in text else text
                assert loose.search(line.encode()), (source, text, pattern)


def _with_keys(rng: random.Random, n: int = 80):
    """Edit histories with private keys (several lines, sometimes re-added), notebooks' JSON
    strings, characters RE2 and Python fold differently, an encoded run."""
    body = "\n".join("MIIEowIBAAKCAQEA" + "".join(rng.choice("ABCDEFabcdef0123456789+/") for _ in range(48))
                     for _ in range(4))
    key = "-----" "BEGIN RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----"
    extra = [key, '"    token = \\"' + SAMPLES["GitHub Token"] + '\\"\\n",', "ſecret ıd \u212aey = 'Zm9vYmFyYmF6cXV4'",
             "data: " + "QUJD" * 1100, "kind: Secret\ndata:\n  password: " + "c2VjcmV0cGFzc3dvcmQxMjM0NQ==",
             '{"username": "kai",\n "key": "' + "3f9a8c7d6e5b4a39281706f5e4d3c2b1" + '"}']
    out = []
    for blob, data in versions(rng, n=n, lines=30):
        if data and not data.startswith(b"\x00") and rng.random() < 0.3:
            lines = data.split(b"\n")
            lines.insert(rng.randint(0, len(lines)), rng.choice(extra).encode())
            data = b"\n".join(lines)
            blob = Blob(blob.sha, len(data), blob.path)
        out.append((blob, data))
    return out


def _native(blobs):
    stored = {b.sha: d for b, d in blobs}
    return dict(native=prefilter.compiled,
                reread=lambda wanted: (stored[b.sha] for b in wanted))


@pytest.mark.parametrize("seed", range(10))
def test_the_prefilter_reports_what_the_plain_scan_reports(seed):
    blobs = versions(random.Random(seed), n=80, lines=40)
    expected = scan_new_lines(blobs, worker=False)
    assert as_set(expected) == plain(blobs)
    assert scan_new_lines(blobs, worker=False, **_native(blobs)) == expected


@pytest.mark.parametrize("seed", range(10))
def test_multi_line_secrets_and_odd_characters_take_the_plain_way_with_the_same_findings(seed):
    blobs = _with_keys(random.Random(100 + seed))
    expected = scan_new_lines(blobs, worker=False)
    assert any(h.kind == "Private Key" for _, h in expected)
    assert scan_new_lines(blobs, worker=False, **_native(blobs)) == expected


@pytest.mark.parametrize("seed", range(6))
def test_versions_searched_together_report_what_each_alone_reports(seed, monkeypatch):
    """Small groups: many searches on their threads, each version's lines mapped back from
    the joined text; keys, odd characters and Latin-1 among them."""
    blobs = _with_keys(random.Random(300 + seed), n=60)
    expected = scan_new_lines(blobs, worker=False)
    monkeypatch.setattr(history, "BULK", 200 + 300 * seed)
    assert scan_new_lines(blobs, worker=False, **_native(blobs)) == expected


def test_the_joined_search_finds_each_text_s_own_lines():
    natively = prefilter.compiled()
    rng = random.Random(11)
    texts = [data for _, data in _with_keys(rng, n=120) if data and not data.startswith(b"\x00")]
    texts = [t for t in texts if natively.readable(t, "utf-8")] + [b"", b"x", b"token = 'abcdefgh12345678'"]
    joined = b"\n".join(texts)
    found = natively.bulk(joined, parallel=True)
    assert found == natively.bulk(joined)
    at = 0
    alones = []
    for text in texts:
        mine = [(a - at, b - at, c) for a, b, c in found if at <= a <= at + len(text)]
        alones.append(natively.lines(text, "utf-8"))
        if any(c for _, _, c in mine):
            assert alones[-1] is None
        else:
            assert alones[-1] == [(a, b) for a, b, _ in mine]
        at += len(text) + 1
    # a multi-line rule's start in some texts, lines to scan in others, nothing in others
    assert None in alones and [] in alones and any(alones)


def test_most_versions_skip_the_line_work(monkeypatch):
    blobs = versions(random.Random(7), n=120, lines=200)
    decoded = []
    original = history._few_new_lines

    def spy(*args, **kwargs):
        decoded.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(history, "_few_new_lines", spy)
    scan_new_lines(blobs, worker=False, **_native(blobs))
    assert len(decoded) < 5


def _git(root, *args, data=None):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                   capture_output=True, input=data)


def test_without_re2_the_scan_takes_the_plain_way_with_the_same_findings(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    rng = random.Random(5)
    for i, (blob, data) in enumerate(_with_keys(rng, n=40)):
        if data.startswith(b"\x00"):
            continue
        (tmp_path / blob.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / blob.path).write_bytes(data)
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-q", "--allow-empty", "-m", f"edit {i}")
    for path in {b.path for b, _ in _with_keys(random.Random(5), n=40)}:
        (tmp_path / path).write_text("clean\n")  # on disk clean: every finding is history's
    _git(tmp_path, "commit", "-q", "-am", "clean")
    monkeypatch.setattr(history, "PREFILTER_FROM", 0)

    def found():
        result = history.scan(RepoContext(root=tmp_path))
        return sorted((b.path, b.sha, h.line, h.column, h.kind, h.value) for b, h in result.secrets)

    used = []
    compiled = prefilter.compiled
    monkeypatch.setattr(prefilter, "compiled", lambda: used.append(1) or compiled())
    with_native = found()
    assert used and with_native
    assert any(kind == "Private Key" for *_, kind, _ in with_native)
    # the module missing at run time: compiled() says None, and the plain way runs
    monkeypatch.setattr(prefilter, "compiled", compiled)
    monkeypatch.setattr(prefilter, "re2", None)
    compiled.cache_clear()
    try:
        assert prefilter.compiled() is None
        assert found() == with_native
    finally:
        compiled.cache_clear()



def test_a_foreign_re2_module_means_the_plain_way(monkeypatch):
    """Another package's `re2` (pyre2, fb-re2: other APIs) must not break the scan."""
    class Foreign:
        @staticmethod
        def compile(*args, **kwargs):
            raise TypeError("not google-re2")

    monkeypatch.setattr(prefilter, "re2", Foreign)
    prefilter.compiled.cache_clear()
    prefilter._matches_newline.cache_clear()
    try:
        assert prefilter.compiled() is None
        blobs = versions(random.Random(1))
        assert scan_new_lines(blobs, worker=False, native=prefilter.compiled) == \
            scan_new_lines(blobs, worker=False)
    finally:
        prefilter.compiled.cache_clear()
        prefilter._matches_newline.cache_clear()


@pytest.mark.parametrize("seed", range(4))
def test_messages_scanned_on_the_prefilter_s_lines_give_the_same_hits(seed, monkeypatch):
    rng = random.Random(400 + seed)
    lines, owners = [], []
    for commit, (_, data) in enumerate(_with_keys(rng, n=60)):
        if data.startswith(b"\x00"):
            continue
        for number, line in enumerate(data.decode("utf-8", "replace").split("\n")[:12], 1):
            lines.append(line)
            owners.append((f"{commit:012x}", number))
    # without the starts of multi-line rules' matches and the characters RE2 folds otherwise
    keyless = [i for i, line in enumerate(lines)
               if not any(c in line for c in ("PRIVATE KEY", "username", "kind:", *"\u017f\u0131\u212a\u0130"))]
    picked = []
    original = history._prefiltered_lines
    monkeypatch.setattr(history, "_prefiltered_lines",
                        lambda text: picked.append(original(text)) or picked[-1])
    for chosen in (range(len(lines)), keyless):  # with keys: the plain way; without: RE2's lines
        some_lines, some_owners = [lines[i] for i in chosen], [owners[i] for i in chosen]
        monkeypatch.setattr(history, "PREFILTER_FROM", 1 << 40)
        expected = history._message_hits(some_lines, some_owners)
        assert expected
        monkeypatch.setattr(history, "PREFILTER_FROM", 0)
        assert history._message_hits(some_lines, some_owners) == expected
    assert picked[0] is None and picked[-1]
