. "$EXAMPLES/lib.sh"
init
printf '__pycache__/\n*.pyc\nmodels/\n' > .gitignore
commit "gitignore"
