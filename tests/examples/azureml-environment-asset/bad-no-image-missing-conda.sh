source "$EXAMPLES/azureml.sh"
azureml_project
cat > environments/training-env.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: churn-training-env
version: "1"
conda_file: training.yaml
YAML
