. "$EXAMPLES/lib.sh"
layout
