# data/ holds code and a README next to the datasets: the fix names the data files (never
# `git rm -r --cached data/`), with `--` before them (one is called `-rf.csv`).
. "$EXAMPLES/lib.sh"
init
mkdir -p data/raw
echo "# How the data is made" > data/README.md
echo "def load(): ..." > data/load.py
printf 'a,b\n1,2\n' > data/raw/churn.csv
printf 'a,b\n1,2\n' > data/-rf.csv
commit "data"
