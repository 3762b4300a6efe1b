# A key lives only in an older stash entry (stash@{1}): every entry is scanned, not only the newest.
. "$EXAMPLES/lib.sh"
init
echo "import os" > app.py
commit "app"
printf 'GITHUB_TOKEN = "ghp_%s"\n' "$(printf 'Xq2Lm8Vz1Rt9Kp3W')abcDEF0123456789ghij" >> app.py
git stash -q
echo "# work in progress" >> app.py
git stash -q
