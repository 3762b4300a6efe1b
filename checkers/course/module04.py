"""Module 04, Azure ML assets as code: the checks behind each exercise.

The learner writes YAML and JSON as text; each check puts the text where it belongs in a small
project (in a temporary folder) and runs the repository checker's ``azureml-*`` rules on it,
then checks what the exercise asks for beyond them (which steps, which wiring). The project
is built from the constants below, not from ``sample_repo/``: a graded submission's check runs
in a sandbox that does not show the course checkout.

azure-ai-ml's own validation (rule ``azureml-sdk-validation``) is left out of the grades: the
grade must not depend on whether that optional package is installed. The notebook shows it
separately where it is.

The evaluate component (the answer to exercise 1, which exercise 2's pipeline runs) is in the
grader-only :mod:`checkers.course.keys.module04`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from ..findings import Finding, Result
from .feedback import problem, result
from .quiz import judge_quiz, one_question

LESSON = "04-azure-ml-assets"
NOT_GRADED = ["azureml-sdk-validation"]
COMPONENT_PATH = "components/evaluate/component.yaml"
PIPELINE_PATH = "pipelines/training-pipeline.yaml"
PARAMS_DEV, PARAMS_PROD = "infra/params-dev.json", "infra/params-prod.json"
SCHEMA = "https://azuremlschemas.azureedge.net/latest/"

# The project the learner's files are checked in: two finished components, the scripts they
# name (stand-ins: the checks read the files' existence, never run them), the hyperparameters
# and the Bicep template. Exercise 1 adds the third component.
PROJECT = {
    "components/prepare/component.yaml": f"""\
$schema: {SCHEMA}commandComponent.schema.json
type: command
name: churn_prepare
version: "1"
inputs:
  n_rows: {{type: integer, default: 5000}}
outputs:
  splits: {{type: uri_folder}}
code: ../../src
environment: azureml:churn-training-env@latest
command: python prepare.py --n-rows ${{{{inputs.n_rows}}}} --output ${{{{outputs.splits}}}}
""",
    "components/train/component.yaml": f"""\
$schema: {SCHEMA}commandComponent.schema.json
type: command
name: churn_train
version: "1"
inputs:
  train_split: {{type: uri_folder}}
  hyperparameters: {{type: uri_file}}
outputs:
  model: {{type: uri_folder}}
code: ../../src
environment: azureml:churn-training-env@latest
command: >-
  python train.py --data ${{{{inputs.train_split}}}}
  --config ${{{{inputs.hyperparameters}}}} --model-dir ${{{{outputs.model}}}}
""",
    "src/prepare.py": "# stand-in for the churn project's script\n",
    "src/train.py": "# stand-in for the churn project's script\n",
    "src/evaluate.py": "# stand-in for the churn project's script\n",
    "config/hyperparameters.yaml": "logistic_regression:\n  C: 1.0\n  max_iter: 500\n",
    "environments/training-conda.yaml": "name: churn-training\ndependencies:\n  - python=3.11\n"
                                        "  - scikit-learn=1.9.1\n  - pip\n  - pip:\n      - mlflow\n",
    "infra/main.bicep": """\
targetScope = 'resourceGroup'
param location string = resourceGroup().location
@allowed([
  'dev'
  'prod'
])
param environment string
param workspaceName string
param computeName string = 'cpu-cluster'
param tags object = {}
""",
    PARAMS_DEV: json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"environment": {"value": "dev"}, "workspaceName": {"value": "neuralspark-dev"},
                       "tags": {"value": {"owner": "ml-platform"}}}}, indent=2) + "\n",
}
EVALUATE_SCRIPT = """\
python evaluate.py --model-dir MODEL_FOLDER --data TEST_DATA_FOLDER \\
    --min-roc-auc NUMBER --metrics-output METRICS_FOLDER"""


def project_file(path: str) -> str:
    """A file of the practice project, to read in the notebook."""
    return PROJECT[path]


def _keys(checkable: list[Finding] = ()):
    from .answer_keys import AnswerKeyMissing, load

    try:
        return load("module04")
    except AnswerKeyMissing as missing:
        missing.findings = list(checkable)
        raise


def _yaml(text: str):
    from ruamel.yaml import YAML

    try:
        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # noqa: BLE001 (the rules report the syntax error at its line)
        return None


def _run_rules(files: dict[str, str], extra: dict[str, str] | None = None) -> list[Finding]:
    """The azureml rules on ``files`` inside the practice project (plus ``extra`` files)."""
    from ..azureml import check_texts

    with tempfile.TemporaryDirectory(prefix="module04-") as tmp:
        for rel, text in {**PROJECT, **(extra or {})}.items():
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        found = check_texts(files, base=tmp, ignore=NOT_GRADED).findings
    return [f for f in found if f.path in files]


def _text_answer(ex: str, lesson: str, text: object, variable: str) -> Finding | None:
    if text is not None and not isinstance(text, str):
        return problem(ex, lesson, f"{variable} is a {type(text).__name__}, not text",
                       f'write the file as one string, between the triple quotes: {variable} = """ ... """')
    if not isinstance(text, str) or not any(
            l.strip() and not l.lstrip().startswith("#") for l in text.splitlines()):
        return problem(ex, lesson, f"{variable} is still empty", f"write the file's text into "
                       f"{variable}, in place of the placeholder comment")
    return None


# --- Exercise 1: a command component ------------------------------------------------------------
# What evaluate.py needs (its command line) and what the pipeline needs from the component:
# this is the exercise's specification, printed in the notebook.
EVALUATE_INTERFACE = {
    "inputs": {"trained_model": "uri_folder", "test_split": "uri_folder",
               "roc_auc_threshold": "number"},
    "outputs": {"report": "uri_folder"},
}


def check_component(text: object) -> Result:
    """Exercise 1: the evaluate component, as ``components/evaluate/component.yaml``."""
    ex, lesson = "exercise-1-component", f"{LESSON}#components"
    empty = _text_answer(ex, lesson, text, "COMPONENT_YAML")
    if empty:
        return result([empty])
    found = _run_rules({COMPONENT_PATH: text})
    data = _yaml(text)
    if not isinstance(data, dict):
        return result(found)
    for kind, wanted in EVALUATE_INTERFACE.items():
        declared = data.get(kind) if isinstance(data.get(kind), dict) else {}
        for name, type_ in wanted.items():
            spec = declared.get(name)
            given = spec.get("type") if isinstance(spec, dict) else None
            if name not in declared:
                found.append(problem(
                    ex, lesson, f"the component declares no {kind[:-1]} `{name}`",
                    f"the pipeline binds `{name}`: declare it under `{kind}:`",
                    more=[f"{kind}:\n  {name}:\n    type: {type_}"], path=COMPONENT_PATH))
            elif given != type_:
                found.append(problem(
                    ex, lesson, f"{kind[:-1]} `{name}` " + (
                        "declares no type" if given is None else f"has type {given!r}")
                    + f", the script needs {type_}", "a folder is `uri_folder`, a single file `uri_file`, a number "
                    "`number`", path=COMPONENT_PATH))
    command = str(data.get("command") or "")
    if "evaluate.py" not in command:
        found.append(problem(ex, lesson, "the command does not run evaluate.py",
                             "the command runs the script from the `code` folder",
                             more=[EVALUATE_SCRIPT], path=COMPONENT_PATH))
    for flag, (kind, name) in {"--model-dir": ("inputs", "trained_model"),
                               "--data": ("inputs", "test_split"),
                               "--min-roc-auc": ("inputs", "roc_auc_threshold"),
                               "--metrics-output": ("outputs", "report")}.items():
        if not re.search(rf"{re.escape(flag)}[\s=]+\$\{{\{{\s*{kind}\.{name}\s*\}}\}}", command):
            found.append(problem(
                ex, lesson, f"the command does not pass `{flag} ${{{{{kind}.{name}}}}}`",
                "Azure ML replaces each `${{inputs.NAME}}` and `${{outputs.NAME}}` with a path "
                "or a value: pass every input and output to the script", path=COMPONENT_PATH))
    return result(found)


# --- Exercise 2: wire the training pipeline -------------------------------------------------------
STEPS = {"prepare": "../components/prepare/component.yaml",
         "train": "../components/train/component.yaml",
         "evaluate": "../components/evaluate/component.yaml"}


def _binding(data: dict, step: str, name: str) -> str:
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    spec = jobs.get(step) if isinstance(jobs.get(step), dict) else {}
    inputs = spec.get("inputs") if isinstance(spec.get("inputs"), dict) else {}
    return re.sub(r"\s+", "", str(inputs.get(name, "")))


def _wiring(ex: str, lesson: str, data: object, steps: dict[str, str],
            wiring: dict[tuple[str, str], str]) -> list[Finding]:
    """The steps and the bindings an exercise asks for, on top of the rules."""
    if not isinstance(data, dict):
        return []
    jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
    found = []
    for step, component in steps.items():
        spec = jobs.get(step)
        if not isinstance(spec, dict):
            found.append(problem(ex, lesson, f"the pipeline has no step `{step}`",
                                 f"add `{step}:` under `jobs:`, running {component}",
                                 path=PIPELINE_PATH))
        elif str(spec.get("component", "")).strip() != component:
            found.append(problem(ex, lesson, f"step `{step}` does not run {component}",
                                 f"component: {component}", path=PIPELINE_PATH))
    for (step, name), wanted in wiring.items():
        if step in jobs and _binding(data, step, name) != wanted:
            found.append(problem(ex, lesson, f"step `{step}` input `{name}` is not wired as the "
                                 "pipeline needs", "say where the data comes from: a pipeline "
                                 "input, or an output of an earlier step", more=[
                                     f"{name}: {wanted}"], path=PIPELINE_PATH))
    return found


def check_pipeline(text: object) -> Result:
    """Exercise 2: prepare -> train -> evaluate, as ``pipelines/training-pipeline.yaml``."""
    ex, lesson = "exercise-2-pipeline", f"{LESSON}#pipelines"
    empty = _text_answer(ex, lesson, text, "PIPELINE_YAML")
    if empty:
        return result([empty])
    # without the key (a student distribution), only a syntax error can be pointed out here
    keys = _keys([f for f in _run_rules({PIPELINE_PATH: text}) if f.rule == "yaml-syntax"])
    found = _run_rules({PIPELINE_PATH: text}, {COMPONENT_PATH: keys.EVALUATE_COMPONENT})
    found += _wiring(ex, lesson, _yaml(text), STEPS, keys.WIRING)
    return result(found)


# --- Exercise 3: fix broken wirings -----------------------------------------------------------------
# Each starter is the two-step pipeline below with one mistake; a fixed one passes the rules
# and keeps both steps and their wiring.
QUICK_STEPS = {k: STEPS[k] for k in ("prepare", "train")}
QUICK_WIRING = {
    ("prepare", "n_rows"): "${{parent.inputs.n_rows}}",
    ("train", "train_split"): "${{parent.jobs.prepare.outputs.splits}}",
    ("train", "hyperparameters"): "${{parent.inputs.hyperparameters}}",
}
BROKEN = ("output", "step", "cycle", "input", "braces")


def check_fixed(text: object) -> Result:
    """Exercise 3: one of the broken two-step pipelines, fixed."""
    ex, lesson = "exercise-3-fix", f"{LESSON}#pipelines"
    empty = _text_answer(ex, lesson, text, "the pipeline")
    if empty:
        return result([empty])
    found = _run_rules({PIPELINE_PATH: text})
    found += _wiring(ex, lesson, _yaml(text), QUICK_STEPS, QUICK_WIRING)
    return result(found)


# --- Exercise 4: the prod parameters ---------------------------------------------------------------
def check_prod_params(text: object) -> Result:
    """Exercise 4: ``infra/params-prod.json`` next to the dev file, for the same main.bicep."""
    ex, lesson = "exercise-4-params", f"{LESSON}#infrastructure"
    empty = _text_answer(ex, lesson, text, "PARAMS_PROD")
    if empty:
        return result([empty])
    found = _run_rules({PARAMS_PROD: text, PARAMS_DEV: PROJECT[PARAMS_DEV]})
    try:
        data = json.loads(text)
    except ValueError:
        return result(found)
    params = data.get("parameters") if isinstance(data, dict) else None
    params = params if isinstance(params, dict) else {}

    def value(name: str):
        item = params.get(name)
        return item.get("value") if isinstance(item, dict) else None

    if any(f.rule == "azureml-infra-stages" for f in found):
        return result(found)  # the rule already names the stage or the name that is wrong
    if value("environment") != "prod":
        found.append(problem(ex, lesson, f"`environment` is {value('environment')!r}: this file "
                             "deploys production", "main.bicep picks sizes and redundancy by "
                             "stage: set it to \"prod\"", path=PARAMS_PROD))
    name = value("workspaceName")
    if not isinstance(name, str) or "prod" not in name:
        found.append(problem(ex, lesson, f"`workspaceName` is {name!r}: the workflows find the "
                             "production workspace by its name", "NeuralSpark names it after "
                             "the stage, like neuralspark-dev", path=PARAMS_PROD))
    return result(found)


# --- Running the pipeline locally (not graded) --------------------------------------------------------
def find_sample_repo() -> Path | None:
    """The course's sample_repo, when this copy of the course has it (a graded run does not)."""
    here = Path(__file__).resolve().parents[2]
    for base in (here, Path.cwd(), *Path.cwd().parents):
        if (base / "sample_repo" / "tools" / "run_pipeline.py").is_file():
            return base / "sample_repo"
    return None


def prepare_run(box, branch: str = "feature/improve-churn-model") -> Path | None:
    """Copy sample_repo into the practice repository and commit it on ``branch``, as a
    data scientist's working copy would be when CI submits its pipeline."""
    source = find_sample_repo()
    if source is None:
        return None
    shutil.copytree(source, box.repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        "outputs", "mlruns", "__pycache__", ".pytest_cache"))
    box.run(f"git switch -q -c {branch} && git add -A && git commit -q -m 'Churn project'",
            check=True)
    return box.repo


def run_pipeline(repo: Path, n_rows: int = 400, timeout: float = 120) -> dict:
    """Run the pipeline with tools/run_pipeline.py, showing its progress lines as they come."""
    work = Path(tempfile.mkdtemp(prefix="pipeline-run-"))
    cmd = [sys.executable, "tools/run_pipeline.py", "--set", f"n_rows={n_rows}",
           "--work-dir", str(work), "--json"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines, in_result = [], False
    for line in proc.stdout:  # progress lines as they come; the JSON result at the end
        lines.append(line)
        in_result = in_result or line.startswith("{")
        if not in_result:
            print(line, end="", flush=True)
    proc.wait(timeout=timeout)
    text = "".join(lines)
    start = text.find("\n{")
    if proc.returncode not in (0, 1) or start < 0:
        raise RuntimeError(f"the pipeline could not run: {text.strip()[-500:]}")
    return json.loads(text[start:])


def run_tags(result_: dict, step: str = "train") -> dict[str, str]:
    """The MLflow tags of one step's run, read from the run's SQLite tracking store."""
    db = result_["tracking_uri"].removeprefix("sqlite:///")
    run_id = result_["steps"][step]["run_id"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,)).fetchall()
        params = con.execute("SELECT key, value FROM params WHERE run_uuid = ?", (run_id,)).fetchall()
        metrics = con.execute("SELECT key, value FROM latest_metrics WHERE run_uuid = ?",
                              (run_id,)).fetchall()
    finally:
        con.close()
    return {"tags": dict(rows), "params": dict(params), "metrics": dict(metrics)}


# --- Knowledge check ------------------------------------------------------------------------------
QUIZ = {
    "KC_WIRING": {
        "question": "Kai's pipeline passes `${{parent.jobs.prepare.outputs.clean_data}}`, but the "
                    "prepare component declares only `prepared_data`. What happens?",
        "choices": {
            "a": "Azure ML creates the missing output folder and the run goes on.",
            "b": "The job is refused or fails: no step output has that name at all.",
            "c": "The train step silently receives an empty folder and trains on it.",
        },
    },
    "KC_BRACES": {
        "question": "A component's command holds `--n-rows ${inputs.n_rows}`. What does the "
                    "script receive?",
        "choices": {
            "a": "The value of n_rows, as with the double-brace form of the placeholder.",
            "b": "Nothing: Azure ML drops any placeholder it does not understand.",
            "c": "The literal text ${inputs.n_rows}: only ${{...}} is replaced.",
        },
    },
    "KC_ENV": {
        "question": "Why pin `python=3.11` and `scikit-learn=1.9.1` in the training conda file?",
        "choices": {
            "a": "A pickled model is only sure to load in the version that saved it.",
            "b": "Azure ML refuses any conda file whose packages carry no version.",
            "c": "Pinned versions install faster, because conda skips the solver.",
        },
    },
    "KC_PARAMS": {
        "question": "What should differ between params-dev.json and params-prod.json?",
        "choices": {
            "a": "Nothing: one file for both stages keeps the deployments identical.",
            "b": "The stage and the names (workspace), from the same main.bicep template.",
            "c": "The template itself: prod needs its own main.bicep with other resources.",
            "d": "Only the secrets: each stage stores its own keys in its parameter file.",
        },
    },
}


def quiz_text(questions: dict = QUIZ) -> str:
    """The questions and their choices as plain text (readable where widgets are not)."""
    from .quiz import quiz_text as text

    return text(questions)


def check_quiz(answers: object) -> Result:
    """The knowledge check: ``answers`` maps question keys to letters (some or all of them).

    Only the questions present are judged, so each graded cell can hand over one question
    (partial credit); a question given with no letter is a finding.
    """
    return judge_quiz(QUIZ, answers, _keys, lesson=f"{LESSON}#knowledge-check")


def _quiz_question(key: str):
    return one_question(check_quiz, key, "The knowledge check's question")


CHECKS = {
    "04-component": check_component,
    "04-pipeline": check_pipeline,
    **{f"04-fix.{name}": check_fixed for name in BROKEN},
    "04-params": check_prod_params,
    "04-quiz": check_quiz,
    **{f"04-quiz.{key}": _quiz_question(key) for key in QUIZ},
}
KEYED = {"04-pipeline", "04-quiz", *(f"04-quiz.{key}" for key in QUIZ)}
CHOICES = {"04-quiz", *(f"04-quiz.{key}" for key in QUIZ)}
