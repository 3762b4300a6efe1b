mkdir -p .github
cat > .github/settings.yml <<'YML'
environments:
  - name: dev
  - name: staging
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
  - name: production
    wait_timer: 50000
    prevent_self_review: true
    reviewers:
      - type: User
        id: 100
      - type: User
        id: 101
      - type: User
        id: 102
      - type: User
        id: 103
      - type: User
        id: 104
      - type: User
        id: 105
      - type: User
        id: 106
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
YML
