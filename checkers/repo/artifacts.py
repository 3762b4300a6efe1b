"""What must not live in Git, recognised by path, and where each kind belongs instead.

One table serves the tracked-file rules, the history rules and the ``.gitignore`` rules, so that
the three can never disagree about what a model file is.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Kind:
    name: str          # "model weights": plural, messages say "... belong in"
    where: str         # where it belongs instead
    hint: str          # how to stop tracking it (and how it gets there)
    ignore: str        # example .gitignore lines


MODEL = Kind(
    "model weights",
    "the Azure ML model registry",
    "register the model instead: `az ml model create --name churn-model --path <file> --type custom_model` "
    "(or log it with MLflow from the training job); training writes it to an ignored `outputs/` folder",
    "*.pkl\n*.pt\n*.pth\n*.joblib\n*.onnx\n*.h5\n*.safetensors\n*.ckpt\noutputs/\nmodels/",
)
DATA = Kind(
    "datasets",
    "an Azure ML data asset on a datastore",
    "upload it as a data asset instead: `az ml data create --name churn-data --path <file-or-folder> "
    "--type uri_file` and reference `azureml:churn-data@latest` from the pipeline",
    "data/\n*.csv\n*.parquet\n*.feather",
)
LOGS = Kind(
    "experiment logs",
    "MLflow tracking in the Azure ML workspace",
    "let MLflow log runs to the workspace's tracking server (the training job sets it up); local "
    "`mlruns/` folders are scratch space",
    "mlruns/\nmlartifacts/\nwandb/\nlightning_logs/\n*.tfevents.*",
)
SECRET = Kind(
    "secrets",
    "Azure Key Vault (or GitHub secrets for workflows)",
    "rotate the secret now: it is compromised from the moment it was pushed. Keep the new one in "
    "Azure Key Vault and read it at run time; commit a `.env.example` with placeholder values",
    ".env\n.env.*\n!.env.example\n*.pem\n*.key\n*.pfx\n*.p12\nid_rsa*\nkaggle.json",
)

MODEL_SUFFIXES = {
    ".pkl", ".pickle", ".pt", ".pth", ".joblib", ".onnx", ".h5", ".hdf5", ".keras",
    ".safetensors", ".ckpt", ".tflite", ".mlmodel", ".gguf", ".cbm", ".mar", ".pmml",
}
MODEL_NAMES = {"MLmodel", "saved_model.pb", "pytorch_model.bin"}
DATA_SUFFIXES = {
    ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".npy", ".npz",
    ".jsonl", ".xlsx", ".xls", ".tfrecord", ".tfrecords", ".sqlite", ".sqlite3", ".db",
    ".wav", ".mp3", ".flac", ".mp4", ".avi",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
DATA_DIRS = {"data", "datasets", "dataset"}
IMAGE_DATA_DIRS = DATA_DIRS | {"train", "training", "val", "valid", "validation", "test_images",
                               "raw", "processed", "samples", "labeled", "unlabeled", "photos",
                               "frames", "crops", "annotations"}
# Pictures for documentation are fine; a folder of pictures elsewhere is a dataset.
DOC_DIRS = {"docs", "doc", "documentation", ".github", "assets", "static", "_static", "site",
            "website", "images", "_images", "img", "imgs", "figures", "figs", "media", "notebooks",
            "screenshots", "diagrams", "pictures", "logo", "logos", "icons", "artwork", "branding",
            "examples", "tutorials", "readme", "theme", "themes", "resources", "presentations"}
# Under data/ these are descriptions, pointers and code (DVC, MLTable, READMEs, BUILD), not data.
NOT_DATA_SUFFIXES = {".py", ".md", ".rst", ".txt", ".dvc", ".gitkeep", ".gitignore", ".yaml", ".yml",
                     ".ipynb", ".sh", ".r", ".sql", ".toml", ".cfg", ".ini", ".bzl", ".bazel", ".c",
                     ".h", ".cc", ".cpp", ".go", ".rs", ".js", ".ts", ".java", ".scala", ".html",
                     # a UI's `components/Datasets/` folder, a client library's `wandb/` package
                     ".tsx", ".jsx", ".mjs", ".cjs", ".vue", ".svelte", ".css", ".scss", ".less",
                     ".pyi", ".proto", ".cs", ".kt", ".rb", ".php", ".swift", ".typed"}
# Dotfiles have no suffix (PurePosixPath(".gitignore").suffix == ""): name them here. DVC
# writes data/.gitignore; cookiecutter-data-science keeps empty folders with .gitkeep.
NOT_DATA_NAMES = {"mltable", "build", "license", "licence", "notice", "codeowners", "makefile",
                  "dockerfile", "owners", ".gitattributes", ".dvcignore", "__init__.py",
                  ".gitignore", ".gitkeep", ".keep"}
# what a file browser leaves in any folder it opened (macOS, Windows): never a model or data
FILE_BROWSER_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
NOT_DATA_NAMES |= FILE_BROWSER_NAMES
# Folders of what is not a model or a dataset, whatever the file's suffix: a Sphinx or
# Jupyter Book build's cache (`_build/.doctrees/environment.pickle`) and the license reports a
# package ships (`licenses/license_info.csv`, written by pip-licenses).
NOT_ARTIFACT_DIRS = {".doctrees", "doctrees", "licenses", "licences", "third_party_licenses",
                     "third-party-licenses"}
CODE_DIRS = {"src", "lib", "components", "pipelines", "tests", "test"}
# Small data files under any of these folders are fixtures that the unit tests need.
TEST_DIRS = {"tests", "test", "testing", "testdata", "test_data", "fixtures", "__fixtures__",
             "unit_tests", "integration_tests"}
LOG_DIRS = {"mlruns", "mlartifacts", "wandb", "lightning_logs", "tb_logs", ".neptune", "catboost_info"}
# A folder of a tracking tool's run: an experiment or run id, `run-<date>-<id>`, `version_3`.
# Code under a folder named like a tracking tool, and not in such a folder, is a package
# (wandb's own `wandb/`, a Go SDK's `pkg/wandb/`), not a run log.
RUN_FOLDER = re.compile(r"^(?:\d+|[0-9a-f]{16,}|(?:offline-)?run-.+|latest-run|version_\d+|.*\d{8}.*)$")
LOG_GLOBS = ("events.out.tfevents.*",)
SECRET_NAMES = {
    ".env", ".git-credentials", ".netrc", ".pypirc", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
    "azureauth.json", "credentials", "kubeconfig", "service-principal.json", "kaggle.json",
}
SECRET_SUFFIXES = {".pem", ".key", ".pfx", ".p12", ".ppk", ".jks", ".keystore", ".publishsettings"}
SAFE_ENV_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
# Folders of examples, demos and tutorials: a small file there is a sample they read, shipped
# with them (spaCy's extra/example_data/, clearml's examples/reporting/data_samples/).
EXAMPLE_DIRS = {"examples", "example", "demo", "demos", "tutorials", "tutorial", "samples",
                "example_data", "example-data", "sample_data", "sample-data", "data_samples"}


def example_dir(name: str) -> bool:
    """A folder of examples by its name: ``examples/``, ``example_models/`` (kserve's sklearn
    server), ``sample_data/``. (``sample_*`` stays out: a project's ``data/sample_images/``.)"""
    name = name.lower()
    return name in EXAMPLE_DIRS or name.startswith(("example_", "example-", "examples_",
                                                    "examples-"))


# Small data files under tests/ are fixtures that the unit tests need. The bound is pre-commit's
# `check-added-large-files` default (500 KB): what the field already treats as a normal file.
FIXTURE_LIMIT = 500 * 1024


@lru_cache(maxsize=1 << 16)  # several rules ask for every tracked file; a history for each version
def classify(path: str, size: int | None = None) -> Kind | None:
    """The kind of artifact at ``path`` (posix, repository-relative), or None for code/config."""
    p = PurePosixPath(path)
    name, suffix = p.name, p.suffix.lower()
    dirs = [d.lower() for d in p.parts[:-1]]
    if _is_secret_file(name, suffix, dirs):
        return SECRET
    if any(d in NOT_ARTIFACT_DIRS for d in dirs) or name.lower() in FILE_BROWSER_NAMES:
        return None
    if name in MODEL_NAMES or suffix in MODEL_SUFFIXES:
        return MODEL
    in_tests = any(is_test_dir(d) for d in dirs)
    if in_tests and size is not None and size <= FIXTURE_LIMIT:
        return None  # a small fixture: a unit test reads it (wandb's tests/assets/wandb/ run)
    if any(fnmatch.fnmatch(name, g) for g in LOG_GLOBS) or _in_run_log(dirs, name, suffix):
        return LOGS
    if name.lower() in NOT_DATA_NAMES or name.startswith(("README", "BUILD")):
        return None
    if suffix in DATA_SUFFIXES:
        return DATA
    # Pictures that illustrate (docs/, media/, documentation/, ext/ at any depth) are not a
    # dataset; pictures in a data folder or a split of one (train/, val/) are.
    if suffix in IMAGE_SUFFIXES and not any(d in DOC_DIRS for d in dirs) \
            and any(d in IMAGE_DATA_DIRS for d in dirs):
        return DATA
    # A `data` package inside the source tree (src/churn/data/) holds code, not data.
    if any(d in DATA_DIRS for d in dirs) and not (dirs and dirs[0] in CODE_DIRS) \
            and suffix not in NOT_DATA_SUFFIXES:
        return DATA
    return None


def is_test_dir(name: str) -> bool:
    """A folder of tests or their data: `tests/`, `fixtures/`, and names that say so
    (great_expectations' `test_sets/`, `_testing/test_data_sets/`); not a dataset's split
    (`test_images/`)."""
    name = name.lower()
    if name.endswith(("-test", "-tests")):  # integration-test/, e2e-tests/
        return True
    return name in TEST_DIRS or (name not in IMAGE_DATA_DIRS and (
        name.lstrip("_") in TEST_DIRS or name.startswith("test_") or name.endswith("_tests")))


def _in_run_log(dirs: list[str], name: str, suffix: str) -> bool:
    at = next((i for i, d in enumerate(dirs) if d in LOG_DIRS), None)
    if at is None:
        return False
    code = suffix in NOT_DATA_SUFFIXES or suffix.endswith("proj") or name.startswith(".") \
        or name.lower() in NOT_DATA_NAMES or name.lower().startswith(("dockerfile", "readme"))
    return not code or any(RUN_FOLDER.match(d) for d in dirs[at + 1:])


def harmless_secret_file(path: str, text: str | None, has_secret) -> bool:
    """A file named like a secret whose content shows it holds none: a ``.pem`` of certificates
    only (a CA bundle), or a ``.env`` fixture under tests/ with no secret value in it.
    ``has_secret(text)`` says whether a text holds a secret value."""
    if text is None:
        return False
    p = PurePosixPath(path)
    name, suffix = p.name.lower(), p.suffix.lower()
    if suffix in {".pem", ".crt", ".cer"}:
        return "PRIVATE KEY" not in text and "CERTIFICATE" in text
    if name == ".env" or name.startswith(".env."):
        in_tests = any(d.lower() in TEST_DIRS for d in p.parts[:-1])
        return in_tests and not has_secret(text)
    return False


def env_file(path: str) -> bool:
    """A dotenv file (``.env``, ``.env.production``), not a template (``.env.example``)."""
    name = PurePosixPath(path).name.lower()
    return name == ".env" or (name.startswith(".env.") and not name.endswith(SAFE_ENV_SUFFIXES))


def _is_secret_file(name: str, suffix: str, dirs: list[str]) -> bool:
    lower = name.lower()
    if lower == ".env" or (lower.startswith(".env.") and not lower.endswith(SAFE_ENV_SUFFIXES)):
        return True
    if lower in SECRET_NAMES and not (lower == "credentials" and ".aws" not in dirs and ".azure" not in dirs):
        return True
    if lower.startswith("id_") and lower[3:].split(".")[0] in {"rsa", "dsa", "ecdsa", "ed25519"} \
            and not lower.endswith(".pub"):
        return True
    return suffix in SECRET_SUFFIXES


# Paths a good .gitignore must ignore (one finding per kind lists those it lets through), and
# paths it must not ignore because they are code and configuration that belong in Git.
MUST_IGNORE: dict[Kind, tuple[str, ...]] = {
    MODEL: ("models/churn.pkl", "model.pkl", "outputs/model.pt", "model.pth", "model.joblib",
            "model.onnx", "checkpoints/epoch-3.ckpt", "model.safetensors", "weights.h5"),
    DATA: ("data/raw/churn.csv", "data/processed/features.parquet", "churn.csv", "features.parquet",
           "data/images/0001.png"),
    LOGS: ("mlruns/0/meta.yaml", "wandb/latest-run/run.wandb"),
    SECRET: (".env", "config/.env", "keys/deploy.pem"),
}
# The framework a representative path stands for (None: any ML project has it). A leak of a
# framework the project does not use is advice (warning), not an error.
FRAMEWORK_OF = {
    "model.pth": "torch", "checkpoints/epoch-3.ckpt": "torch", "model.joblib": "sklearn",
    "model.onnx": "onnx", "model.safetensors": "transformers", "weights.h5": "keras",
    "mlruns/0/meta.yaml": "mlflow", "wandb/latest-run/run.wandb": "wandb",
}
# Words in dependency files and imports that show a framework is used.
FRAMEWORK_WORDS = {
    "torch": ("torch", "lightning"), "sklearn": ("sklearn", "scikit-learn", "joblib"),
    "onnx": ("onnx",), "transformers": ("transformers", "safetensors", "diffusers", "peft"),
    "keras": ("keras", "tensorflow"), "mlflow": ("mlflow", "azure-ai-ml", "azureml"),
    "wandb": ("wandb",),
}
MUST_KEEP = (
    "src/train.py", "src/score.py", "src/prepare.py",
    "components/prepare/component.yaml", "components/train/component.yaml",
    "components/evaluate/component.yaml", "pipelines/training-pipeline.yaml",
    "environments/training-env.yaml", "environments/scoring-env.yaml",
    "infra/main.bicep", "infra/params-dev.json", "infra/params-prod.json",
    ".github/workflows/train-on-push.yml", ".github/workflows/deploy-on-merge.yml",
    "config/hyperparameters.yaml", "tests/test_prepare.py", "tests/test_score.py",
    ".gitignore", ".env.example", "README.md",
)


def suggest_pattern(path: str, kind: Kind) -> str:
    """The .gitignore line that would catch ``path`` the way the course teaches."""
    p = PurePosixPath(path)
    if p.name == ".env":
        return ".env"
    if kind in (MODEL, SECRET) or (kind is DATA and len(p.parts) == 1):
        return f"*{p.suffix}" if p.suffix else f"{p.parts[0]}/"
    return f"{p.parts[0]}/"
