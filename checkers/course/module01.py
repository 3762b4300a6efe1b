"""Module 01, Git hygiene for ML: the checks behind each exercise.

Each ``check_*`` function takes the learner's answer (plain data: a dict, a string of
``.gitignore`` lines, a shell script) and returns a :class:`~checkers.findings.Result`. The
notebook's self-check cells show it; the graded cells assert ``result.ok`` in the notebook and,
hidden, in a fresh process (``checkers.course.grade``).
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace

from ..findings import Finding, Result
from ..registry import all_rules
from ..repo import check_repo
from .feedback import problem, result
from .sandbox import Sandbox

LESSON = "01-git-hygiene"

# --- Exercise 1: what goes where -------------------------------------------------------------
GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT = (
    "git", "model registry", "data assets", "mlflow", "key vault")
PLACES = (GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT)
# (where it belongs, a clue that makes the learner think without giving the place away)
WRITTEN = "is it something a person writes and reviews, or something a run produces or needs in secret?"
ARTIFACTS = {
    "src/train.py": (GIT, "a training script: who writes it, and how is it reviewed?"),
    "pipelines/training-pipeline.yaml": (GIT, "a pipeline definition: " + WRITTEN),
    "environments/training-env.yaml": (GIT, "an environment spec: " + WRITTEN),
    "components/train/component.yaml": (GIT, "a component definition: " + WRITTEN),
    "infra/main.bicep": (GIT, "infrastructure as code: " + WRITTEN),
    ".github/workflows/train-on-push.yml": (GIT, "where must a workflow file be for GitHub to run it?"),
    "config/hyperparameters.yaml": (GIT, "hyperparameters decide what a run produces: what must "
                                    "sit next to the code so that a commit reproduces a run?"),
    "outputs/churn-model.pkl": (MODEL_REGISTRY, "trained weights are a build output: where are "
                                "models versioned with their lineage (job, data, metrics)?"),
    "data/churn-2026-10.parquet": (DATA_ASSETS, "a dataset is large and versioned on its own: "
                                   "where does Azure ML keep data?"),
    "mlruns/ (metrics and logs of a run)": (MLFLOW, "metrics and logs of runs: which tool tracks "
                                            "experiments?"),
    ".env with AZURE_STORAGE_KEY=...": (KEY_VAULT, "a key: where do secrets live, so that code "
                                        "reads them at run time?"),
}
# Checked in this order, whole words only: "the registry, not Git" names the registry, and
# "GitHub secrets" a secret store. Git comes last because answers mention it to rule it out.
_SYNONYMS = {
    KEY_VAULT: ("key vault", "keyvault", "vault", "secret", "secrets"),
    MLFLOW: ("mlflow", "tracking", "experiment", "experiments"),
    MODEL_REGISTRY: ("model registry", "registry", "model"),
    DATA_ASSETS: ("data asset", "data assets", "datastore", "data store", "dataset", "data"),
    GIT: ("git", "github", "repo", "repository"),
}


def normalise_place(answer: object) -> str | None:
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower()
    if text in PLACES:
        return text
    for place, words in _SYNONYMS.items():
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
    findings = []
    for artifact, (place, why) in ARTIFACTS.items():
        if artifact not in answer:
            findings.append(problem(ex, lesson, f"`{artifact}` is not sorted",
                                    f"add it to the dict, with one of {', '.join(PLACES)}",
                                    path=artifact))
            continue
        if not isinstance(answer[artifact], str):
            findings.append(problem(
                ex, lesson, f"`{artifact}`: expected one of the place constants, got "
                f"{type(answer[artifact]).__name__} {answer[artifact]!r}",
                f"use one of GIT, MODEL_REGISTRY, DATA_ASSETS, MLFLOW, KEY_VAULT", path=artifact))
            continue
        given = normalise_place(answer[artifact])
        if given != place:
            findings.append(problem(
                ex, lesson, f"`{artifact}`: {answer[artifact]!r} is not where it belongs",
                why, path=artifact))
    return result(findings)


# --- Exercise 2: .gitignore ------------------------------------------------------------------
GITIGNORE_RULES = ("gitignore-missing", "gitignore-ignores-code")


def check_gitignore(text: object) -> Result:
    """Exercise 2: a .gitignore, judged by git itself through the repository checker."""
    if not isinstance(text, str) or not text.strip():
        return result([problem("exercise-2-gitignore", f"{LESSON}#ignore-files",
                               "the .gitignore is empty", "write its lines into GITIGNORE",
                               path=".gitignore")])
    with Sandbox() as box:
        box.git("init", "-q")
        box.write({".gitignore": text if text.endswith("\n") else text + "\n"})
        found = check_repo(box.repo, select=GITIGNORE_RULES)
    return result(found.findings)


def _failure(proc) -> str:
    """Which line of the learner's commands failed, and what it said."""
    lines = [l for l in (proc.stderr or proc.stdout or "").strip().splitlines() if l.strip()]
    failed = next((l for l in reversed(lines) if re.match(r"line \d+: ", l)), None)
    said = [l for l in lines if l != failed][-2:]
    where = failed or f"exit status {proc.returncode}"
    return f"the commands stopped at {where}" + (f" ({' '.join(said)})" if said else "")


def _run_script(ex: str, lesson: str, script: object, variable: str, build, judge,
                box: Sandbox | None, timeout: float = 30, try_it: str = "") -> Result:
    """Build the scenario in a fresh sandbox, run the learner's commands there, judge the result."""
    if not isinstance(script, str) or not script.strip():
        return result([problem(ex, lesson, "no commands to run", f"write them into {variable}")])
    own = box is None
    box = box or Sandbox()
    try:
        build(box)
        proc = box.run(script, timeout=timeout)
        findings = []
        if proc.returncode != 0:
            findings.append(problem(ex, lesson, _failure(proc), try_it))
        findings.extend(judge(box))
        return result(findings)
    finally:
        if own:
            box.close()


# --- Exercise 3: repair a leaky repository ----------------------------------------------------
LEAKY_CODE = {
    "src/train.py": "import joblib\n\n\ndef train(data):\n    ...\n",
    "src/prepare.py": "def prepare(raw):\n    return raw\n",
    "README.md": "# Churn model\n",
}
REPAIR_RULES = ("tracked-model", "tracked-secret-file", "history-artifact", "secret-in-file",
                "history-secret")
LEAKED_KEY_PARTS = ("bmV1cmFs", "c3Bhcms=")  # assembled at run time: no key sits in the source


def leaked_connection_string() -> str:
    key = (LEAKED_KEY_PARTS[0] * 10) + LEAKED_KEY_PARTS[1]
    return f"DefaultEndpointsProtocol=https;AccountName=neuralsparkdata;AccountKey={key}"


def build_leaky_repo(box: Sandbox) -> None:
    """The scenario: a data scientist committed the model and the .env, then kept working."""
    box.git("init", "-q")
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


def check_repair(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 3: ``script`` (shell commands) repairs the leaky repository."""
    ex, lesson = "exercise-3-repair", f"{LESSON}#repair-history"
    return _run_script(ex, lesson, script, "REPAIR_SCRIPT", build_leaky_repo, lambda box: [
        *check_repo(box.repo, select=REPAIR_RULES).findings,
        *_repair_kept_the_project(box, ex, lesson)], box,
        try_it="try the commands one at a time on a fresh copy: leaky = Sandbox(); "
               "build_leaky_repo(leaky); leaky.sh(\"...\")")


def _repair_kept_the_project(box: Sandbox, ex: str, lesson: str) -> list[Finding]:
    found = []
    log = box.run("git log --all --format=%s").stdout
    kept = box.run(f"git merge-base --is-ancestor {box.first_commit} HEAD").returncode == 0
    if not kept or "Tune regularisation" not in log:
        found.append(problem(ex, lesson, "the project's own history is gone (its first commit is "
                             "no longer in it)", "rewrite only the bad files out of the history "
                             "(git filter-repo --invert-paths --path ...); never delete .git"))
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
                             "add `*.pkl` (or `models/`) and `.env` to .gitignore and commit it",
                             path=".gitignore"))
    return found


SECRET_ACTIONS = {
    "a": "Nothing more: the history no longer contains it.",
    "b": "Rotate the key at once, and keep the new one in Azure Key Vault.",
    "c": "Make the repository private.",
    "d": "Encrypt the .env file and commit it again.",
}
SECRET_ACTION_WHY = {
    "a": "Anyone who cloned or forked the repository, and any cache, still has the old key.",
    "b": "Right: a pushed secret is compromised. Rotating makes the leaked value useless; Key "
         "Vault keeps the new one out of Git for good.",
    "c": "The key is already out, and private repositories are read by many people and tools.",
    "d": "The key that decrypts it then has to live somewhere, and the leaked value still works.",
}


def check_secret_action(answer: object) -> Result:
    ex, lesson = "exercise-3-secret", f"{LESSON}#repair-history"
    choice = answer.strip().lower() if isinstance(answer, str) else None
    if choice not in SECRET_ACTIONS:
        return result([problem(ex, lesson, f"{answer!r} is not one of {', '.join(SECRET_ACTIONS)}",
                               "set SECRET_ACTION to a letter")])
    if choice != "b":
        return result([problem(ex, lesson, SECRET_ACTION_WHY[choice],
                               "what makes a leaked value useless?")])
    return result([])


# --- Exercise 4: scaffold the documented layout -----------------------------------------------
def check_scaffold(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 4: ``script`` creates the documented layout in a new repository and commits it."""
    ex, lesson = "exercise-4-layout", f"{LESSON}#repository-layout"

    def judge(box: Sandbox) -> list[Finding]:
        found = []
        if not box.run("git rev-parse -q --verify HEAD").stdout.strip():
            found.append(problem(ex, lesson, "nothing was committed",
                                 "end with `git add -A && git commit -m \"...\"`"))
        # every repository rule, warnings included: the layout is what this exercise is about
        # (the workflows are empty files for now; module 02 fills them in and checks them)
        repo_rules = [r.id for r in all_rules("repo")]
        return found + [replace(f, severity="error")
                        for f in check_repo(box.repo, select=repo_rules).at_least("warning")]

    return _run_script(ex, lesson, script, "SCAFFOLD_SCRIPT", lambda box: box.git("init", "-q"),
                       judge, box, try_it="try them one at a time: box = Sandbox(); "
                       "box.git(\"init\", \"-q\"); box.sh(\"...\")")


# --- Exercise 5: a feature branch ---------------------------------------------------------------
FEATURE_BRANCH = "feature/improve-churn-model"
# Words that say that something changed, not what or why.
VAGUE_WORDS = {
    "update", "updated", "updates", "fix", "fixed", "fixes", "change", "changed", "changes",
    "tweak", "tweaks", "edit", "edits", "wip", "stuff", "things", "misc", "minor", "small",
    "some", "bug", "bugs", "code", "file", "files", "commit", "new", "final", "done", "work",
    "more", "test", "tests", "again", "version", "hyperparameters", "params", "model", "training",
    "train", "the", "a", "an", "in", "on", "of", "to", "and", "for", "with", "it", "my",
}


def vague(subject: str) -> bool:
    """A subject that does not say what changed, or why ("update stuff", "asdfasdf")."""
    words = re.findall(r"[A-Za-z_]+|\d+", subject.lower())
    telling = [w for w in words if w not in VAGUE_WORDS and _word_like(w)]
    return len(words) < 3 or len(telling) < 2


def _word_like(word: str) -> bool:
    return word.isdigit() or (bool(re.search(r"[aeiouy]", word)) and not re.search(r"(.{2,})\1\1", word))


def build_team_repo(box: Sandbox) -> None:
    box.git("init", "-q")
    box.write({**LEAKY_CODE, "config/hyperparameters.yaml": "C: 1.0\nmax_iter: 200\n",
               ".gitignore": "*.pkl\nmodels/\ndata/\nmlruns/\n.env\n"})
    box.commit("Add churn training code and hyperparameters")


def check_feature_branch(script: object, *, box: Sandbox | None = None) -> Result:
    """Exercise 5: ``script`` works on FEATURE_BRANCH and commits a change with a useful message."""
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
                        f"git switch -c {FEATURE_BRANCH}")]
    found = []
    main_log = git("log", "--format=%s", "main").stdout.splitlines()
    if len(main_log) != 1:
        found.append(problem(ex, lesson, "main has new commits: work happens on the feature "
                             "branch, main changes only through a reviewed pull request",
                             "git switch main && git reset --hard HEAD~1, then commit on the branch"))
    commits = git("log", "--format=%H%x00%s%x00%b%x1e", f"main..{FEATURE_BRANCH}").stdout
    records = [r.strip("\n").split("\0") for r in commits.split("\x1e") if r.strip()]
    if not records:
        return found + [problem(ex, lesson, f"`{FEATURE_BRANCH}` has no commit of its own",
                                "change a file, then git add it and git commit -m \"...\"")]
    changed = git("diff", "--name-only", f"main...{FEATURE_BRANCH}").stdout.split()
    if not any(p.startswith(("src/", "config/", "components/", "pipelines/")) for p in changed):
        found.append(problem(ex, lesson, "the branch changes no ML code or configuration "
                             f"(changed: {', '.join(changed) or 'nothing'})",
                             "improve the model: edit src/train.py or config/hyperparameters.yaml"))
    for sha, subject, _body in records:
        subject = subject.strip()
        if vague(subject):
            found.append(problem(ex, lesson, f"commit {sha[:7]}: {subject!r} does not say what "
                                 "changed or why", "e.g. git commit -m \"Raise max_iter to 500 so "
                                 "the solver converges\""))
        elif len(subject) > 72:
            found.append(problem(ex, lesson, f"commit {sha[:7]}: the subject line is "
                                 f"{len(subject)} characters long", "keep it under 72; put the "
                                 "details in the body after a blank line", severity="warning"))
    return found


def history_story(box: Sandbox, rev: str = "--all") -> str:
    """Who changed what, when and why: the history as a team reads it."""
    out = box.run(f"git log {rev} --date=iso --format='%h %ad %an%n    why:  %s' --name-status")
    return out.stdout


# --- Knowledge check --------------------------------------------------------------------------
QUIZ = {
    "KC_PKL": {
        "question": "A data scientist at NeuralSpark commits the trained model file (churn.pkl) "
                    "to the repository 'to version it'. What is the right approach?",
        "choices": {
            "a": "Keep it: Git versions every file, models included.",
            "b": "Use a longer commit message that names the metrics.",
            "c": "Register the model in the Azure ML model registry (or a shared registry), "
                 "remove the file from Git and its history, and ignore *.pkl.",
            "d": "Move it to a models/ folder in the same repository.",
        },
        "answer": "c",
        "why": {
            "a": "Git can store it, but every clone carries every version forever, and nothing "
                 "links the file to the data, code and metrics that made it.",
            "b": "The file is still in Git; a message does not make it a registered model.",
            "c": "Right. The registry versions models with their lineage (job, data, metrics). "
                 "Git is for code and configuration.",
            "d": "A different folder in the same repository is still Git.",
        },
    },
    "KC_APPROVAL": {
        "question": "Kai wants no model to reach production without a team member's review. "
                    "What should he configure for the deployment workflow?",
        "choices": {
            "a": "A branch protection rule on main.",
            "b": "A GitHub environment named production with required reviewers, used by the "
                 "production deployment job.",
            "c": "A wait timer of 30 minutes on the staging job.",
            "d": "A comment in the workflow asking people to check first.",
        },
        "answer": "b",
        "why": {
            "a": "It reviews code before merge, but nothing stops the deployment job afterwards.",
            "b": "Right. The job waits until a required reviewer approves; the environment's "
                 "secrets are released only then.",
            "c": "A wait timer adds a delay (a soak in staging), not a human approval.",
            "d": "Nothing enforces a comment.",
        },
    },
    "KC_RM": {
        "question": "After `git rm --cached models/churn.pkl` and a commit, where is the model?",
        "choices": {
            "a": "Gone from the repository.",
            "b": "Still in every earlier commit, and in every clone, until the history is rewritten.",
            "c": "Moved to the model registry.",
        },
        "answer": "b",
        "why": {
            "a": "Only the next commit lacks it; every earlier commit still has it.",
            "b": "Right. `git filter-repo --invert-paths --path models/churn.pkl` removes it from "
                 "the history; then force-push and re-clone.",
            "c": "Git never moves anything to a registry.",
        },
    },
    "KC_SEPARATE": {
        "question": "Which pair gives full reproducibility of an experiment?",
        "choices": {
            "a": "Git for code and configuration; MLflow for experiments (metrics, parameters, "
                 "artifacts), linked by the commit id.",
            "b": "Git for everything, models and data included.",
            "c": "MLflow for everything, code included.",
        },
        "answer": "a",
        "why": {
            "a": "Right: each run records the commit it ran from, so code and results meet.",
            "b": "Git does not scale to models and data, and it knows nothing of runs.",
            "c": "MLflow records runs; it is no place to review and merge code.",
        },
    },
}


def check_quiz(answers: object) -> Result:
    ex, lesson = "knowledge-check", f"{LESSON}#knowledge-check"
    if not isinstance(answers, dict):
        return result([problem(ex, lesson, "expected a dict of answers", "see the answer cell")])
    findings = []
    for key, item in QUIZ.items():
        given = answers.get(key)
        choice = given.strip().lower() if isinstance(given, str) else None
        if choice not in item["choices"]:
            findings.append(problem(ex, lesson, f"{key}: {given!r} is not one of "
                                    f"{', '.join(item['choices'])}", "answer with a letter", path=key))
        elif choice != item["answer"]:
            findings.append(problem(ex, lesson, f"{key}: not quite. {item['why'][choice]}",
                                    "click the choices in the widget above to compare them",
                                    path=key))
    return result(findings)


CHECKS = {
    "01-sort": check_sorting,
    "01-gitignore": check_gitignore,
    "01-repair": check_repair,
    "01-secret": check_secret_action,
    "01-layout": check_scaffold,
    "01-branch": check_feature_branch,
    "01-quiz": check_quiz,
}
