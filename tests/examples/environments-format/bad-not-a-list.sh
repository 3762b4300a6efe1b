mkdir -p .github
cat > .github/settings.yml <<'YML'
environments:
  production:
    wait_timer: 30
YML
