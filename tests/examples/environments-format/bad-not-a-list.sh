mkdir -p .github
printf 'environments:\n  production:\n    wait_timer: 30\n' > .github/settings.yml
