. "$EXAMPLES/lib.sh"
init
mkdir -p docs
echo hi > docs/index.md
ln -s docs/index.md README.md
commit "links"
