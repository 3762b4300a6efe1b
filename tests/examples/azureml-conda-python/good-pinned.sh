source "$EXAMPLES/azureml.sh"
azureml_project
edit environments/scoring-conda.yaml "python=3.11" "python==3.11.9"
