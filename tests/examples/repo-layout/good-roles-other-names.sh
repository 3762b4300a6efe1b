# A practitioner's repository: every part of the layout is there, under its own names.
. "$EXAMPLES/lib.sh"
init
mkdir -p .github/workflows terraform churn/training ml tests/unit
touch .github/workflows/ci.yml terraform/main.tf churn/__init__.py churn/training/fit.py \
  ml/churn-pipeline.yaml requirements.txt tests/unit/test_features.py
commit "project"
