# checkers: --no-history
# The pre-commit mode (--no-history) still reports a large tracked file.
. "$EXAMPLES/lib.sh"
init
head -c 6000000 /dev/zero > archive.zip
echo "x" > train.py
commit "add archive"
