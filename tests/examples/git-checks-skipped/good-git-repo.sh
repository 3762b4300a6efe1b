. "$EXAMPLES/lib.sh"
init
echo "print('hello')" > train.py
commit "start"
