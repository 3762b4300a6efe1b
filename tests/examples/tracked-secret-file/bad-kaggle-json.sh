# Kaggle's API credentials file, committed next to the notebook that downloads the dataset.
. "$EXAMPLES/lib.sh"
init
printf '{"username": "kai", "key": "%s"}\n' "$(printf '3f9a8c7d6e5b4a39')281706f5e4d3c2b1" > kaggle.json
commit "download data"
