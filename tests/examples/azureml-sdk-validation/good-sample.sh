source "$EXAMPLES/azureml.sh"
azureml_project
