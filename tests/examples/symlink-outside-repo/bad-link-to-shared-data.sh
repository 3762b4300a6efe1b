. "$EXAMPLES/lib.sh"
init
ln -s /etc/passwd data-link
ln -s ../../outside shared
commit "links"
