. "$EXAMPLES/lib.sh"
promotion_settings
deploy_workflow
federated_credentials
# no credential for staging; production's differs only in letter case
sed -i '/github-staging/,+1d; s/environment:production/environment:Production/' infra/federated-credentials.yml
