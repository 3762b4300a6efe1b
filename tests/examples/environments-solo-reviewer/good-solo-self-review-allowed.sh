. "$EXAMPLES/lib.sh"
promotion_settings
sed -i 's/type: Team/type: User/; s/id: 7654321/id: 583231/; s/prevent_self_review: true/prevent_self_review: false/' .github/settings.yml
