# The server's copy (a bare repository): no work tree, but its history still holds the model.
. "$EXAMPLES/lib.sh"
work=$(mktemp -d)
git -C "$work" init -q
mkdir -p "$work/models" && printf '\x80\x04weights' > "$work/models/churn.pkl" && echo "x" > "$work/train.py"
git -C "$work" add -A && git -C "$work" commit -q -m "train"
git -C "$work" rm -q --cached models/churn.pkl && git -C "$work" commit -q -m "untrack model"
git clone -q --bare "$work" . && rm -rf "$work"
