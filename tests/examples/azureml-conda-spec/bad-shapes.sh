# channels as one string, a package written as a mapping, pip packages as one string, and pip
# itself missing.
source "$EXAMPLES/azureml.sh"
azureml_project
cat > environments/training-conda.yaml <<'YAML'
name: churn-training
channels: conda-forge
dependencies:
  - python=3.11
  - numpy: 2.4
  - scikit-learn=1.9.1
  - pip: mlflow azureml-mlflow
YAML
