# DVC writes data/.gitignore for the outputs it tracks (iterative/example-get-started);
# cookiecutter-data-science keeps empty data folders in Git with .gitkeep. Neither is a dataset.
. "$EXAMPLES/lib.sh"
init
mkdir -p data/raw data/processed
printf '/data.xml\n/prepared\n/features\n' > data/.gitignore
printf 'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: data.xml\n' > data/data.xml.dvc
: > data/raw/.gitkeep
: > data/processed/.keep
commit "dvc pointers and placeholders"
