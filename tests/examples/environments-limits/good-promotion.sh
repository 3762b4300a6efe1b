. "$EXAMPLES/lib.sh"
promotion_settings
