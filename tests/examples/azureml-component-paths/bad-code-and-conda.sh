# Paths are relative to the component file, not to the repository root.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/train/component.yaml "code: ../../src" "code: src"
edit components/evaluate/component.yaml "environment: azureml:churn-training-env@latest" "environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
  conda_file: environments/training-conda.yaml"
