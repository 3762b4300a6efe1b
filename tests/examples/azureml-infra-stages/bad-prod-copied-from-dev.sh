# params-prod.json copied from dev and only half edited.
source "$EXAMPLES/azureml.sh"
azureml_project
edit infra/params-prod.json '"value": "neuralspark-prod"' '"value": "neuralspark-dev"'
edit infra/params-prod.json '"value": "prod"' '"value": "dev"'
