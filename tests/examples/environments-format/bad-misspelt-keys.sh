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
    wait-timer: 30
    prevent_self_review: true
    reviewers:
      - type: team
        id: ml-reviewers
      - kai
    deployment_branch_policy:
      protected_branches: false
      custom_branch_policies: true
      custom_branches: [main]
YML
