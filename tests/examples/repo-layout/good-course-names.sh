# checkers: --layout course
. "$EXAMPLES/lib.sh"
init
layout
commit "layout"
