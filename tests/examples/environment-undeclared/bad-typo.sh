mkdir -p .github
cat > .github/settings.yml <<'YML'
environments:
  - name: dev
  - name: staging
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
  - name: production
    wait_timer: 30
    prevent_self_review: true
    reviewers:
      - type: Team
        id: 7654321
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
YML
mkdir -p .github/workflows
cat > .github/workflows/deploy-on-merge.yml <<'YML'
# pattern: deploy-on-merge
name: Deploy on merge
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
jobs:
  register:
    runs-on: ubuntu-latest
    environment: dev
    permissions:
      id-token: write
      contents: read
    outputs:
      version: ${{ steps.register.outputs.version }}
    steps:
      - uses: azure/login@v2
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
      - run: az extension add --name ml
      - id: register
        run: |
          version=$(az ml model create --name churn-model --type custom_model \
            --path azureml://jobs/train-42/outputs/trained_model \
            --resource-group rg-ml-dev --workspace-name neuralspark-dev \
            --query version --output tsv)
          echo "version=$version" >> "$GITHUB_OUTPUT"
  deploy-staging:
    needs: register
    runs-on: ubuntu-latest
    environment:
      name: Staging
      url: https://churn-staging.example.com
    permissions:
      id-token: write
      contents: read
    env:
      VERSION: ${{ needs.register.outputs.version }}
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: azure/login@v2
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
      - run: az extension add --name ml
      - name: Deploy
        run: |
          az ml online-deployment update --file deploy/deployment-staging.yaml \
            --endpoint-name churn-staging --set model="azureml:churn-model:$VERSION" \
            --resource-group rg-ml-staging --workspace-name neuralspark-staging
      - name: Smoke test
        run: |
          az ml online-endpoint invoke --name churn-staging \
            --request-file tests/smoke/sample-request.json \
            --resource-group rg-ml-staging --workspace-name neuralspark-staging
  deploy-production:
    needs: [register, deploy-staging]
    runs-on: ubuntu-latest
    environment: prodution
    permissions:
      id-token: write
      contents: read
    env:
      VERSION: ${{ needs.register.outputs.version }}
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: azure/login@v2
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
      - run: az extension add --name ml
      - name: Deploy
        run: |
          az ml online-deployment update --file deploy/deployment-production.yaml \
            --endpoint-name churn-prod --set model="azureml:churn-model:$VERSION" \
            --resource-group rg-ml-prod --workspace-name neuralspark-prod
YML
