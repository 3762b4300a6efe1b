"""Data preparation for the NeuralSpark churn model.

NeuralSpark's real customer table lives in an Azure ML data asset, never in Git. So that the
project runs anywhere (a laptop, a CI runner, a compute cluster), this step synthesises a
customer table with the same columns from a fixed seed, then splits it into train and test
files. The same seed always gives the same rows, which keeps runs comparable.

Usage::

    python src/prepare.py --output data/prepared --n-rows 5000 --seed 42
"""
from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

NUMERIC_FEATURES = ("tenure_months", "monthly_charges", "support_calls")
CATEGORICAL_FEATURES = ("contract_type",)
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
TARGET = "churned"
ID_COLUMN = "customer_id"
COLUMNS = (ID_COLUMN, *FEATURES, TARGET)

CONTRACT_TYPES = ("month-to-month", "one-year", "two-year")
# Long contracts lock customers in, so they churn far less than monthly ones.
_CONTRACT_SHARE = (0.55, 0.25, 0.20)
_CONTRACT_EFFECT = {"month-to-month": 0.9, "one-year": -0.6, "two-year": -1.6}

TRAIN_FILE = "train.csv"
TEST_FILE = "test.csv"


def generate(n_rows: int = 5000, seed: int = 42) -> list[dict]:
    """Return ``n_rows`` synthetic customers as dicts; the same seed gives the same rows."""
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 73, size=n_rows)
    charges = np.clip(rng.normal(70.0, 25.0, size=n_rows), 18.0, 130.0).round(2)
    calls = rng.poisson(1.5, size=n_rows)
    contract = rng.choice(len(CONTRACT_TYPES), size=n_rows, p=_CONTRACT_SHARE)
    draws = rng.random(n_rows)

    rows = []
    for i in range(n_rows):
        kind = CONTRACT_TYPES[contract[i]]
        # A simple, known churn mechanism, so that a good model is measurably better than chance.
        logit = (-0.8 - 0.045 * tenure[i] + 0.025 * (charges[i] - 70.0)
                 + 0.55 * calls[i] + _CONTRACT_EFFECT[kind])
        churn_probability = 1.0 / (1.0 + math.exp(-logit))
        rows.append({
            ID_COLUMN: f"NS-{seed}-{i:06d}",
            "tenure_months": int(tenure[i]),
            "monthly_charges": float(charges[i]),
            "support_calls": int(calls[i]),
            "contract_type": kind,
            TARGET: int(draws[i] < churn_probability),
        })
    return rows


def split(rows: list[dict], test_fraction: float = 0.2, seed: int = 42) -> tuple[list[dict], list[dict]]:
    """Shuffle ``rows`` with ``seed`` and cut them into ``(train, test)``."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1 (exclusive)")
    if len(rows) < 2:
        raise ValueError("need at least two rows to split")
    order = np.random.default_rng(seed).permutation(len(rows))
    n_test = min(max(1, round(len(rows) * test_fraction)), len(rows) - 1)
    test = [rows[i] for i in order[:n_test]]
    train = [rows[i] for i in order[n_test:]]
    return train, test


def write_rows(rows: list[dict], path: Path) -> Path:
    """Write ``rows`` as CSV with the standard column order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_rows(path: Path) -> tuple[list[dict], np.ndarray]:
    """Read a split written by :func:`write_rows` as ``(feature dicts, labels)``.

    The feature dicts hold exactly :data:`FEATURES`, typed as the model expects them, which
    is also the shape that the scoring script receives in a request.
    """
    features, labels = [], []
    with Path(path).open(newline="", encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            row = {name: float(record[name]) for name in NUMERIC_FEATURES}
            row.update({name: record[name] for name in CATEGORICAL_FEATURES})
            features.append(row)
            labels.append(int(record[TARGET]))
    return features, np.asarray(labels, dtype=int)


def prepare(output: Path, n_rows: int = 5000, test_fraction: float = 0.2, seed: int = 42) -> dict:
    """Generate, split and write the data; returns the row counts."""
    train, test = split(generate(n_rows, seed), test_fraction, seed)
    write_rows(train, Path(output) / TRAIN_FILE)
    write_rows(test, Path(output) / TEST_FILE)
    return {"train_rows": len(train), "test_rows": len(test)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("data/prepared"),
                        help="folder for train.csv and test.csv (default: data/prepared)")
    parser.add_argument("--n-rows", type=int, default=5000, help="customers to generate")
    parser.add_argument("--test-fraction", type=float, default=0.2, help="share held out for testing")
    parser.add_argument("--seed", type=int, default=42, help="random seed for generation and split")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    counts = prepare(args.output, args.n_rows, args.test_fraction, args.seed)
    print(f"wrote {counts['train_rows']} training and {counts['test_rows']} test rows to {args.output}")
    return counts


if __name__ == "__main__":
    main()
