. "$EXAMPLES/lib.sh"
promotion_settings
deploy_workflow
# a typo, and a differently cased name with a url (names are not case sensitive: no finding)
sed -i 's/environment: production/environment: prodution/; s/environment: staging/environment:\n      name: Staging\n      url: https:\/\/churn-staging.example.com/' \
  .github/workflows/deploy-on-merge.yml
