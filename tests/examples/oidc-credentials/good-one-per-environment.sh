. "$EXAMPLES/lib.sh"
promotion_settings
deploy_workflow
federated_credentials
