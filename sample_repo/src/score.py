"""Scoring script for the churn model's Azure ML online endpoint.

Azure ML calls :func:`init` once when a deployment starts and :func:`run` for every request.
A request looks like ``{"data": [{"tenure_months": 5, "monthly_charges": 89.5,
"support_calls": 3, "contract_type": "month-to-month"}, ...]}``; the answer holds one churn
prediction (0 or 1) and one churn probability per record.

The file imports nothing else from ``src/`` so that a deployment needs only this script and
the registered model. The list of expected features is read from the model itself, so the two
cannot drift apart.
"""
from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path

import joblib

# Must match train.MODEL_FILE (a unit test checks that it does).
MODEL_FILE = "model.joblib"
# A bound on one request's size keeps a single caller from tying up a replica.
MAX_RECORDS = 1000

logger = logging.getLogger(__name__)

model = None
_numeric: tuple[str, ...] = ()
_categories: dict[str, tuple[str, ...]] = {}


def find_model_file(model_dir: str | os.PathLike) -> Path:
    """``model.joblib`` directly in ``model_dir`` or in a sub-folder of it.

    A model registered from a job output keeps the output folder's name, so Azure ML mounts it
    one level below ``AZUREML_MODEL_DIR``; searching copes with both layouts.
    """
    root = Path(model_dir)
    if (root / MODEL_FILE).is_file():
        return root / MODEL_FILE
    found = sorted(root.rglob(MODEL_FILE))
    if not found:
        raise FileNotFoundError(f"no {MODEL_FILE} under {root}")
    return found[0]


def describe_features(pipeline) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """(numeric feature names, {categorical feature: known values}) the pipeline was fit on."""
    vectorizer = pipeline.named_steps["features"]
    numeric, categories = [], {}
    for column in vectorizer.feature_names_:
        name, sep, value = column.partition(vectorizer.separator)
        if sep:
            categories.setdefault(name, []).append(value)
        else:
            numeric.append(name)
    return tuple(numeric), {k: tuple(v) for k, v in categories.items()}


def init() -> None:
    """Load the model once per replica, from the folder Azure ML mounts it in."""
    global model, _numeric, _categories
    path = find_model_file(os.environ["AZUREML_MODEL_DIR"])
    model = joblib.load(path)
    _numeric, _categories = describe_features(model)
    logger.info("loaded churn model from %s", path)


def _parse(raw_data) -> list[dict]:
    """The request's records, checked and reduced to the model's features; ValueError if bad."""
    if isinstance(raw_data, (bytes, bytearray)):
        raw_data = raw_data.decode("utf-8")
    if isinstance(raw_data, str):
        try:
            raw_data = json.loads(raw_data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(raw_data, dict) or "data" not in raw_data:
        raise ValueError('request must be a JSON object with a "data" list')
    records = raw_data["data"]
    if not isinstance(records, list) or not records:
        raise ValueError('"data" must be a non-empty list of records')
    if len(records) > MAX_RECORDS:
        raise ValueError(f'"data" holds {len(records)} records; the limit is {MAX_RECORDS}')

    clean = []
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValueError(f"record {i} is not an object")
        row = {}
        for name in _numeric:
            value = record.get(name)
            # bool is an int in Python, but true/false is never a valid count or amount.
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"record {i}: {name!r} must be a finite number, got {value!r}")
            row[name] = float(value)
        for name, known in _categories.items():
            value = record.get(name)
            if value not in known:
                raise ValueError(f"record {i}: {name!r} must be one of {list(known)}, got {value!r}")
            row[name] = value
        clean.append(row)
    return clean


def run(raw_data):
    """Predictions for one request, or ``{"error": ...}``: a bad request never raises."""
    if model is None:
        return {"error": "the model is not loaded (init() has not run)"}
    try:
        records = _parse(raw_data)
    except (ValueError, UnicodeDecodeError) as exc:
        return {"error": str(exc)}
    try:
        churn_column = list(model.classes_).index(1)
        probabilities = model.predict_proba(records)[:, churn_column]
    except Exception as exc:  # the caller gets a message; the replica keeps serving
        logger.exception("prediction failed")
        return {"error": f"prediction failed: {exc}"}
    return {
        "predictions": [int(p >= 0.5) for p in probabilities],
        "probabilities": [round(float(p), 6) for p in probabilities],
    }
