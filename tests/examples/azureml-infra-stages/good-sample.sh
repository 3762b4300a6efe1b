source "$EXAMPLES/azureml.sh"
azureml_project
# the compute cluster keeps its name in each stage's own workspace
edit infra/params-dev.json '    "tags": {' '    "computeName": {
      "value": "cpu-cluster"
    },
    "tags": {'
edit infra/params-prod.json '    "tags": {' '    "computeName": {
      "value": "cpu-cluster"
    },
    "tags": {'
