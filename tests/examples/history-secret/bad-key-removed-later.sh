. "$EXAMPLES/lib.sh"
init
mkdir -p src
echo "KEY = \"AccountKey=$(storage_key)\"" > src/upload.py
commit "upload"
echo 'KEY = os.environ["STORAGE_KEY"]' > src/upload.py
commit "read the key from the environment"
