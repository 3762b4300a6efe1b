. "$EXAMPLES/lib.sh"
promotion_settings
sed -i 's/^  - name: staging$/  - name: staging\n    wait_timer: 30\n    reviewers:\n      - type: User\n        id: 1234/' .github/settings.yml
