. "$EXAMPLES/lib.sh"
init
head -c 6000000 /dev/zero > images.zip
commit "add images"
git rm -q images.zip
commit "remove images"
