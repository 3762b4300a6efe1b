. "$EXAMPLES/lib.sh"
init
good_gitignore
mkdir -p models src
echo "print('train')" > src/train.py
printf 'weights' > models/churn.pkl  # exists on disk, ignored
commit "code only"
