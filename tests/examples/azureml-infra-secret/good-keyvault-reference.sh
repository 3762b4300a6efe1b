source "$EXAMPLES/azureml.sh"
azureml_project
cat >> infra/main.bicep <<'BICEP'

@secure()
@description('Password of the compute cluster admin user.')
param adminPassword string
BICEP
edit infra/params-dev.json '    "tags": {' '    "adminPassword": {
      "reference": {
        "keyVault": {
          "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml-dev/providers/Microsoft.KeyVault/vaults/kv-neuralspark-dev"
        },
        "secretName": "cluster-admin-password"
      }
    },
    "tags": {'
edit infra/params-prod.json '    "tags": {' '    "adminPassword": {
      "value": "<set at deployment time>"
    },
    "tags": {'
