source "$EXAMPLES/azureml.sh"
azureml_project
cat >> infra/main.bicep <<'BICEP'

@secure()
param adminPassword string

param storageAccessKey string = ''
BICEP
edit infra/params-dev.json '    "tags": {' '    "adminPassword": {
      "value": "Winter2026!"
    },
    "storageAccessKey": {
      "value": "c2VjcmV0LXN0b3JhZ2Uta2V5LWZvci10ZXN0cw=="
    },
    "tags": {'
