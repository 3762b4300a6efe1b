source "$EXAMPLES/azureml.sh"
azureml_project
edit environments/training-conda.yaml "  - python=3.11
" ""
edit environments/scoring-conda.yaml "python=3.11" "python>=3.10"
