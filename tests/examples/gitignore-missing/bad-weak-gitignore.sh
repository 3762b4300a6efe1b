. "$EXAMPLES/lib.sh"
init
printf '__pycache__/\n*.pyc\nmodels/\n' > .gitignore
mkdir -p src && echo "print('train')" > src/train.py
commit "gitignore"
