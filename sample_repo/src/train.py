"""Train the NeuralSpark churn classifier.

Reads the training split written by ``prepare.py``, fits a scikit-learn pipeline with the
hyperparameters from ``config/hyperparameters.yaml`` and saves it with joblib. In an Azure ML
job (and under ``tools/run_pipeline.py``) MLflow records the parameters and metrics in the run
the job created; a plain local run only prints them.

Usage::

    python src/train.py --data data/prepared --model-dir outputs
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import joblib
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from prepare import TRAIN_FILE, read_rows


def tracking():
    """MLflow, but only inside a tracked run: an Azure ML job, or tools/run_pipeline.py (both set
    MLFLOW_TRACKING_URI). A plain local run must not create an MLflow store next to the code, and
    need not pay for importing MLflow (installed in the training environment, optional elsewhere)."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        return None
    try:
        import mlflow
    except ImportError:
        return None
    return mlflow

MODEL_FILE = "model.joblib"
# Only these LogisticRegression arguments may come from the config: a typo in the YAML then
# fails loudly instead of silently training with a default.
ALLOWED_HYPERPARAMETERS = {"C", "class_weight", "max_iter", "solver", "tol", "l1_ratio"}
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "hyperparameters.yaml"


def _load_yaml(text: str):
    try:
        from ruamel.yaml import YAML
    except ImportError:  # PyYAML reads this simple file just as well
        import yaml

        return yaml.safe_load(text)
    return YAML(typ="safe", pure=True).load(text)


def load_hyperparameters(path: Path) -> dict:
    """The ``logistic_regression`` section of the config, checked against the allowed keys."""
    config = _load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    params = dict(config.get("logistic_regression") or {})
    unknown = sorted(set(params) - ALLOWED_HYPERPARAMETERS)
    if unknown:
        raise ValueError(f"{path}: unknown hyperparameter(s): {', '.join(unknown)}")
    return params


def build_model(params: dict | None = None) -> Pipeline:
    """An untrained pipeline that takes a list of feature dicts (the request shape)."""
    return Pipeline([
        # DictVectorizer one-hot encodes string values (contract_type) and passes numbers
        # through, so the model accepts exactly the records that score.py receives.
        ("features", DictVectorizer(sparse=False)),
        ("scale", StandardScaler()),
        ("classifier", LogisticRegression(**(params or {}))),
    ])


def train(features: list[dict], labels, params: dict | None = None) -> tuple[Pipeline, dict]:
    """Fit the pipeline; returns it with its metrics on the training data."""
    model = build_model(params).fit(features, labels)
    churn_column = list(model.classes_).index(1)
    metrics = {
        "train_accuracy": float(accuracy_score(labels, model.predict(features))),
        "train_roc_auc": float(roc_auc_score(labels, model.predict_proba(features)[:, churn_column])),
        "train_rows": len(features),
    }
    return model, metrics


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/prepared"),
                        help=f"folder holding {TRAIN_FILE} (default: data/prepared)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help="hyperparameter YAML (default: config/hyperparameters.yaml)")
    parser.add_argument("--model-dir", type=Path, default=Path("outputs"),
                        help=f"folder to write {MODEL_FILE} to (default: outputs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    params = load_hyperparameters(args.config)
    features, labels = read_rows(args.data / TRAIN_FILE)
    model, metrics = train(features, labels, params)

    args.model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.model_dir / MODEL_FILE)

    mlflow = tracking()
    if mlflow is not None:
        mlflow.log_params({f"lr_{k}": v for k, v in params.items()})
        mlflow.log_metrics({k: v for k, v in metrics.items() if isinstance(v, float)})
    print(json.dumps({"hyperparameters": params, **metrics}, indent=2))
    print(f"saved model to {args.model_dir / MODEL_FILE}")
    return metrics


if __name__ == "__main__":
    main()
