. "$EXAMPLES/lib.sh"
mkdir -p src
echo "print('hello')" > src/train.py
