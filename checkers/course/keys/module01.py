"""Module 01's answer keys and the explanations that would give them away (grader-only)."""
from __future__ import annotations

from ..module01 import DATA_ASSETS, GIT, KEY_VAULT, MLFLOW, MODEL_REGISTRY

# Exercise 1: where each artifact belongs, and a clue that makes the learner think without
# naming the place (shown on a repeated wrong attempt).
WRITTEN = "is it something a person writes and reviews, or something a run produces or needs in secret?"
PLACE_OF = {
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

# Exercise 3b
SECRET_ACTION = "b"
SECRET_ACTION_WHY = {
    "a": "Anyone who cloned or forked the repository, and any cache, still has the old key.",
    "b": "A pushed secret is compromised. Rotating makes the leaked value useless; Key Vault "
         "keeps the new one out of Git for good.",
    "c": "The key is already out, and private repositories are read by many people and tools.",
    "d": "The key that decrypts it then has to live somewhere, and the leaked value still works.",
}

# Knowledge check
QUIZ_ANSWER = {"KC_PKL": "c", "KC_RM": "b", "KC_SEPARATE": "a", "KC_IGNORE": "d"}
QUIZ_WHY = {
    "KC_PKL": {
        "a": "Git can store it, but every clone carries every version forever, and nothing links "
             "the file to the data, code and metrics that made it.",
        "b": "Git LFS moves the bytes, but the model is still versioned by Git, with no lineage.",
        "c": "The registry versions models with their lineage (job, data, metrics); Git keeps "
             "code and configuration.",
        "d": "A different folder of the same repository is still Git.",
    },
    "KC_RM": {
        "a": "Only the next commit lacks it; every earlier commit still has it.",
        "b": "`git rm --cached` changes the next commit only. `git filter-repo --invert-paths "
             "--path models/churn.pkl` rewrites the history; then force-push and re-clone.",
        "c": "Git never moves anything anywhere but into its own history.",
    },
    "KC_SEPARATE": {
        "a": "Each run records the commit it ran from, so code and results meet.",
        "b": "Git does not scale to models and data, and it knows nothing of runs.",
        "c": "MLflow records runs; it is no place to review and merge code.",
    },
    "KC_IGNORE": {
        "a": "The pattern is fine: `*.pkl` matches at any depth.",
        "b": "Comments in .gitignore are whole lines; the pattern itself is right.",
        "c": "Order matters for `!` exceptions only; nothing here undoes `*.pkl`.",
        "d": ".gitignore only keeps untracked files out; a tracked file stays tracked until "
             "`git rm --cached` (and its old versions stay until the history is rewritten).",
    },
}
