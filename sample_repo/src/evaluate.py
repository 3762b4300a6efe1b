"""Evaluate a trained churn model on the held-out test split.

Writes ``metrics.json`` (accuracy, precision, recall, F1, ROC AUC) and, when a minimum ROC AUC
is given, exits non-zero below it. In the Azure ML pipeline that failure fails the whole job,
so the deployment workflow, which only registers models from completed jobs, never picks up a
model that did worse than the bar.

Usage::

    python src/evaluate.py --model-dir outputs --data data/prepared --metrics-output outputs/metrics
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import joblib
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from prepare import TEST_FILE, read_rows
from score import find_model_file


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

METRICS_FILE = "metrics.json"


def evaluate(model, features: list[dict], labels) -> dict:
    """Test-set metrics of a fitted model."""
    churn_column = list(model.classes_).index(1)
    probabilities = model.predict_proba(features)[:, churn_column]
    predictions = (probabilities >= 0.5).astype(int)
    return {
        "test_accuracy": float(accuracy_score(labels, predictions)),
        "test_precision": float(precision_score(labels, predictions, zero_division=0)),
        "test_recall": float(recall_score(labels, predictions, zero_division=0)),
        "test_f1": float(f1_score(labels, predictions, zero_division=0)),
        "test_roc_auc": float(roc_auc_score(labels, probabilities)),
        "test_rows": len(features),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("outputs"),
                        help="folder holding the trained model (default: outputs)")
    parser.add_argument("--data", type=Path, default=Path("data/prepared"),
                        help=f"folder holding {TEST_FILE} (default: data/prepared)")
    parser.add_argument("--metrics-output", type=Path, default=Path("outputs/metrics"),
                        help=f"folder to write {METRICS_FILE} to (default: outputs/metrics)")
    parser.add_argument("--min-roc-auc", type=float, default=0.0,
                        help="fail (exit 1) when the test ROC AUC is below this (default: 0, no gate)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    model = joblib.load(find_model_file(args.model_dir))
    features, labels = read_rows(args.data / TEST_FILE)
    metrics = evaluate(model, features, labels)

    args.metrics_output.mkdir(parents=True, exist_ok=True)
    (args.metrics_output / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    mlflow = tracking()
    if mlflow is not None:
        mlflow.log_metrics({k: v for k, v in metrics.items() if isinstance(v, float)})
    print(json.dumps(metrics, indent=2))

    if metrics["test_roc_auc"] < args.min_roc_auc:
        print(f"test ROC AUC {metrics['test_roc_auc']:.3f} is below the required {args.min_roc_auc:.3f}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
