. "$EXAMPLES/lib.sh"
init
layout
commit "layout"
