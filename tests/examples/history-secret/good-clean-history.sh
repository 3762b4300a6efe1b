. "$EXAMPLES/lib.sh"
init
mkdir -p src
echo 'KEY = os.environ["STORAGE_KEY"]' > src/upload.py
commit "upload"
