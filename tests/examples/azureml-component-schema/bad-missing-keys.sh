source "$EXAMPLES/azureml.sh"
azureml_project
cat > components/evaluate/component.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: pipeline
display_name: Evaluate churn model
code: ../../src
command: python evaluate.py
YAML
