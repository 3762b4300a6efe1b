# Helpers for the example scripts (sourced). Secrets are assembled at run time, so that this
# repository's own files contain no secret pattern.
commit() { git add -A && git commit -q -m "$1"; }
init() { git init -q; }
storage_key() { printf 'Zm9v%.0s' $(seq 21); printf 'YmFy=='; }
good_gitignore() {
  cat > .gitignore <<'GI'
# models
*.pkl
*.pt
*.pth
*.joblib
*.onnx
*.h5
*.safetensors
*.ckpt
models/
outputs/
# data
data/
*.csv
*.parquet
*.feather
# experiment logs
mlruns/
mlartifacts/
wandb/
# secrets
.env
.env.*
!.env.example
*.pem
*.key
GI
}
layout() {
  mkdir -p .github/workflows infra src components/prepare components/train components/evaluate \
    pipelines environments tests
  touch .github/workflows/train-on-push.yml .github/workflows/deploy-on-merge.yml \
    infra/main.bicep infra/params-dev.json infra/params-prod.json \
    src/train.py src/score.py src/prepare.py \
    components/prepare/component.yaml components/train/component.yaml components/evaluate/component.yaml \
    pipelines/training-pipeline.yaml environments/training-env.yaml environments/scoring-env.yaml \
    tests/test_prepare.py tests/test_score.py
}
# .github/settings.yml with the documented promotion: staging automatic, production gated.
promotion_settings() {
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
}
# The documented deploy-on-merge workflow (the deploy-* rules' good example).
deploy_workflow() {
  mkdir -p .github/workflows
  cp "$EXAMPLES/deploy-stages/good-documented-pattern.yml" .github/workflows/deploy-on-merge.yml
}
# infra/federated-credentials.yml with one credential per environment the workflows use.
federated_credentials() {
  mkdir -p infra
  printf 'credentials:\n' > infra/federated-credentials.yml
  for env in dev staging production; do
    printf '  - name: github-%s\n    subject: repo:neuralspark/churn-model:environment:%s\n' "$env" "$env" \
      >> infra/federated-credentials.yml
  done
}
