source "$EXAMPLES/azureml.sh"
azureml_project
edit components/prepare/component.yaml "azureml:churn-training-env@latest" "churn-training-env:1"
edit components/train/component.yaml "azureml:churn-training-env@latest" "azureml:churn training env"
edit components/evaluate/component.yaml "environment: azureml:churn-training-env@latest" "environment:
  conda_file: ../../environments/training-conda.yaml"
