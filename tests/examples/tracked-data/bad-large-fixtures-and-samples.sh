# Fixtures and samples over pre-commit's 500 KiB but within history-large-blob's 5 MiB are
# warnings with their size: a test's audio clip (haystack's test/test_files/audio/), a demo's
# training file (xgboost's demo/data/), an example's data (nni's examples/trials/*/data/).
# Past 5 MiB, a table under tests/ is a dataset in Git: an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p test/test_files/audio demo/data examples/trials/auto-gbdt/data tests/data
head -c 1069391 /dev/zero > test/test_files/audio/speech_sample.mp3
seq 1 100000 | sed 's/$/ 1:0 2:1/' > demo/data/agaricus.txt.train
seq 1 130000 | sed 's/$/ 0.25 0.5/' > examples/trials/auto-gbdt/data/regression.train
head -c 5500000 /dev/zero | tr "\\0" "1" > tests/data/full_corpus.csv
commit "fixtures and samples"
