. "$EXAMPLES/lib.sh"
promotion_settings
# staging: both flags on; a second "Dev" (names are not case sensitive) with both flags off
sed -i '0,/protected_branches: false/s//protected_branches: true/' .github/settings.yml
sed -i 's/^  - name: dev$/  - name: dev\n  - name: Dev\n    deployment_branch_policy:\n      protected_branches: false\n      custom_branch_policies: false/' .github/settings.yml
