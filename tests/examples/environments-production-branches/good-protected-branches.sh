. "$EXAMPLES/lib.sh"
promotion_settings
head -n -3 .github/settings.yml > settings.tmp && mv settings.tmp .github/settings.yml
printf '      protected_branches: true\n      custom_branch_policies: false\n' >> .github/settings.yml
