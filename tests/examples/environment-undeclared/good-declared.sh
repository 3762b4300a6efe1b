. "$EXAMPLES/lib.sh"
promotion_settings
deploy_workflow
