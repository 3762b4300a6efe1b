. "$EXAMPLES/lib.sh"
promotion_settings
sed -i '/reviewers:/,/id: 7654321/d' .github/settings.yml
