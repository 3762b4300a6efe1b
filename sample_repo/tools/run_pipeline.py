"""Run the training pipeline on this machine, the way Azure ML runs it in the workspace.

    python tools/run_pipeline.py                          # pipelines/training-pipeline.yaml
    python tools/run_pipeline.py --set n_rows=800         # override a pipeline input
    python tools/run_pipeline.py --work-dir /tmp/run      # where outputs and MLflow go

What Azure ML does with a pipeline job, done locally:

* the steps run in dependency order (a step starts when every step whose outputs it reads has
  finished; a failed step stops the run, as ``continue_on_step_failure: false`` says);
* each step's component ``command`` runs in a fresh copy of the component's ``code`` folder
  (the snapshot Azure ML uploads), with ``${{inputs.NAME}}`` replaced by the input's value or
  path and ``${{outputs.NAME}}`` by an empty folder created for that output; ``$[[...]]`` parts
  are dropped when an optional input inside them is not given;
* a step whose command is ``python SCRIPT.py ARGS`` runs in this interpreter, as a fresh
  ``__main__`` with its own arguments, working folder, environment and freshly imported snapshot
  modules, so the libraries are imported once per pipeline, not once per step (a job's container
  imports them once too); other commands, and every step with ``--isolated``, get a process;
* every step runs inside an MLflow run, a child of the pipeline's run, tagged with the Git commit
  and branch the pipeline was started from (Azure ML records both when a job is submitted from
  a Git working copy; the CI workflow adds them as ``tags.commit``/``tags.branch``). The scripts
  log parameters and metrics to it through the environment variables ``MLFLOW_TRACKING_URI`` and
  ``MLFLOW_RUN_ID``, as in a job.

The MLflow store is SQLite (``<work-dir>/mlruns/mlflow.db``): MLflow 3 no longer writes its
old file store unless told to, and SQLite keeps every run in one file. A new store gets its
tables from ``tools/mlflow-schema.sql`` (dumped from MLflow's own migrations) instead of running
the migrations again. Nothing talks to Azure, and nothing is written outside ``--work-dir`` and
the step snapshots under it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipelines" / "training-pipeline.yaml"
PLACEHOLDER = re.compile(r"\$\{\{\s*(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
BINDING = re.compile(r"^\$\{\{\s*parent\.(inputs\.([A-Za-z_]\w*)|jobs\.([A-Za-z_]\w*)\.outputs\.([A-Za-z_]\w*))\s*\}\}$")
OPTIONAL = re.compile(r"\$\[\[(.*?)\]\]", re.S)
SHELL_SYNTAX = re.compile(r"[|&;<>()`$\\]|\n")


class PipelineError(Exception):
    """The pipeline cannot be run as written (a message for the user, not a traceback)."""


@dataclass
class Step:
    name: str
    spec: dict
    component: dict
    component_file: Path
    needs: set[str] = field(default_factory=set)


def read_yaml(path: Path) -> dict:
    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: no such file") from None
    except Exception as exc:  # a YAML syntax error: one line, with the position
        raise PipelineError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: expected a mapping at the top")
    return data


def load_steps(pipeline: dict, pipeline_file: Path) -> dict[str, Step]:
    jobs = pipeline.get("jobs")
    if not isinstance(jobs, dict):
        raise PipelineError(f"{pipeline_file}: `jobs:` must map step names to steps")
    steps = {}
    for name, spec in jobs.items():
        ref = spec.get("component") if isinstance(spec, dict) else None
        if not isinstance(ref, str) or ref.startswith("azureml:"):
            raise PipelineError(f"step {name}: only local component files can run locally (got {ref!r})")
        component_file = (pipeline_file.parent / ref).resolve()
        steps[name] = Step(name, spec, read_yaml(component_file), component_file)
    for step in steps.values():
        for value in (step.spec.get("inputs") or {}).values():
            match = BINDING.match(str(value)) if isinstance(value, str) else None
            if match and match.group(3):
                if match.group(3) not in steps:
                    raise PipelineError(f"step {step.name}: no step `{match.group(3)}` to read from")
                step.needs.add(match.group(3))
    return steps


def order(steps: dict[str, Step]) -> list[Step]:
    """The steps in an order Azure ML could run them (file order among independent steps)."""
    done: list[str] = []
    pending = list(steps)
    while pending:
        ready = [n for n in pending if steps[n].needs <= set(done)]
        if not ready:
            raise PipelineError(f"the steps {', '.join(pending)} wait for each other (a cycle)")
        done.append(ready[0])
        pending.remove(ready[0])
    return [steps[n] for n in done]


def pipeline_inputs(pipeline: dict, pipeline_file: Path, overrides: dict[str, str]) -> dict:
    values = {}
    for name, value in (pipeline.get("inputs") or {}).items():
        if isinstance(value, dict):  # {type: uri_file, path: ...} or {type: integer, default: ...}
            if "path" in value:
                path = str(value["path"])
                value = str((pipeline_file.parent / path).resolve()) if "://" not in path and \
                    not path.startswith("azureml:") else path
            else:
                value = value.get("default", value.get("value"))
        values[name] = value
    for name, value in overrides.items():
        if name not in values:
            raise PipelineError(f"--set {name}: the pipeline has no input `{name}` "
                                f"(inputs: {', '.join(values) or 'none'})")
        values[name] = value
    return values


def render(command: str, inputs: dict, outputs: dict) -> str:
    """The command with Azure ML's placeholders replaced, as the job would run it."""
    def optional(match: re.Match) -> str:
        names = [m.group(2) for m in PLACEHOLDER.finditer(match.group(1)) if m.group(1) == "inputs"]
        return match.group(1) if all(inputs.get(n) is not None for n in names) else ""

    command = OPTIONAL.sub(optional, command)

    def value(match: re.Match) -> str:
        kind, name = match.groups()
        table = inputs if kind == "inputs" else outputs
        if name not in table:
            raise PipelineError(f"`${{{{{kind}.{name}}}}}` names no {kind[:-1]} of the component")
        if table[name] is None:
            raise PipelineError(f"input `{name}` has no value (bind it in the pipeline, or give it a default)")
        return shlex.quote(_text(table[name]))

    return PLACEHOLDER.sub(value, command)


def _text(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"  # as Azure ML passes booleans
    return str(value)


def git_info(root: Path) -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "HEAD")
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "branch": "" if branch == "HEAD" else branch,
            "dirty": "true" if dirty else "false"} if commit else {}


SCHEMA = Path(__file__).resolve().with_name("mlflow-schema.sql")
SCHEMA_VERSION = re.compile(r"^-- mlflow (\S+):")


def empty_store(db: Path, mlflow_version: str) -> bool:
    """Create a new store's tables from SCHEMA when it was dumped from this MLflow version.

    A new SQLite store otherwise runs all of MLflow's database migrations, which takes seconds
    (most of a small pipeline's time); the result is the same tables, and MLflow still checks
    the schema's revision when it opens the store. Any other version: MLflow migrates as usual.
    """
    if db.exists() or not SCHEMA.is_file():
        return False
    text = SCHEMA.read_text(encoding="utf-8")
    dumped = SCHEMA_VERSION.match(text)
    if not dumped or dumped.group(1) != mlflow_version:
        return False
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as con:
        con.executescript(text)
    return True


def write_schema(target: Path = SCHEMA) -> None:
    """Dump the tables MLflow's migrations create for a new store into SCHEMA (after an upgrade)."""
    import sqlite3
    import tempfile

    import mlflow
    from mlflow.tracking import MlflowClient

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mlflow.db"
        MlflowClient(tracking_uri=f"sqlite:///{db.as_posix()}").search_experiments()
        with contextlib.closing(sqlite3.connect(db)) as con:
            # the Default experiment is left out: MLflow creates it, with this store's folder
            lines = [line for line in con.iterdump() if not line.startswith('INSERT INTO "experiments"')]
    target.write_text(f"-- mlflow {mlflow.__version__}: the tables of a new MLflow tracking store "
                      "(SQLite), from its migrations.\n-- tools/run_pipeline.py loads them instead of "
                      "migrating each new store. Regenerate: python tools/run_pipeline.py --write-schema\n"
                      + "\n".join(lines) + "\n", encoding="utf-8")


class Tracker:
    """MLflow runs for the pipeline and its steps, in a local SQLite store."""

    def __init__(self, store: Path, experiment: str, tags: dict[str, str]):
        import logging

        import mlflow
        from mlflow.tracking import MlflowClient

        logging.getLogger("mlflow").setLevel(logging.WARNING)  # "creating tables" and the like
        logging.getLogger("alembic").setLevel(logging.WARNING)

        store.mkdir(parents=True, exist_ok=True)
        empty_store(store / "mlflow.db", mlflow.__version__)
        self.uri = f"sqlite:///{(store / 'mlflow.db').as_posix()}"
        self.client = MlflowClient(tracking_uri=self.uri)
        found = self.client.get_experiment_by_name(experiment)
        self.experiment_id = found.experiment_id if found else self.client.create_experiment(
            experiment, artifact_location=(store / "artifacts").resolve().as_uri())
        self.tags = tags
        self.mlflow = mlflow

    def start(self, name: str, parent: str | None = None) -> str:
        tags = {"mlflow.runName": name, **self.tags}
        if parent:
            tags["mlflow.parentRunId"] = parent
        return self.client.create_run(self.experiment_id, tags=tags, run_name=name).info.run_id

    def end(self, run_id: str, ok: bool) -> None:
        self.client.set_terminated(run_id, "FINISHED" if ok else "FAILED")


def run(pipeline_file: Path, work_dir: Path, overrides: dict[str, str], quiet: bool = False,
        isolated: bool = False) -> dict:
    started = time.perf_counter()
    pipeline = read_yaml(pipeline_file)
    steps = order(load_steps(pipeline, pipeline_file))
    values = pipeline_inputs(pipeline, pipeline_file, overrides)
    name = time.strftime("%Y%m%d-%H%M%S")
    run_dir = work_dir / "pipeline-runs" / name
    git = git_info(pipeline_file.parent)
    tags = {k: v for k, v in {
        # the keys MLflow (and Azure ML) use for a run's source, plus the CI workflow's own tags
        "mlflow.source.git.commit": git.get("commit", ""), "mlflow.source.git.branch": git.get("branch", ""),
        "commit": git.get("commit", ""), "branch": git.get("branch", ""), "git.dirty": git.get("dirty", ""),
        **{f"pipeline.{k}": str(v) for k, v in (pipeline.get("tags") or {}).items()},
    }.items() if v}
    tracker = Tracker(work_dir / "mlruns", pipeline.get("experiment_name") or "Default", tags)
    parent = tracker.start(pipeline.get("display_name") or pipeline_file.stem)
    say = (lambda *_: None) if quiet else (lambda text: print(text, flush=True))
    say(f"pipeline {pipeline_file.name}: {len(steps)} steps, commit {git.get('commit', '?')[:12]} "
        f"on {git.get('branch') or '?'}; outputs in {run_dir}")
    produced: dict[str, dict[str, Path]] = {}
    pipeline_outputs: dict[str, str] = {}
    result = {"run_dir": str(run_dir), "tracking_uri": tracker.uri, "pipeline_run_id": parent,
              "steps": {}, "outputs": pipeline_outputs}
    ok = True
    for index, step in enumerate(steps, 1):
        inputs = step_inputs(step, values, produced)
        outputs = {}
        for out in (step.component.get("outputs") or {}):
            binding = (step.spec.get("outputs") or {}).get(out)
            target = run_dir / step.name / "outputs" / out
            match = re.match(r"^\$\{\{\s*parent\.outputs\.(\w+)\s*\}\}$", str(binding or ""))
            if match:  # a pipeline output: the folder the deployment workflow registers from
                target = run_dir / "outputs" / match.group(1)
                pipeline_outputs[match.group(1)] = str(target)
            target.mkdir(parents=True, exist_ok=True)
            outputs[out] = target
        produced[step.name] = outputs
        command = render(str(step.component.get("command", "")), inputs, outputs)
        code = snapshot(step, run_dir)
        run_id = tracker.start(step.name, parent)
        say(f"[{index}/{len(steps)}] {step.name}: {command}")
        t0 = time.perf_counter()
        env = {**os.environ, "MLFLOW_TRACKING_URI": tracker.uri, "MLFLOW_RUN_ID": run_id,
               "MLFLOW_EXPERIMENT_ID": tracker.experiment_id,
               **{f"AZURE_ML_OUTPUT_{k}": str(v) for k, v in outputs.items()},
               **{f"AZURE_ML_INPUT_{k}": _text(v) for k, v in inputs.items() if v is not None}}
        env.pop("MLFLOW_EXPERIMENT_NAME", None)
        words = argv(command)
        if isolated or not runs_in_process(words, code):
            proc = subprocess.run(words, cwd=code, env=env, capture_output=True, text=True)
        else:
            proc = run_script(words, code, env)
        seconds = time.perf_counter() - t0
        (run_dir / step.name / "std_log.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        tracker.end(run_id, proc.returncode == 0)
        result["steps"][step.name] = {"returncode": proc.returncode, "seconds": round(seconds, 2),
                                      "run_id": run_id, "outputs": {k: str(v) for k, v in outputs.items()}}
        say(f"      {'done' if proc.returncode == 0 else 'FAILED'} in {seconds:.1f}s")
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            say("      " + "\n      ".join(tail))
            say(f"      full log: {run_dir / step.name / 'std_log.txt'}")
            ok = False
            break  # continue_on_step_failure: false
    tracker.end(parent, ok)
    result["ok"] = ok
    result["seconds"] = round(time.perf_counter() - started, 2)
    metrics_file = Path(pipeline_outputs.get("evaluation", run_dir)) / "metrics.json"
    if ok and metrics_file.is_file():
        result["metrics"] = json.loads(metrics_file.read_text(encoding="utf-8"))
    say(f"pipeline {'completed' if ok else 'failed'} in {result['seconds']:.1f}s; MLflow runs in {tracker.uri}")
    return result


def step_inputs(step: Step, values: dict, produced: dict[str, dict[str, Path]]) -> dict:
    declared = step.component.get("inputs") or {}
    given = step.spec.get("inputs") or {}
    inputs = {}
    for name, decl in declared.items():
        decl = decl if isinstance(decl, dict) else {}
        value = given.get(name, decl.get("default"))
        match = BINDING.match(value) if isinstance(value, str) else None
        if match and match.group(2):
            value = values.get(match.group(2))
        elif match:
            value = produced[match.group(3)].get(match.group(4))
            if value is None:
                raise PipelineError(f"step {step.name}: step {match.group(3)} has no output {match.group(4)}")
        elif isinstance(value, dict):
            value = value.get("path", value.get("default"))
        if value is None and not decl.get("optional"):
            raise PipelineError(f"step {step.name}: required input `{name}` is not bound")
        inputs[name] = value
    unknown = set(given) - set(declared)
    if unknown:
        raise PipelineError(f"step {step.name}: the component declares no input {', '.join(sorted(unknown))}")
    return inputs


def snapshot(step: Step, run_dir: Path) -> Path:
    """A copy of the component's code folder: the step runs in it, as in the job's snapshot."""
    target = run_dir / step.name / "code"
    code = step.component.get("code")
    if code:
        source = (step.component_file.parent / str(code)).resolve()
        if not source.is_dir():
            raise PipelineError(f"step {step.name}: code folder {source} does not exist")
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        target.mkdir(parents=True)
    return target


def runs_in_process(words: list[str], code: Path) -> bool:
    """``python SCRIPT.py ARGS`` with the script in the step's snapshot: runnable in this
    interpreter. Anything else (``-m``, ``-c``, shell syntax, another program) gets a process."""
    return (len(words) >= 2 and words[0] == sys.executable and words[1].endswith(".py")
            and (code / words[1]).is_file())


class _Finished:
    """What a step's script left behind when run in this interpreter (like a CompletedProcess)."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_script(words: list[str], code: Path, env: dict[str, str]) -> _Finished:
    """Run ``python SCRIPT.py ARGS`` in this interpreter as a fresh ``__main__``.

    What a process would give the script, it gets: its own ``sys.argv``, working folder and
    environment variables, the snapshot folder first on ``sys.path``, and the snapshot's own
    modules imported afresh (a later step never sees an earlier step's copy of them). What it
    shares with the other steps is what is already imported: numpy, scikit-learn and MLflow are
    imported once per pipeline instead of once per step, which is most of a small run's time.
    Its MLflow run (MLFLOW_RUN_ID) is ended after the step, as when a job's process exits.
    """
    import contextlib
    import io
    import runpy
    import traceback

    saved_env, saved_argv, saved_path = dict(os.environ), list(sys.argv), list(sys.path)
    saved_cwd, before = os.getcwd(), set(sys.modules)
    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(code)
        sys.argv = [str(code / words[1]), *words[2:]]
        sys.path.insert(0, str(code))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(sys.argv[0], run_name="__main__")
            except SystemExit as exc:
                if isinstance(exc.code, int) or exc.code is None:
                    returncode = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
                    returncode = 1
            except BaseException:  # noqa: BLE001 (the step failed; the pipeline reports it)
                traceback.print_exc()
                returncode = 1
            finally:
                mlflow = sys.modules.get("mlflow")
                if mlflow is not None and mlflow.active_run() is not None:
                    mlflow.end_run("FINISHED" if returncode == 0 else "FAILED")
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv, sys.path[:] = saved_argv, saved_path
        for name in set(sys.modules) - before:  # the snapshot's own modules, not libraries
            where = getattr(sys.modules[name], "__file__", None) or ""
            if where and Path(where).resolve().is_relative_to(code.resolve()):
                del sys.modules[name]
    return _Finished(returncode, out.getvalue(), err.getvalue())


def argv(command: str) -> list[str]:
    """The command as a process: plain commands directly (``python`` is this interpreter), shell
    syntax through bash, as Azure ML runs commands in a shell."""
    if SHELL_SYNTAX.search(command.replace("\\\n", " ")):
        return ["bash", "-c", command]
    words = shlex.split(command)
    if words and words[0] in ("python", "python3"):
        words[0] = sys.executable
    return words


def main(argv_: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", nargs="?", type=Path, default=PIPELINE,
                        help="pipeline job YAML (default: pipelines/training-pipeline.yaml)")
    parser.add_argument("--set", action="append", default=[], metavar="INPUT=VALUE",
                        help="override a pipeline input (repeatable), e.g. --set n_rows=800")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "outputs",
                        help="where step outputs (pipeline-runs/) and MLflow (mlruns/) go "
                             "(default: outputs/, which Git ignores)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--isolated", action="store_true",
                        help="run every step in a process of its own (slower: each step imports "
                             "its libraries again); by default a `python SCRIPT.py` step runs in "
                             "this interpreter")
    parser.add_argument("--write-schema", action="store_true",
                        help=f"regenerate {SCHEMA.name} for the installed MLflow, then exit")
    args = parser.parse_args(argv_)
    if args.write_schema:
        write_schema()
        return 0
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set {item}: write INPUT=VALUE")
        overrides[key.removeprefix("inputs.")] = value
    try:
        result = run(args.pipeline.resolve(), args.work_dir.resolve(), overrides, quiet=args.quiet,
                     isolated=args.isolated)
    except PipelineError as exc:
        print(f"run_pipeline: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"run_pipeline: error: {exc.name} is not installed (pip install -r requirements-dev.txt)",
              file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
