# What flask-, dvc- and Azure ML-shaped repositories track that is not a dataset: pictures under
# documentation and media folders at any depth, small fixtures under a nested tests/ folder,
# MLTable and DVC pointers, BUILD files, READMEs and code under data/.
. "$EXAMPLES/lib.sh"
init
mkdir -p documentation/source/_static app/static/media pkg/sub/tests/fixtures data/raw
printf 'png' > documentation/source/_static/architecture.png
printf 'png' > app/static/media/logo.png
printf 'a,b\n1,2\n' > pkg/sub/tests/fixtures/small.csv
printf 'paths:\n  - file: ./raw/churn.csv\ntransformations:\n  - read_delimited:\n      delimiter: ","\n' > data/MLTable
printf 'filegroup(name = "data", srcs = glob(["raw/*"]))\n' > data/BUILD
printf 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: churn.csv\n' > data/raw/churn.csv.dvc
echo "# Data: registered as the churn-data asset" > data/README.md
echo "def load(): ..." > data/prepare.py
commit "docs, fixtures and pointers"
