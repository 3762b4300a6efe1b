# A clone with a damaged object store: a file's object is gone, so git cannot walk the whole
# history. The checker says so instead of passing the history as clean.
. "$EXAMPLES/lib.sh"
init
echo "print('train')" > train.py
commit "train"
echo "print('train v2')" > train.py
commit "train v2"
blob=$(git rev-parse HEAD~1:train.py)
rm -f ".git/objects/${blob:0:2}/${blob:2}"
