mkdir -p .github
printf 'environments:\n  - name: dev\n  - name: staging\n' > .github/settings.yml
