. "$EXAMPLES/lib.sh"
promotion_settings
sed -i '$s/\[main\]/[main, "feature\/*", "release\/*"]/' .github/settings.yml
