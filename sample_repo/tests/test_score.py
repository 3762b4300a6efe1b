"""Unit tests for the scoring script (src/score.py), with a small model trained on the fly."""
import json

import joblib
import pytest

import prepare
import score
import train


@pytest.fixture(scope="module")
def trained_model_dir(tmp_path_factory):
    """A tiny trained model, laid out like a registered job output (trained once per module)."""
    tmp_path = tmp_path_factory.mktemp("model")
    rows = prepare.write_rows(prepare.generate(400, seed=11), tmp_path / "train.csv")
    model, _ = train.train(*prepare.read_rows(rows), {"max_iter": 500})
    # Registered job outputs keep their folder name, one level below AZUREML_MODEL_DIR.
    target = tmp_path / "model" / "trained_model"
    target.mkdir(parents=True)
    joblib.dump(model, target / train.MODEL_FILE)
    return tmp_path / "model"


@pytest.fixture
def model_dir(trained_model_dir, monkeypatch):
    """AZUREML_MODEL_DIR pointing at the trained model, with init() already run."""
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(trained_model_dir))
    monkeypatch.setattr(score, "model", None)
    score.init()
    return trained_model_dir


def request(*records):
    return json.dumps({"data": list(records)})


GOOD = {"tenure_months": 12, "monthly_charges": 70.0, "support_calls": 1, "contract_type": "one-year"}


def test_model_file_names_agree():
    assert score.MODEL_FILE == train.MODEL_FILE


def test_run_returns_a_prediction_and_probability_per_record(model_dir):
    result = score.run(request(GOOD, {**GOOD, "contract_type": "two-year"}))
    assert set(result) == {"predictions", "probabilities"}
    assert len(result["predictions"]) == len(result["probabilities"]) == 2
    assert all(p in (0, 1) for p in result["predictions"])
    assert all(0.0 <= p <= 1.0 for p in result["probabilities"])
    json.dumps(result)  # the endpoint must be able to serialise it


def test_risky_customer_scores_higher_than_loyal_one(model_dir):
    risky = {"tenure_months": 2, "monthly_charges": 110.0, "support_calls": 6, "contract_type": "month-to-month"}
    loyal = {"tenure_months": 70, "monthly_charges": 30.0, "support_calls": 0, "contract_type": "two-year"}
    low, high = sorted(score.run(request(loyal, risky))["probabilities"])
    assert score.run(request(risky))["probabilities"][0] == high > low


def test_smoke_request_file_is_a_valid_request(model_dir, repo_root):
    body = (repo_root / "tests" / "smoke" / "sample-request.json").read_text()
    result = score.run(body)
    assert "error" not in result
    assert len(result["predictions"]) == 2


def test_bytes_and_extra_fields_are_accepted(model_dir):
    result = score.run(request({**GOOD, "customer_id": "NS-1"}).encode())
    assert len(result["predictions"]) == 1


@pytest.mark.parametrize("body, expected", [
    ("not json", "not valid JSON"),
    ("[]", '"data"'),
    (json.dumps({"rows": [GOOD]}), '"data"'),
    (json.dumps({"data": []}), "non-empty"),
    (json.dumps({"data": ["oops"]}), "record 0"),
    (request({k: v for k, v in GOOD.items() if k != "support_calls"}), "support_calls"),
    (request({**GOOD, "tenure_months": "twelve"}), "tenure_months"),
    (request({**GOOD, "support_calls": True}), "support_calls"),
    (request(GOOD, {**GOOD, "contract_type": "weekly"}), "record 1"),
])
def test_bad_requests_return_an_error_instead_of_raising(model_dir, body, expected):
    result = score.run(body)
    assert set(result) == {"error"}
    assert expected in result["error"]


def test_oversized_request_is_refused(model_dir):
    result = score.run(request(*[GOOD] * (score.MAX_RECORDS + 1)))
    assert "limit" in result["error"]


def test_run_before_init_reports_an_error(monkeypatch):
    monkeypatch.setattr(score, "model", None)
    assert "error" in score.run(request(GOOD))


def test_init_fails_clearly_without_a_model(tmp_path, monkeypatch):
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        score.init()
