"""Unit tests for the data preparation step (src/prepare.py)."""
import csv

import pytest

import prepare


def test_generate_is_deterministic_for_a_seed():
    assert prepare.generate(200, seed=7) == prepare.generate(200, seed=7)


def test_generate_differs_between_seeds():
    assert prepare.generate(200, seed=7) != prepare.generate(200, seed=8)


def test_generate_has_the_expected_columns_and_ranges():
    rows = prepare.generate(1000, seed=1)
    assert len(rows) == 1000
    for row in rows:
        assert tuple(row) == prepare.COLUMNS
        assert 1 <= row["tenure_months"] <= 72
        assert 18.0 <= row["monthly_charges"] <= 130.0
        assert row["support_calls"] >= 0
        assert row["contract_type"] in prepare.CONTRACT_TYPES
        assert row["churned"] in (0, 1)
    assert len({row["customer_id"] for row in rows}) == len(rows)


def test_generated_churn_is_plausible_and_learnable():
    rows = prepare.generate(4000, seed=3)
    rate = sum(r["churned"] for r in rows) / len(rows)
    assert 0.1 < rate < 0.5

    def churn_rate(kind):
        group = [r["churned"] for r in rows if r["contract_type"] == kind]
        return sum(group) / len(group)

    # The signal the model is meant to find: monthly contracts churn more than two-year ones.
    assert churn_rate("month-to-month") > churn_rate("two-year")


@pytest.mark.parametrize("n_rows", [0, -5])
def test_generate_rejects_empty_tables(n_rows):
    with pytest.raises(ValueError):
        prepare.generate(n_rows)


def test_split_is_disjoint_complete_and_deterministic():
    rows = prepare.generate(500, seed=2)
    train, test = prepare.split(rows, test_fraction=0.2, seed=2)
    assert (len(train), len(test)) == (400, 100)
    train_ids = {r["customer_id"] for r in train}
    test_ids = {r["customer_id"] for r in test}
    assert not train_ids & test_ids
    assert train_ids | test_ids == {r["customer_id"] for r in rows}
    assert prepare.split(rows, test_fraction=0.2, seed=2) == (train, test)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_split_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError):
        prepare.split(prepare.generate(10), test_fraction=fraction)


def test_written_split_reads_back_as_model_features(tmp_path):
    rows = prepare.generate(50, seed=4)
    path = prepare.write_rows(rows, tmp_path / "part.csv")
    features, labels = prepare.read_rows(path)
    assert len(features) == len(labels) == 50
    assert set(features[0]) == set(prepare.FEATURES)  # no id, no label
    assert features[0]["tenure_months"] == float(rows[0]["tenure_months"])
    assert features[0]["contract_type"] == rows[0]["contract_type"]
    assert list(labels) == [r["churned"] for r in rows]


def test_cli_writes_train_and_test_files(tmp_path):
    out = tmp_path / "prepared"
    counts = prepare.main(["--output", str(out), "--n-rows", "120", "--test-fraction", "0.25", "--seed", "5"])
    assert counts == {"train_rows": 90, "test_rows": 30}
    with (out / prepare.TRAIN_FILE).open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == prepare.COLUMNS
        assert sum(1 for _ in reader) == 90
    assert (out / prepare.TEST_FILE).is_file()
