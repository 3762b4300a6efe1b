// Azure ML workspace for NeuralSpark's churn model, with everything it depends on and the
// compute cluster the training pipeline runs on. One template serves every stage; the stage
// only changes sizes, picked from the params-<stage>.json file.
//
//   az deployment group create --resource-group rg-ml-dev \
//     --template-file infra/main.bicep --parameters infra/params-dev.json

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Deployment stage; decides cluster size, VM priority and storage redundancy.')
@allowed([
  'dev'
  'prod'
])
param environment string

@description('Name of the Azure ML workspace (the workflows refer to it by this name).')
@minLength(3)
@maxLength(33)
param workspaceName string

@description('Name of the training compute cluster (pipelines/training-pipeline.yaml uses cpu-cluster).')
param computeName string = 'cpu-cluster'

@description('VM size of the training cluster nodes.')
param computeVmSize string = 'Standard_DS3_v2'

@description('Tags added to every resource.')
param tags object = {}

var isProd = environment == 'prod'
var allTags = union(tags, {
  project: 'churn'
  environment: environment
})
// Storage, Key Vault and registry names are global; a hash of the resource group keeps them
// unique and stable across redeployments.
var suffix = uniqueString(resourceGroup().id, workspaceName)

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: take('stml${suffix}', 24)
  location: location
  tags: allTags
  kind: 'StorageV2'
  sku: {
    name: isProd ? 'Standard_ZRS' : 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv-ml-${suffix}', 24)
  location: location
  tags: allTags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access through Azure RBAC, not per-vault access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: isProd ? true : null
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${workspaceName}'
  location: location
  tags: allTags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: isProd ? 90 : 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${workspaceName}'
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: take('crml${suffix}', 50)
  location: location
  tags: allTags
  sku: {
    name: isProd ? 'Standard' : 'Basic'
  }
  properties: {
    // The workspace pulls images with its managed identity; no admin password is needed.
    adminUserEnabled: false
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: workspaceName
  location: location
  tags: allTags
  identity: {
    type: 'SystemAssigned'
  }
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  properties: {
    friendlyName: workspaceName
    storageAccount: storage.id
    keyVault: keyVault.id
    applicationInsights: appInsights.id
    containerRegistry: registry.id
  }
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: workspace
  name: computeName
  location: location
  tags: allTags
  properties: {
    computeType: 'AmlCompute'
    properties: {
      vmSize: computeVmSize
      // Low-priority nodes are cheap but can be pre-empted: fine for experiments, not for prod.
      vmPriority: isProd ? 'Dedicated' : 'LowPriority'
      scaleSettings: {
        // Scale to zero so an idle cluster costs nothing.
        minNodeCount: 0
        maxNodeCount: isProd ? 4 : 2
        nodeIdleTimeBeforeScaleDown: 'PT15M'
      }
    }
  }
}

output workspaceName string = workspace.name
output workspaceId string = workspace.id
output computeName string = cluster.name
