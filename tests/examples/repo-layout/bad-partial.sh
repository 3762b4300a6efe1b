# checkers: --layout course
. "$EXAMPLES/lib.sh"
init
mkdir -p src tests .github/workflows
touch src/train.py src/score.py tests/test_score.py .github/workflows/train-on-push.yaml
mkdir -p pipelines && touch pipelines/training-pipeline.yaml   # exists on disk, never added
git add src tests .github && git commit -q -m "start"
