. "$EXAMPLES/lib.sh"
deploy_workflow
federated_credentials
# the register job without its environment: its subject is the branch's
sed -i '0,/    environment: dev/{/    environment: dev/d}' .github/workflows/deploy-on-merge.yml
