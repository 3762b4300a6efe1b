mkdir -p .github
cat > .github/settings.yml <<'YML'
environments:
  - name: dev
  - name: staging
    wait_timer: 30
    reviewers:
      - type: User
        id: 1234
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
  - name: production
    wait_timer: 30
    prevent_self_review: true
    reviewers:
      - type: Team
        id: 7654321
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
YML
