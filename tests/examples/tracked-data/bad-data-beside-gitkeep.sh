# A dataset committed next to the placeholders: only the dataset is reported, and the fix
# untracks it without removing the .gitkeep or DVC's data/.gitignore.
. "$EXAMPLES/lib.sh"
init
mkdir -p data/raw
printf '/data.xml\n' > data/.gitignore
: > data/raw/.gitkeep
printf 'a,b\n1,2\n' > data/raw/churn.csv
commit "data"
