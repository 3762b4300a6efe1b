. "$EXAMPLES/lib.sh"
init
head -c 100000 /dev/zero > small.bin
commit "small"
