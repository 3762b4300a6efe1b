source "$EXAMPLES/azureml.sh"
azureml_project
edit components/prepare/component.yaml "azureml:churn-training-env@latest" "azureml:churn-training-env:1"
edit components/train/component.yaml "azureml:churn-training-env@latest" "azureml://registries/neuralspark-registry/environments/churn-training-env/versions/1"
edit components/evaluate/component.yaml "environment: azureml:churn-training-env@latest" "environment:
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest
  conda_file: ../../environments/training-conda.yaml"
