. "$EXAMPLES/lib.sh"
init
good_gitignore
commit "gitignore"
