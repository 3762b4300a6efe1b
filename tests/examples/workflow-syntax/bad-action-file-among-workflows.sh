# An action's metadata file saved directly in .github/workflows/: GitHub reads every file there
# as a workflow and rejects this one (no `on:`, no `jobs:`). In a subfolder it would be fine.
. "$EXAMPLES/lib.sh"
init
mkdir -p .github/workflows/setup-venv
cat > .github/workflows/setup.yml <<'YAML'
name: Set up
runs:
  using: composite
  steps:
    - run: python -m venv .venv
      shell: bash
YAML
cp .github/workflows/setup.yml .github/workflows/setup-venv/action.yml
commit "setup action"
