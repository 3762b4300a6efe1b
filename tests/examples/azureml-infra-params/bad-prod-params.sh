# prod forgets the workspace name, misnames a parameter, and picks a stage main.bicep does not
# allow; dev's workspace name is shorter than @minLength(3); an entry without "value".
source "$EXAMPLES/azureml.sh"
azureml_project
cat > infra/params-prod.json <<'JSON'
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "location": {
      "value": "westeurope"
    },
    "environment": {
      "value": "production"
    },
    "computeSize": {
      "value": "Standard_DS3_v2"
    },
    "tags": {
      "owner": "ml-platform"
    }
  }
}
JSON
edit infra/params-dev.json '"value": "neuralspark-dev"' '"value": "ml"'
