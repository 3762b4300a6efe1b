source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml "component: ../components/evaluate/component.yaml" "component: azureml:churn_evaluate@latest"
