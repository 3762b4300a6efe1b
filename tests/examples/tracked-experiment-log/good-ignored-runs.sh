. "$EXAMPLES/lib.sh"
init
good_gitignore
mkdir -p mlruns/0 src
echo "name: Default" > mlruns/0/meta.yaml
echo "import mlflow" > src/train.py
commit "code only"
