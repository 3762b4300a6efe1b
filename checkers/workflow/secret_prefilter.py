"""Can a workflow's text hold anything the secret scanner reports? A cheap, exact "no".

``workflow-plaintext-secret`` runs :func:`checkers.repo.secretscan.scan_text` on the file's text.
Importing the scanner and reading its rule set (gitleaks' TOML, some 250 regular expressions)
costs more than checking a workflow, and most workflows cannot hold a finding: they name secrets
(``${{ secrets.AZURE_CLIENT_ID }}``, ``id-token: write``) without holding one. The scanner runs
a rule only when one of its keywords is in the lower-cased text, and reports only what the
rule's regular expression matches and its judgement keeps. So the text can hold a finding only
if one of these holds (otherwise the scan is skipped, with its imports):

* it contains a keyword of a rule not approximated here (almost any vendor's token prefix:
  ``ghp_``, ``akia``, ``-----begin``...): the scanner decides;
* it matches one of :data:`NECESSARY` (lower-cased): for each approximated rule, the part of its
  regular expression from its keyword to the first characters of its value, without anchors,
  look-arounds or upper bounds, so that it matches wherever the rule does;
* it has credentials in a URL whose password is not letters, ``_`` and ``-`` only (those the
  scanner judges to be code);
* a line holds one of the names generic-api-key and the unquoted ``name: value`` rule start from,
  followed by what reads like an assignment, and on that line the rule's own regular expression
  (a copy) matches a value the scanner would keep: above generic-api-key's entropy floor, and
  not let through by its allowlist (letters only, or one of gitleaks' stopwords), which the
  scanner applies to both rules.

The line checks rely on the scanner running these rules one line at a time (lines longer than
:data:`LONG_LINE` are left to it). The keyword list, the approximated rules, the copied
patterns and the allowlist are snapshots of the scanner's: ``tests/test_workflow_secret_prefilter.py``
fails when the scanner's rules change under them (review this module against the new rules,
then update :data:`KEYWORDS`, :data:`RULES_DIGEST` and ``secret_stopwords``), and checks on every
sample secret, workflow and line in the repository that nothing the scanner finds is skipped.
"""
from __future__ import annotations

import re

from .. import regexcache

# secretscan.prefilter_words(): every rule's keywords (lower case).
KEYWORDS = frozenset({
    '-----begin', '4b1d', '://', '<add key=', '_gitlab_session=', '_mmk', '_pub', 'a3-', 'a3t',
    'abia', 'absk', 'acca', 'access', 'accountkey=', 'adafruit', 'administrator_login_password',
    'adobe', 'age-secret-key-1', 'airtable', 'aiza', 'akcp', 'akia', 'algolia', 'alibaba', 'api',
    'api-', 'api_org_', 'artifactory', 'asana', 'asia', 'atatt3', 'atlassian', 'atlasv1', 'auth',
    'authress_', 'beamer', 'bedrock-api-key-', 'bintray', 'bitbucket', 'bittrex',
    'bundle_enterprise__contribsys__com', 'bundle_gems__contribsys__com', 'clientsecret',
    'clojars_', 'cloudflare', 'cmvmd', 'co_api_key', 'codecov', 'cohere', 'coinbase', 'confluence',
    'confluent', 'contentful', 'credential', 'creds', 'curl', 'dapi', 'datadog', 'discord',
    'dnkey', 'doo_v1_', 'dop_v1_', 'dor_v1_', 'dp.pt.', 'droneci', 'dropbox', 'dt0c01.', 'duffel_',
    'eaaa', 'eaac', 'eaam', 'enterprise.contribsys.com', 'etsy', 'ext_', 'ey', 'eyjrijoi', 'ezak',
    'eztk', 'facebook', 'fastly', 'finicity', 'finnhub', 'fio-u-', 'flickr', 'flwpubk_test',
    'flwseck_test', 'fm1', 'fm2_', 'fo1_', 'freshbooks', 'gems.contribsys.com', 'gho_', 'ghp_',
    'ghr_', 'ghs_', 'ghu_', 'github_pat_', 'gitter', 'glagent-', 'glc_', 'glcbt-', 'gldt-',
    'glffct-', 'glft-', 'glimt-', 'gloas-', 'glpat-', 'glptt-', 'glrt-', 'glsa_', 'glsoat-',
    'gocardless', 'gr1348941', 'heroku', 'hf_', 'hooks.slack.com', 'hrku-aa', 'hubspot', 'hvb.',
    'hvs.', 'ico-', 'incomingwebhook', 'intercom', 'intra', 'jfrog', 'jira', 'key', 'kraken',
    'kucoin', 'launchdarkly', 'lin_api_', 'linear', 'linked-in', 'linked_in', 'linkedin', 'live_',
    'live_pub', 'looker', 'ltai', 'mailchimp', 'mailgun', 'mapbox', 'mattermost', 'meraki',
    'message-bird', 'message_bird', 'messagebird', 'netlify', 'new-relic', 'new-york-times',
    'new_relic', 'newrelic', 'newyorktimes', 'npm_', 'nrak', 'nrii-', 'nrjs-', 'ntn_', 'nytimes',
    'okta', 'ops_', 'p8e-', 'passw', 'passwd', 'password', 'pat.', 'plaid', 'pmak-', 'pnu_',
    'pplx-', 'private key', 'private-ai', 'private_ai', 'privateai', 'pscale_oauth_', 'pscale_pw_',
    'pscale_tkn_', 'pul-', 'putty', 'pwd', 'pypi-ageichlwas5vcmc', 'q~', 'rapidapi', 'rdme_',
    'rk_live', 'rk_prod', 'rk_test', 'rubygems_', 's-s4t2af-', 's-s4t2ud-', 's.', 'sat.', 'sc_',
    'scauth_', 'secret', 'secret_key', 'sendbird', 'sentry', 'sg.', 'sgp_', 'sha256~',
    'sharedaccesskey=', 'shippo_', 'shpat_', 'shpca_', 'shppa_', 'shpss_', 'sig=', 'sk',
    'sk-ant-admin01', 'sk-ant-api03', 'sk_live', 'sk_prod', 'sk_test', 'sm_aat', 'sm_pat',
    'sm_sat', 'sntrys_eyjpyxqio', 'sntryu_', 'snyk', 'sonar', 'sourcegraph', 'sq0atp-',
    'squarespace', 'sumo', 't3blbkfj', 'telegr', 'test_', 'test_pub', 'tfp_', 'tk-us-', 'token',
    'travis', 'twitch', 'twitter', 'username', 'v1.0-', 'webhook.office.com', 'webhookb2', 'xapp',
    'xkeysib-', 'xoxa', 'xoxb', 'xoxe-', 'xoxe.xoxb-', 'xoxe.xoxp-', 'xoxo', 'xoxp-', 'xoxr',
    'xoxs', 'xray', 'yandex', 'zendesk', 'zxlk',
})

# The rules approximated by NECESSARY, and the keywords only they own (gitleaks rules with a
# path pattern never run on a workflow: the workflow rule scans text without a path).
APPROXIMATED = ("generic-api-key", "jwt", "lob-api-key", "twilio-api-key", "vault-service-token",
                "credentials in a URL", "hard-coded credential", "Kaggle API key (kaggle.json)")
COMMON = frozenset({"access", "api", "auth", "credential", "creds", "ey", "hvs.", "key",
                    "passw", "passwd", "password", "pwd", "s.", "secret", "sk", "test_",
                    "token", "username", "://"})
# sha256 of the approximated rules as the scanner defines them (see rules_digest()).
RULES_DIGEST = "94713a61017dda68e855c83bf5399b16b866d4d2eb795c780222b505c2fd4f49"

# Patterns for the rules other than the two below; matched against the lower-cased text.
# The rules that run line by line (all but Kaggle's) see one line at a time: those patterns never
# cross a line break (`(?!\n)\s`: white space but a newline).
NECESSARY = tuple(regexcache.compile(p) for p in (
    # hard-coded credential, quoted: every name it knows ends with one of these
    r"""(?:passw|pwd|secret|key|token)\w*["']?(?:(?!\n)\s)*(?::=|[:=]|=>)(?:(?!\n)\s)*[rbf]?["'][^"'\s]{8}""",
    r'"key"\s*:\s*"[0-9a-f]{32}"',       # Kaggle API key (kaggle.json): both forms hold this
    r"ey[a-z0-9]{17,}\.ey",              # jwt
    r"(?:live|test)_[a-f0-9]{35}",       # lob-api-key
    r"sk[0-9a-f]{32}",                   # twilio-api-key
    r"hvs\.[\w-]{90}",                   # vault-service-token
    r"s\.[a-z0-9]{24}",
))
# credentials in a URL, matched against the text itself: a password of letters, `_` and `-` only
# is judged to be code (`postgres://postgres:mandatory_for_the_image@localhost`), never reported.
URL_CREDENTIALS = regexcache.compile(r"""://[^:/\s@'"\x60]{1,64}:(?=[^:/\s@'"\x60]*[^:/\s@'"\x60A-Za-z_-])"""
                             r"""[^:/\s@'"\x60]{6,}@""")
# generic-api-key and the unquoted hard-coded credential match names that workflows are full of
# (`token:`, `key:`). Where, after such a name, the text reads like an assignment of a value
# (the patterns after the name, with room for the rest of a longer name), the line is checked
# with the rule's own regular expression (copied here; the tests compare it with the scanner's),
# generic-api-key's value against its entropy floor, and both values against the allowlist the
# scanner applies to both (generic-api-key's, from gitleaks), as the scanner does.
_NAMES = regexcache.compile(r"access|auth|api|credential|creds|key|passw|pwd|secret|token")
_GENERIC_TAIL = regexcache.compile(
    r"""[ \t\w.-]{0,40}(?:(?!\n)[\s'"]){0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)"""
    r"""(?:(?!\n)[\x60'"\s=]){0,5}(?:[\w.=-]{10}|[a-z0-9][a-z0-9+/]{11})""")
_UNQUOTED_TAIL = regexcache.compile(
    r"""[\w.-]{0,12}["']?[ \t]*[:=][ \t]*[^\s"'#$<{()\[\]][^\s"'#()\[\]]{7}""")
GENERIC = (  # compiled on first use (re caches it)
    r"""(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|"""
    r"""secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)"""
    r"""[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)""")
GENERIC_ENTROPY = 3.5
ALLOWED_VALUE = r"^[a-zA-Z_.-]+$"  # one of generic-api-key's allowlists (on the value)
UNQUOTED = (
    r"""(?im)^[ \t]*(?:export[ \t]+|-[ \t]+)?[\"']?(?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|"""
    r"""pwd|secret|api[_-]?key|access[_-]?key|client[_-]?secret|auth[_-]?token|access[_-]?token|"""
    r"""account[_-]?key|private[_-]?key|secret[_-]?key|openai[_-]?key|kaggle[_-]?key|hf[_-]?token|"""
    r"""huggingface[_-]?token|wandb[_-]?api[_-]?key|aws_secret_access_key|token|key)[\"']?[ \t]*"""
    r"""[:=][ \t]*(?P<value>[^\s\"'#$<{()\[\]][^\s\"'#()\[\]]{6,}[^\s\"'#()\[\],;])[,;]?[ \t]*"""
    r"""(?:#.*)?$""")
LONG_LINE = 2000  # the scanner cuts longer lines into windows: then it decides


def _trie(words: list[str]) -> str:
    """One regular expression for "any of these words", as a trie (``re`` tries an alternation
    of 200 literals one by one at every position; a trie, one character at a time). A word that
    is a prefix of longer ones ends its branch: finding it is enough."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    escaped = {char: re.escape(char) for char in set("".join(words))}

    def alternatives(node: dict) -> str:
        if "" in node:
            return ""
        parts = []
        for char in sorted(node):
            rest = alternatives(node[char])
            parts.append(escaped[char] + (f"(?:{rest})" if "|" in rest else rest))
        return "|".join(parts)

    return alternatives(root)


_OTHER_WORDS = tuple(sorted(KEYWORDS - COMMON))
_other: list = []  # the trie, compiled once a few texts have been checked word by word
_FEW = 8  # compiling the trie costs about as much as checking this many texts without it


def _has_other_keyword(low: str) -> bool:
    if len(_other) < _FEW:
        _other.append(None)
        return any(word in low for word in _OTHER_WORDS)
    if _other[-1] is None:
        _other.append(regexcache.compile(_trie(list(_OTHER_WORDS))))
    return _other[-1].search(low) is not None
_HUGE_RUN = regexcache.compile(r"[A-Za-z0-9+/=]{4096,}")


def could_hold_secret(text: str) -> bool:
    """False only when ``scan_text(text)`` (without a path) is sure to find nothing."""
    if len(text) > 4096 and _HUGE_RUN.search(text):
        return True  # the scanner blanks such runs first: let it decide
    if "\\" in text:  # the scanner reads `\"` as ` "` (code in JSON strings): so do we
        text = text.replace('\\"', ' "').replace("\\'", " '")
    low = text.lower()
    if len(low) != len(text):
        return True  # the scanner finds keywords in `low` at offsets of `text`: let it decide
    if _has_other_keyword(low) or any(p.search(low) for p in NECESSARY) \
            or URL_CREDENTIALS.search(text):
        return True
    checked = set()
    for match in _NAMES.finditer(low):
        end = match.end()
        if not (_GENERIC_TAIL.match(low, end) or _UNQUOTED_TAIL.match(low, end)):
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        if start in checked:
            continue
        checked.add(start)
        stop = text.find("\n", end)
        line = text[start:] if stop < 0 else text[start:stop]
        if len(line) > LONG_LINE:
            return True
        found = regexcache.compile(UNQUOTED).search(line)
        if found and not _allowed(found.group("value")):
            return True
        for found in regexcache.compile(GENERIC).finditer(line):
            value = found.group(1)
            if _shannon(value) > GENERIC_ENTROPY and not _allowed(value):
                return True
    return False


def _allowed(value: str) -> bool:
    """Does generic-api-key's own allowlist let ``value`` pass? The scanner applies it to both
    rules: names of letters only (`bert-base-uncased`), and gitleaks' stopwords (`python`)."""
    if regexcache.compile(ALLOWED_VALUE).search(value):
        return True
    from .secret_stopwords import STOPWORDS

    low = value.lower()
    return any(word in low for word in STOPWORDS)


def _shannon(text: str) -> float:
    """gitleaks' entropy, computed as the scanner does (the same float, compared alike)."""
    import math
    from collections import Counter

    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def owning_rules() -> list[tuple[str, tuple[str, ...], str]]:
    """(id or kind, keywords, pattern) of every scanner rule that runs on a workflow and owns a
    keyword of :data:`COMMON`, as the scanner defines it now (imports the scanner: for tests)."""
    from ..repo import gitleaks, secretscan

    rules = [(r.id, tuple(r.keywords), r.regex.pattern) for r in gitleaks.ruleset().rules
             if not r.path_pattern]
    rules += [(r.kind, tuple(r.keywords), r.regex.pattern) for r in secretscan.OWN_RULES]
    return sorted(r for r in rules if COMMON & set(r[1]))


def rules_digest() -> str:
    import hashlib

    return hashlib.sha256(repr(owning_rules()).encode()).hexdigest()
