. "$EXAMPLES/lib.sh"
init
mkdir -p .github/workflows
printf 'on:\n  push:\n    branches: ["feature/**"]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n' > .github/workflows/train-on-push.yml
printf '\xff\xfe not yaml but binary\x00' > notes.yaml.bin
commit "workflow"
