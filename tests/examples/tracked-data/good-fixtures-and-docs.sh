. "$EXAMPLES/lib.sh"
init
mkdir -p tests/fixtures docs src/data data
printf 'a,b\n1,2\n' > tests/fixtures/tiny.csv
printf 'png' > docs/architecture.png
echo "# data loaders" > src/data/__init__.py
echo "Data lives in the Azure ML data asset churn-data." > data/README.md
printf 'outs:\n- md5: abc\n  path: raw.csv\n' > data/raw.csv.dvc
commit "fixtures, docs and pointers"
