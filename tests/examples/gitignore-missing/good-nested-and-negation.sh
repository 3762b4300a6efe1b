. "$EXAMPLES/lib.sh"
init
good_gitignore
# a nested .gitignore and a negation for a tiny fixture still leave the representative paths ignored
mkdir -p tests
printf '!fixture.csv\n' > tests/.gitignore
commit "gitignore"
