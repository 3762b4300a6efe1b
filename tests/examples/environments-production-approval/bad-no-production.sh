mkdir -p .github
cat > .github/settings.yml <<'YML'
environments:
  - name: dev
  - name: staging
YML
