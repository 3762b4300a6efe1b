. "$EXAMPLES/lib.sh"
init
echo "print('train')" > train.py
commit "train"
git fsck --full --no-progress
