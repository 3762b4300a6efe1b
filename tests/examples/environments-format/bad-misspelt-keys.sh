. "$EXAMPLES/lib.sh"
promotion_settings
sed -i 's/wait_timer: 30/wait-timer: 30/; s/type: Team/type: team/; s/id: 7654321/id: ml-reviewers\n      - kai/' .github/settings.yml
