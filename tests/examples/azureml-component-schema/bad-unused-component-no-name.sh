# A component file no pipeline runs is there to be registered (`az ml component create`), and
# registering needs a `name`. (A file a pipeline runs may leave it out: see good-anonymous-components.)
source "$EXAMPLES/azureml.sh"
azureml_project
mkdir -p components/score
cat > components/score/component.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
display_name: Score the churn model
code: ../../src
environment: azureml:churn-scoring@latest
command: python score.py
YAML
