source "$EXAMPLES/azureml.sh"
azureml_project
# a scaffolded layout's empty placeholders are not checked yet
: > infra/params-staging.json
