"""Module 01, Git hygiene for ML: the checks behind each exercise.

Each ``check_*`` function takes the learner's answer (plain data: a dict, a string of
``.gitignore`` lines, a shell script) and returns a :class:`~checkers.findings.Result`.

Answer keys are not in this module: they live in the grader-only :mod:`checkers.course.keys`
package, loaded only by the checks that need one. The notebook never imports a check; its
self-check cells run them in a separate process (:mod:`checkers.course.selfcheck`), so no key
enters the learner's kernel, and a student distribution without ``keys/`` still works.

Hints come as a ladder (:func:`~checkers.course.feedback.problem`'s ``more``): the first
attempt shows the principle and the first step, later attempts show more.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

from ..findings import Finding, Result
from ..registry import all_rules
from ..repo import check_repo
from .feedback import problem, result
from .quiz import judge_quiz, one_question
from .quiz import quiz_text as _quiz_text
from .sandbox import Sandbox

LESSON = "01-git-hygiene"

# --- Exercise 1: what goes where -------------------------------------------------------------
GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT = (
    "git", "model registry", "data assets", "mlflow", "key vault")
PLACES = (GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT)
ARTIFACTS = (
    "src/train.py",
    "pipelines/training-pipeline.yaml",
    "environments/training-env.yaml",
    "components/train/component.yaml",
    "infra/main.bicep",
    ".github/workflows/train-on-push.yml",
    "config/hyperparameters.yaml",
    "outputs/churn-model.pkl",
    "data/churn-2026-10.parquet",
    "mlruns/ (metrics and logs of a run)",
    ".env with AZURE_STORAGE_KEY=...",
)
RULE_OF_THUMB = ("Git holds what a person writes and reviews; the platform holds what a run "
                 "produces (models, data, metrics) or needs in secret (keys)")
# Checked in this order, whole words only: "the registry, not Git" names the registry, "MLflow
# model registry" is a model registry (not tracking), and "GitHub secrets" a secret store. Git
# comes last because answers mention it to rule it out.
_SYNONYMS = (
    (KEY_VAULT, ("key vault", "keyvault", "vault", "secret", "secrets")),
    (MODEL_REGISTRY, ("model registry", "models registry", "registry")),
    (MLFLOW, ("mlflow", "tracking", "experiment", "experiments")),
    (DATA_ASSETS, ("data asset", "data assets", "datastore", "data store", "dataset", "data")),
    (MODEL_REGISTRY, ("model", "models")),
    (GIT, ("git", "github", "repo", "repository")),
)


def _keys(checkable: list[Finding] = ()):
    """The answer key (grader-only); without one, ``AnswerKeyMissing`` carries ``checkable``."""
    from .answer_keys import AnswerKeyMissing, load

    try:
        return load("module01")
    except AnswerKeyMissing as missing:
        missing.findings = list(checkable)
        raise


def normalise_place(answer: object) -> str | None:
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower()
    if text in PLACES:
        return text
    for place, words in _SYNONYMS:
        if any(re.search(rf"\b{re.escape(word)}\b", text) for word in words):
            return place
    return None


def check_sorting(answer: object) -> Result:
    """Exercise 1: ``answer`` maps every artifact in ARTIFACTS to one of PLACES."""
    ex = "exercise-1-sort"
    lesson = f"{LESSON}#what-goes-in-git"
    if not isinstance(answer, dict):
        return result([problem(ex, lesson, f"expected a dict, got {type(answer).__name__}",
                               "fill in WHERE = {artifact: place, ...} in the answer cell")])
    findings, judged = [], []
    for artifact in ARTIFACTS:
        given = answer.get(artifact)
        if artifact not in answer or given is None:
            findings.append(problem(ex, lesson, f"`{artifact}` is not sorted yet",
                                    "replace its None with one of GIT, MODEL_REGISTRY, "
                                    "DATA_ASSETS, MLFLOW, KEY_VAULT", path=artifact))
        elif not isinstance(given, str) or normalise_place(given) is None:
            findings.append(problem(
                ex, lesson, f"`{artifact}`: {given!r} is none of the five places",
                "use one of the constants GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT",
                path=artifact))
        else:
            judged.append(artifact)
    unknown = sorted(set(answer) - set(ARTIFACTS), key=str)
    for extra in unknown[:3]:
        findings.append(problem(ex, lesson, f"{extra!r} is not one of the artifacts to sort",
                                "keep the keys of the starter dict as they are", path=str(extra)))
    if judged:
        keys = _keys(findings)
        for artifact in judged:
            place, clue = keys.PLACE_OF[artifact]
            if normalise_place(answer[artifact]) != place:
                findings.append(problem(
                    ex, lesson, f"`{artifact}`: {answer[artifact]!r} is not where it belongs",
                    RULE_OF_THUMB, more=[clue], path=artifact))
    return result(findings)


# --- Exercise 2: .gitignore ------------------------------------------------------------------
GITIGNORE_RULES = ("gitignore-missing", "gitignore-ignores-code")
_GITIGNORE_PRINCIPLE = {
    "gitignore-missing": "ignore by extension (`*.pkl`) and by folder (`models/`), so a file is "
                         "caught wherever it is saved; start with the kind named in the message",
    "gitignore-ignores-code": "a pattern that matches what people write drops it from the "
                              "project: make the pattern narrower (a folder, an extension of "
                              "outputs only) instead of adding exceptions",
}


def check_gitignore(text: object) -> Result:
    """Exercise 2: a .gitignore, judged by git itself through the repository checker."""
    if text is not None and not isinstance(text, str):
        return result([problem("exercise-2-gitignore", f"{LESSON}#ignore-files",
                               f"GITIGNORE is a {type(text).__name__}, not text",
                               'write the lines as one string, between the triple quotes: '
                               'GITIGNORE = """ ... """', path=".gitignore")])
    if not text or not text.strip():
        return result([problem("exercise-2-gitignore", f"{LESSON}#ignore-files",
                               "the .gitignore is empty", "write its lines into GITIGNORE",
                               path=".gitignore")])
    with Sandbox() as box:
        box.git("init", "-q")
        box.write({".gitignore": text if text.endswith("\n") else text + "\n"})
        found = check_repo(box.repo, select=GITIGNORE_RULES)
    return result([*_gitignore_typos(text),
                   *_principle_first(found.findings, _GITIGNORE_PRINCIPLE)])


# What git reads differently from what a learner meant: the pattern then matches nothing, and
# git's verdict ("models would be committed") alone does not say which line is to blame.
_ESCAPABLE = set("#!*?[] \\")


def _gitignore_typos(text: str) -> list[Finding]:
    ex, lesson = "exercise-2-gitignore", f"{LESSON}#ignore-files"
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        if line[0] in " \t":
            found.append(problem(
                ex, lesson, f"`{line}` starts with {'a tab' if line[0] == chr(9) else 'spaces'}: "
                "git keeps leading whitespace as part of the pattern, so it matches no file "
                "you meant",
                f"start the pattern at the beginning of the line: `{pattern}`",
                path=".gitignore", line=number, severity="warning"))
        if re.search(r"\s#", pattern):
            meant = pattern.split("#", 1)[0].rstrip()
            found.append(problem(
                ex, lesson, f"`{pattern}`: git has no comments at the end of a line, so "
                "the `#` and the words after it are part of the pattern, which matches no file",
                f"put the comment on a line of its own, above the pattern: `{meant}`",
                path=".gitignore", line=number, severity="warning"))
        if any(ch == "\\" and (i + 1 == len(pattern) or pattern[i + 1] not in _ESCAPABLE)
               for i, ch in enumerate(pattern)):
            found.append(problem(
                ex, lesson, f"`{pattern}` uses a backslash: in a .gitignore `\\` escapes the "
                "next character (Windows paths do not apply), so this matches no file you meant",
                "separate folders with a forward slash, on every system: "
                f"`{pattern.replace(chr(92), '/')}`",
                path=".gitignore", line=number, severity="warning"))
    return found


def _ladder(first: str, more: list[str]) -> str:
    from .feedback import ladder

    return ladder(first, more)


def _failure(proc) -> str:
    """Which line of the learner's commands failed, and what it said."""
    lines = [l for l in (proc.stderr or "").strip().splitlines() if l.strip()]
    failed = next((l for l in reversed(lines) if re.match(r"line \d+: ", l)), None)
    said = [l for l in lines if l != failed][-2:]
    out = [l.strip() for l in (proc.stdout or "").strip().splitlines() if l.strip()]
    # git commit says why it refused on stdout ("nothing to commit ..."): that is the reason,
    # not what earlier commands wrote on stderr ("Switched to a new branch ...")
    refused = [l for l in out if _NOTHING_TO_COMMIT.search(l)]
    if refused or not said:
        said = refused[-1:] or out[-2:]
    where = failed or f"exit status {proc.returncode}"
    return f"the commands stopped at {where}" + (f" ({' '.join(said)})" if said else "")


_NOTHING_TO_COMMIT = re.compile(r"nothing to commit|nothing added to commit|no changes added to commit")


def _failure_hint(proc, try_it: str) -> str:
    """The usual causes of a stopped script, said in the learner's terms, before ``try_it``."""
    lines = (proc.stderr or "").strip().splitlines()
    failed = next((l for l in reversed(lines) if re.match(r"line \d+: ", l)), "")
    command = failed.split(": ", 1)[-1]
    said = (proc.stderr or "") + (proc.stdout or "")
    hints = []
    if re.search(r"\\[A-Za-z0-9_.-]", command) and re.search(r"[A-Za-z0-9_.-]\\", command):
        hints.append("a path with `\\` (a Windows path): the shell treats `\\` as an escape "
                     "and drops it, so the command got another path; separate folders with `/`")
    if re.search(r"problem with the editor|supply the message", said):
        hints.append("`git commit` without `-m` opens an editor, and no editor can open here: "
                     "give the message on the command line, `git commit -m \"what and why\"`")
    if _NOTHING_TO_COMMIT.search(said):
        hints.append("git found nothing to commit: `git add` the changes first (or the "
                     "command before it did not change what you expected)")
    return "; ".join([*hints, try_it]) if try_it else "; ".join(hints)


def _run_script(ex: str, lesson: str, script: object, variable: str, build, judge,
                box: Sandbox | None, timeout: float = 30, try_it: str = "") -> Result:
    """Build the scenario in a fresh sandbox, run the learner's commands there, judge the result."""
    if script is not None and not isinstance(script, str):
        return result([problem(ex, lesson, f"{variable} is a {type(script).__name__}, not text",
                               f'write the commands as one string, one per line: {variable} = '
                               'r"""\ngit ...\n"""')])
    if script is None or not any(
            line.strip() and not line.lstrip().startswith("#") for line in script.splitlines()):
        return result([problem(ex, lesson, "no commands to run yet", f"write them into "
                               f"{variable}, one per line, in place of the placeholder comment")])
    own = box is None
    box = box or Sandbox()
    try:
        build(box)
        proc = box.run(script, timeout=timeout)
        findings = []
        if proc.returncode != 0:
            findings.append(problem(ex, lesson, _failure(proc), _failure_hint(proc, try_it)))
        findings.extend(judge(box))
        return result(findings)
    finally:
        if own:
            box.close()


def _origin_history(box: Sandbox, *paths: str) -> list[str]:
    """Which of ``paths`` any branch or tag of the sandbox's shared ``origin`` still holds."""
    out = subprocess.run(["git", "--git-dir", str(box.origin), "log", "--all", "--format=",
                          "--name-only", "--", *paths], env=box.env, text=True,
                         capture_output=True).stdout
    return sorted(set(out.split()) & set(paths))


# --- Exercise 3: repair a leaky repository ----------------------------------------------------
LEAKY_CODE = {
    "src/train.py": "import joblib\n\n\ndef train(data):\n    ...\n",
    "src/prepare.py": "def prepare(raw):\n    return raw\n",
    "README.md": "# Churn model\n",
}
LEAKED = ("models/churn-model.pkl", ".env")
REPAIR_RULES = ("tracked-model", "tracked-secret-file", "history-artifact", "secret-in-file",
                "history-secret")
LEAKED_KEY_PARTS = ("bmV1cmFs", "c3Bhcms=")  # assembled at run time: no key sits in the source


def leaked_connection_string() -> str:
    key = (LEAKED_KEY_PARTS[0] * 10) + LEAKED_KEY_PARTS[1]
    return f"DefaultEndpointsProtocol=https;AccountName=neuralsparkdata;AccountKey={key}"


def build_leaky_repo(box: Sandbox) -> None:
    """The scenario: a data scientist committed the model and the .env, pushed, kept working."""
    box.init_repo()
    box.write(LEAKY_CODE)
    box.commit("Add churn training code")
    # this commit holds no bad file, so a history rewrite keeps its id: proof that the project's
    # own history survived (re-creating a commit with the same message gives another id)
    box.first_commit = box.git("rev-parse", "HEAD").strip()
    box.write({"models/churn-model.pkl": b"\x80\x04\x95 pretend these are weights",
               ".env": f"AZURE_STORAGE_CONNECTION_STRING={leaked_connection_string()}\n"})
    box.commit("Train churn model and save it")
    box.write({"src/train.py": LEAKY_CODE["src/train.py"] + "\nC = 0.5\n"})
    box.commit("Tune regularisation")
    box.git("push", "-q", "-u", "origin", "main")  # the leak reached the shared repository


def check_repair(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 3: ``script`` (shell commands) repairs the leaky repository and its origin."""
    ex, lesson = "exercise-3-repair", f"{LESSON}#repair-history"
    return _run_script(ex, lesson, script, "REPAIR_SCRIPT", build_leaky_repo, lambda box: [
        *_repo_findings(box, ex, lesson),
        *_repair_kept_the_project(box, ex, lesson),
        *_repair_reached_origin(box, ex, lesson)], box,
        try_it="try the commands one at a time on a fresh copy: leaky = Sandbox(); "
               "build_leaky_repo(leaky); leaky.sh(\"...\")")


def _repo_findings(box: Sandbox, ex: str, lesson: str) -> list[Finding]:
    found = check_repo(box.repo, select=REPAIR_RULES).findings
    backups = box.run("git for-each-ref --format='%(refname)' refs/original/").stdout.split()
    if not backups:
        return _principle_first(found, _REPAIR_PRINCIPLE)
    # git filter-branch rewrote the branch but kept the old one as a backup ref: the files are
    # still in the repository through refs/original/, and the next push --mirror ships them
    return [replace(f, message=f"{f.message} (the backup refs that git filter-branch left under "
                    f"refs/original/ still hold the files: {', '.join(backups)})",
                    hint=_ladder("delete filter-branch's backup refs: the old history is "
                                 "reachable from them", [
                                     "git for-each-ref --format='%(refname)' refs/original/ | "
                                     "xargs -n 1 git update-ref -d",
                                     "then drop what is unreachable: git reflog expire "
                                     "--expire=now --all && git gc -q --prune=now (git "
                                     "filter-repo does all this by itself)"]))
            if f.rule == "history-artifact" else f
            for f in _principle_first(found, _REPAIR_PRINCIPLE)]


_REPAIR_PRINCIPLE = {
    "history-artifact": "untracking a file changes the next commit only: every earlier commit "
                        "still holds the file, so rewrite the history without it",
    "tracked-model": "a tracked file goes into every commit: stop tracking the model (it stays "
                     "on disk) and make sure it cannot be added again",
    "tracked-secret-file": "a tracked file goes into every commit: stop tracking the .env (it "
                           "stays on disk) and make sure it cannot be added again",
    "secret-in-file": "a secret in a committed file is readable by everyone with a clone: take "
                      "it out of the file and out of the history",
    "history-secret": "a secret stays in every earlier commit until the history is rewritten",
}


def _principle_first(found: list[Finding], principles: dict[str, str]) -> list[Finding]:
    """The repository checker's hints show the exact fix: make them the ladder's last step."""
    return [replace(f, hint=_ladder(principles[f.rule], [f.hint])) if f.rule in principles
            else f for f in found]


def _repair_kept_the_project(box: Sandbox, ex: str, lesson: str) -> list[Finding]:
    found = []
    log = box.run("git log --all --format=%s").stdout
    kept = box.run(f"git merge-base --is-ancestor {box.first_commit} HEAD").returncode == 0
    if not kept or "Tune regularisation" not in log:
        found.append(problem(ex, lesson, "the project's own history is gone (its first commit is "
                             "no longer in it)", "rewrite only the bad files out of the history; "
                             "never delete .git", more=["git filter-repo --invert-paths --path "
                                                         "<file> removes one file from every commit"]))
    tracked = box.run("git ls-files").stdout.split()
    for path in ("src/train.py", "src/prepare.py"):
        if path not in tracked:
            found.append(problem(ex, lesson, f"`{path}` is no longer tracked",
                                 "only the model and the .env should leave Git", path=path))
    ignored = box.run("git check-ignore --no-index -q models/churn-model.pkl && "
                      "git check-ignore --no-index -q .env && git ls-files --error-unmatch .gitignore "
                      ">/dev/null 2>&1 && git diff --quiet HEAD -- .gitignore")
    if ignored.returncode != 0:
        found.append(problem(ex, lesson, "the model and the .env are not ignored by a committed "
                             ".gitignore, so the next `git add .` (in any clone) commits them again",
                             "a .gitignore protects every clone only once it is committed",
                             more=["add a pattern for the model and one for the .env to "
                                   ".gitignore, then git add .gitignore and commit it"],
                             path=".gitignore"))
    return found


def _repair_reached_origin(box: Sandbox, ex: str, lesson: str) -> list[Finding]:
    """The shared repository must lose the files too, and the remote must be back for next time."""
    found = []
    remote = box.run("git remote get-url origin")
    if remote.returncode != 0:
        found.append(problem(
            ex, lesson, "the repository has no `origin` remote any more: git filter-repo removes "
            "it after rewriting, so that nobody pushes the rewritten history by accident",
            "put it back before you push: note its address before the rewrite",
            more=["before git filter-repo, keep what `git remote get-url origin` prints in a "
                  "shell variable; after it, `git remote add origin` with that address"]))
    still = _origin_history(box, *LEAKED)
    if still:
        found.append(problem(
            ex, lesson, f"origin (the shared repository) still holds {', '.join(still)} in its "
            "history: every new clone gets them", "a rewritten history replaces the shared one "
            "only when you push it over it", more=["git push --force origin main (on a real "
                                                    "project: every branch and tag, --all and --tags)"]))
    return found


SECRET_CHOICES = {
    "a": "Nothing more: the history no longer contains it.",
    "b": "Rotate the key at once, and keep the new one in Azure Key Vault.",
    "c": "Make the repository private, so that nobody else can read it.",
    "d": "Encrypt the .env file with a password and commit it again.",
}


def check_secret_action(answer: object) -> Result:
    """Exercise 3b: a single choice; the key and the explanations live in keys/."""
    ex, lesson = "exercise-3-secret", f"{LESSON}#repair-history"
    choice = answer.strip().lower() if isinstance(answer, str) else None
    if choice not in SECRET_CHOICES:
        return result([problem(ex, lesson, f"{answer!r} is not one of {', '.join(SECRET_CHOICES)}",
                               "set SECRET_ACTION to one letter")])
    keys = _keys()
    if choice != keys.SECRET_ACTION:
        return result([problem(ex, lesson, f"{choice}) is not enough. {keys.SECRET_ACTION_WHY[choice]}",
                               "what makes a leaked value useless?")])
    return result([], notes=[f"{choice}) {keys.SECRET_ACTION_WHY[choice]}"])


# --- Exercise 4: scaffold the documented layout -----------------------------------------------
_LAYOUT_PRINCIPLE = {
    "repo-layout": "everyone (and every workflow) finds things where the documented layout puts "
                   "them: create the folder the message names, with its files",
    "gitignore-missing": "the new repository needs a .gitignore like the one of exercise 2",
}


def check_scaffold(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 4: ``script`` creates the documented layout in a new repository and commits it."""
    ex, lesson = "exercise-4-layout", f"{LESSON}#repository-layout"

    def judge(box: Sandbox) -> list[Finding]:
        found = []
        if not box.run("git rev-parse -q --verify HEAD").stdout.strip():
            found.append(problem(ex, lesson, "nothing was committed",
                                 "files count once they are committed",
                                 more=["end with git add -A && git commit -m \"...\""]))
        # every repository rule, warnings included: the layout is what this exercise is about
        # (the workflows are empty files for now; module 02 fills them in and checks them)
        repo_rules = [r.id for r in all_rules("repo")]
        return found + [replace(f, severity="error") for f in _principle_first(
            check_repo(box.repo, select=repo_rules).at_least("warning"), _LAYOUT_PRINCIPLE)]

    return _run_script(ex, lesson, script, "SCAFFOLD_SCRIPT", lambda box: box.init_repo(),
                       judge, box, try_it="try them one at a time: box = Sandbox(); "
                       "box.init_repo(); box.sh(\"...\")")


# --- Exercise 5: a feature branch ---------------------------------------------------------------
FEATURE_BRANCH = "feature/improve-churn-model"
CONFIG_PATH = "config/hyperparameters.yaml"
MAX_ITER_BEFORE = 200
TEAM_TRAIN = '''\
"""Train the churn model: logistic regression by gradient descent.

Settings come from config/hyperparameters.yaml: C (inverse regularisation strength) and
max_iter (iterations of the solver).
"""
from __future__ import annotations

import math
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "config" / "hyperparameters.yaml"


def load_config(path=CONFIG) -> dict:
    settings = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep or not value.strip():
            raise ValueError(f"{path}:{number}: expected `name: number`")
        value = value.strip()
        settings[key.strip()] = float(value) if any(c in value for c in ".eE") else int(value)
    return settings


def train(rows, labels, C=1.0, max_iter=200, rate=0.5):
    weights = [0.0] * (len(rows[0]) + 1)
    for _ in range(max_iter):
        grad = [w / (C * len(rows)) for w in weights[:-1]] + [0.0]
        for x, y in zip(rows, labels):
            p = 1 / (1 + math.exp(-(weights[-1] + sum(w * v for w, v in zip(weights, x)))))
            for i, v in enumerate(x):
                grad[i] += (p - y) * v / len(rows)
            grad[-1] += (p - y) / len(rows)
        weights = [w - rate * g for w, g in zip(weights, grad)]
    return weights


def predict(weights, row) -> int:
    return int(weights[-1] + sum(w * v for w, v in zip(weights, row)) > 0)
'''
TEAM_TESTS = '''\
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
import train  # noqa: E402


class TrainTest(unittest.TestCase):
    def test_config_holds_valid_settings(self):
        settings = train.load_config()
        self.assertGreater(settings["C"], 0)
        self.assertIsInstance(settings["max_iter"], int)
        self.assertGreater(settings["max_iter"], 0)

    def test_model_separates_churners(self):
        rows = [[0.1, 1.0], [0.2, 0.9], [0.9, 0.1], [1.0, 0.2]]
        labels = [0, 0, 1, 1]
        settings = train.load_config()
        weights = train.train(rows, labels, C=settings["C"], max_iter=settings["max_iter"])
        self.assertEqual([train.predict(weights, row) for row in rows], labels)
'''


def build_team_repo(box: Sandbox) -> None:
    """The team's repository: main with working code, tests and settings, pushed to origin."""
    box.init_repo()
    box.write({"src/train.py": TEAM_TRAIN, "src/prepare.py": LEAKY_CODE["src/prepare.py"],
               "tests/test_train.py": TEAM_TESTS, "README.md": LEAKY_CODE["README.md"],
               CONFIG_PATH: f"C: 1.0\nmax_iter: {MAX_ITER_BEFORE}\n",
               ".gitignore": "*.pkl\nmodels/\ndata/\nmlruns/\n.env\n__pycache__/\n"})
    box.commit("Add churn training code, tests and hyperparameters")
    box.git("push", "-q", "-u", "origin", "main")


def _extract_plain_files(tar: tarfile.TarFile, dest: Path) -> None:
    """Folders and regular files only, never outside ``dest``: a learner's commit may hold
    links or odd names, and ``extractall(filter="data")`` needs Python 3.10.12 / 3.11.4."""
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if Path(member.name).is_absolute() or ".." in parts or not (member.isfile() or member.isdir()):
            continue
        target = dest.joinpath(*parts)
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tar.extractfile(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)


def run_project_tests(box: Sandbox, rev: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """The project's unit tests on ``rev`` as committed (not on whatever is in the work tree)."""
    with tempfile.TemporaryDirectory(prefix="ml-git-course-tests-") as tmp:
        archive = Path(tmp) / "rev.tar"
        box.git("archive", "-o", str(archive), rev)
        with tarfile.open(archive) as tar:
            _extract_plain_files(tar, Path(tmp) / "tree")
        try:
            return subprocess.run([sys.executable, "-m", "unittest", "discover", "-q", "-s",
                                   "tests"], cwd=Path(tmp) / "tree", text=True,
                                  capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                                  env={**box.env, "PYTHONDONTWRITEBYTECODE": "1"})
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess([], 124, "", f"the tests did not finish in {timeout:.0f} s")


def check_feature_branch(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 5: on FEATURE_BRANCH, raise max_iter, keep the tests green, commit, push."""
    ex, lesson = "exercise-5-branch", f"{LESSON}#feature-branches"
    return _run_script(ex, lesson, script, "BRANCH_SCRIPT", build_team_repo,
                       lambda box: _branch_findings(box, ex, lesson), box,
                       try_it="try them one at a time: team = Sandbox(); build_team_repo(team); "
                              "team.sh(\"...\")")


def _branch_findings(box: Sandbox, ex: str, lesson: str) -> list[Finding]:
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=box.repo, env=box.env, text=True,
                              capture_output=True)

    if git("rev-parse", "-q", "--verify", f"refs/heads/{FEATURE_BRANCH}").returncode:
        return [problem(ex, lesson, f"there is no branch `{FEATURE_BRANCH}`",
                        "experiments happen on a branch of their own, created from main",
                        more=[f"git switch -c {FEATURE_BRANCH}"])]
    found = []
    main_log = git("log", "--format=%s", "main").stdout.splitlines()
    if len(main_log) != 1:
        found.append(problem(ex, lesson, "main has new commits: work happens on the feature "
                             "branch, main changes only through a reviewed pull request",
                             "move the commit to the branch and put main back where it was",
                             more=["git switch main && git reset --hard origin/main, then "
                                   "commit on the branch"]))
    commits = git("log", "--format=%H%x00%s%x00%b%x1e", f"main..{FEATURE_BRANCH}").stdout
    records = [r.strip("\n").split("\0") for r in commits.split("\x1e") if r.strip()]
    if not records:
        return found + [problem(ex, lesson, f"`{FEATURE_BRANCH}` has no commit of its own",
                                "change the file, add it, commit it on the branch",
                                more=["git add <file> && git commit -m \"<what> <why>\""])]
    found += _config_findings(box, git, ex, lesson)
    tests = run_project_tests(box, FEATURE_BRANCH)
    if tests.returncode != 0:
        said = [l for l in (tests.stderr or tests.stdout).strip().splitlines() if l.strip()]
        found.append(problem(ex, lesson, "the project's tests fail on the branch "
                             f"({' / '.join(said[-2:])})", "a change is ready for review only "
                             "when the tests still pass: run them before you commit",
                             more=["python -m unittest discover -s tests (in the "
                                   "repository)"]))
    for sha, subject, body in records:
        found += _message_findings(git, ex, lesson, sha, subject.strip(), body.strip())
    on_origin = subprocess.run(["git", "--git-dir", str(box.origin), "rev-parse", "-q", "--verify",
                                f"refs/heads/{FEATURE_BRANCH}"], env=box.env, text=True,
                               capture_output=True).stdout.strip()
    head = git("rev-parse", FEATURE_BRANCH).stdout.strip()
    if on_origin != head:
        found.append(problem(ex, lesson, f"origin does not have the branch's last commit "
                             f"({'not pushed' if not on_origin else 'pushed before the last commit'})",
                             "the push is what runs the tests and the training in CI",
                             more=[f"git push -u origin {FEATURE_BRANCH}"]))
    return found


def _config_findings(box: Sandbox, git, ex: str, lesson: str) -> list[Finding]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    shown = git("show", f"{FEATURE_BRANCH}:{CONFIG_PATH}")
    if shown.returncode:
        return [problem(ex, lesson, f"`{CONFIG_PATH}` is gone from the branch", "the training "
                        "code reads its settings from it: restore it and change only max_iter",
                        more=[f"git restore --source=main {CONFIG_PATH}"], path=CONFIG_PATH)]
    try:
        data = YAML(typ="safe", pure=True).load(shown.stdout)
    except YAMLError as exc:
        mark = exc.problem_mark if isinstance(exc, MarkedYAMLError) else None
        return [problem(ex, lesson, f"`{CONFIG_PATH}` is not valid YAML "
                        f"({getattr(exc, 'problem', None) or exc})", "each line is `name: value`",
                        path=CONFIG_PATH, line=mark.line + 1 if mark else None)]
    if not isinstance(data, dict):
        return [problem(ex, lesson, f"`{CONFIG_PATH}` no longer holds the settings (it is "
                        f"{'empty' if data is None else type(data).__name__})", "keep `C: ...` "
                        "and `max_iter: ...`, and change only the value of max_iter",
                        path=CONFIG_PATH)]
    found = []
    c, max_iter = data.get("C"), data.get("max_iter")
    if isinstance(c, bool) or not isinstance(c, (int, float)) or c <= 0:
        found.append(problem(ex, lesson, f"C is {c!r}: the training code needs a positive number",
                             "keep `C: 1.0` as it was", path=CONFIG_PATH))
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter <= 0:
        found.append(problem(ex, lesson, f"max_iter is {max_iter!r}: the solver needs a whole "
                             "number of iterations", "write it as a whole number, such as "
                             f"`max_iter: {MAX_ITER_BEFORE}`", path=CONFIG_PATH))
    elif max_iter <= MAX_ITER_BEFORE:
        found.append(problem(ex, lesson, f"max_iter is still {max_iter}: the solver stops before "
                             f"it converges at {MAX_ITER_BEFORE}", "raise it (more iterations "
                             "let the solver converge)", path=CONFIG_PATH))
    return found


# --- commit messages, judged as a reviewer does ------------------------------------------------
_WHY = re.compile(
    r"\b(because|since|so|otherwise|due to|in order to|as (?:the|it|a)|avoid\w*|prevent\w*|"
    r"reduc\w*|improv\w*|increas\w*|decreas\w*|speed\w*|faster|slower|better|worse|stabl\w*|"
    r"stabil\w*|converg\w*|overfit\w*|underfit\w*|accura\w*|recall|precision|auc|f1|loss|"
    r"metric\w*|warn\w*|fail\w*|stopp\w*|stops|reproduc\w*|needs?|requir\w*|allow\w*|enabl\w*|"
    r"instead|rather|too (?:few|many|slow|fast|low|high|small|large|early|late)|"
    r"to (?!\d)(?!the\b)(?!a\b)[a-z]{3,}\b)", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*\w+(\([^)]*\))?!?:\s*")  # conventional commits: "feat(train): ..."
_COMMON = {
    "the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "with", "from", "by", "at", "is",
    "it", "this", "that", "as", "be", "not", "def", "return", "import", "self", "none", "true",
    "false", "if", "else", "yaml", "py", "txt", "md",
}
# Words a reviewer reads as naming a setting or a file of this project.
_ALIASES = {
    "max_iter": ("iteration", "iterations", "iters", "solver", "epochs"),
    "c": ("regularisation", "regularization", "penalty"),
    "hyperparameters": ("hyperparameter", "config", "configuration", "settings", "params"),
    "train": ("training", "trainer"),
}


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?", text)}


def changed_terms(git, sha: str) -> set[str]:
    """What a commit's diff is about: its files (path parts, stems), settings and words changed."""
    names = git("show", "--format=", "--name-only", sha).stdout.split()
    terms: set[str] = set()
    for name in names:
        for part in Path(name).parts:
            terms |= {part.lower(), Path(part).stem.lower()}
    patch = git("show", "--format=", "--unified=0", sha).stdout
    for line in patch.splitlines():
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            terms |= _tokens(line[1:])
    terms -= _COMMON
    for term, aliases in _ALIASES.items():
        if term in terms:
            terms |= set(aliases)
    return terms


def names_what_changed(text: str, terms: set[str]) -> bool:
    words = _tokens(_PREFIX.sub("", text))
    stems = {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words}
    return bool((words | stems) & terms)


def says_why(subject: str, body: str) -> bool:
    return bool(_WHY.search(_PREFIX.sub("", subject)) or _WHY.search(body))


def _message_findings(git, ex: str, lesson: str, sha: str, subject: str, body: str) -> list[Finding]:
    short = sha[:7]
    if not subject:
        return [problem(ex, lesson, f"commit {short} has an empty message",
                        "a message says what changed and why", more=["git commit -m \"<what> <why>\""])]
    terms = changed_terms(git, sha)
    what, why = names_what_changed(subject, terms), says_why(subject, body)
    found = []
    if not what:
        files = ", ".join(git("show", "--format=", "--name-only", sha).stdout.split()[:3])
        found.append(problem(ex, lesson, f"commit {short}: the subject {subject!r} does not name "
                             f"what changed (this commit changes {files or 'nothing'})",
                             "a reviewer reads the subject first: name the file, the setting or "
                             "the behaviour you changed", more=[
                                 "start with a verb and the thing: \"Raise <setting> to <value>\""]))
    if not why:
        found.append(problem(ex, lesson, f"commit {short}: the message does not say why "
                             f"({subject!r})", "say the reason, in the subject or in a body "
                             "after a blank line", more=[
                                 "git commit -m \"<what>\" -m \"<why: what was wrong, what it "
                                 "improves>\""]))
    if len(subject) > 72:
        found.append(problem(ex, lesson, f"commit {short}: the subject line is {len(subject)} "
                             "characters long", "keep it under 72; put the details in the body "
                             "after a blank line", severity="warning"))
    return found


def history_story(box: Sandbox, rev: str = "--all") -> str:
    """Who changed what, when and why: the history as a team reads it."""
    out = box.run(f"git log {rev} --date=iso --format='%h %ad %an%n    why:  %s' --name-status")
    return out.stdout


# --- Knowledge check --------------------------------------------------------------------------
# Questions and choices only: the right letters and the explanations are in keys/. Choices are
# of similar length, so that the longest is no clue (a test checks it).
QUIZ = {
    "KC_PKL": {
        "question": "A data scientist at NeuralSpark commits the trained model churn.pkl to the "
                    "repository 'to version it'. What is the right approach?",
        "choices": {
            "a": "Keep the file in Git, which versions every file, models included.",
            "b": "Track the file with Git LFS, so that clones stay small and fast.",
            "c": "Register it in the Azure ML model registry; remove it from Git.",
            "d": "Move the file to a models/ folder of the same repository.",
        },
    },
    "KC_RM": {
        "question": "After `git rm --cached models/churn.pkl` and a commit, where is the model?",
        "choices": {
            "a": "Gone from the repository: no commit, old or new, holds it now.",
            "b": "In every earlier commit and clone, until the history is rewritten.",
            "c": "Moved by Git into the model registry, together with its versions.",
        },
    },
    "KC_SEPARATE": {
        "question": "Which pair gives full reproducibility of an experiment?",
        "choices": {
            "a": "Git for code and configuration; MLflow for runs, linked by commit.",
            "b": "Git for everything: code, configuration, models, data and metrics.",
            "c": "MLflow for everything: code, configuration, runs, models and data.",
        },
    },
    "KC_IGNORE": {
        "question": "Kai adds `*.pkl` to .gitignore, but `git status` still lists changes to "
                    "models/churn.pkl after every training run. Why?",
        "choices": {
            "a": "`*.pkl` matches files at the top level only, not inside folders.",
            "b": "The pattern needs a comment on its line for git to read it as a rule.",
            "c": "A `!` exception has to come before `*.pkl`, or git skips the pattern.",
            "d": "The file is already tracked; .gitignore affects untracked files only.",
        },
    },
}
QUIZ_POINTS = 0.5  # per question: one graded cell each, so 3 of 4 right scores 1.5 of 2


def quiz_text(questions: dict = QUIZ) -> str:
    """The questions and their choices as plain text (readable where widgets are not)."""
    return _quiz_text(questions)


def check_quiz(answers: object) -> Result:
    """The knowledge check: ``answers`` maps question keys to letters (some or all of them).

    Only the questions present are judged, so each graded cell can hand over one question
    (partial credit); a question given with no letter is a finding.
    """
    return judge_quiz(QUIZ, answers, _keys, lesson=f"{LESSON}#knowledge-check")


def _quiz_question(key: str):
    return one_question(check_quiz, key, "The knowledge check's question")


CHECKS = {
    "01-sort": check_sorting,
    "01-gitignore": check_gitignore,
    "01-repair": check_repair,
    "01-secret": check_secret_action,
    "01-layout": check_scaffold,
    "01-branch": check_feature_branch,
    "01-quiz": check_quiz,
    **{f"01-quiz.{key}": _quiz_question(key) for key in QUIZ},
}
# The checks whose answer key stays with the instructor (keys/): their self-check records the
# answer and explains it once, instead of confirming one attempt after another.
KEYED = {"01-sort", "01-secret", "01-quiz", *(f"01-quiz.{key}" for key in QUIZ)}
CHOICES = {"01-secret", "01-quiz", *(f"01-quiz.{key}" for key in QUIZ)}
