. "$EXAMPLES/lib.sh"
promotion_settings
sed -i 's/type: Team/type: User/; s/id: 7654321/id: 583231/' .github/settings.yml
