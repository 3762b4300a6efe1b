. "$EXAMPLES/lib.sh"
init
good_gitignore
printf '*.yaml\n.env*\n' >> .gitignore
commit "gitignore"
