. "$EXAMPLES/lib.sh"
promotion_settings
reviewers=$(for i in 1 2 3 4 5 6 7; do printf '      - type: User\\n        id: 10%s\\n' "$i"; done)
sed -i "s/wait_timer: 30/wait_timer: 50000/; /- type: Team/,/id: 7654321/c\\
$reviewers" .github/settings.yml
