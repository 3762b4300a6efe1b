# prepare's test_fraction and seed have defaults: leaving them out is fine.
source "$EXAMPLES/azureml.sh"
azureml_project
