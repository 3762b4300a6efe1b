. "$EXAMPLES/lib.sh"
promotion_settings
# drop production's deployment_branch_policy (the last four lines)
head -n -4 .github/settings.yml > settings.tmp && mv settings.tmp .github/settings.yml
