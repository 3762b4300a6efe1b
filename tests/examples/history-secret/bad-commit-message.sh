# The token went into a commit message ("try with token ..."): commit messages are scanned too.
. "$EXAMPLES/lib.sh"
init
echo "print(1)" > train.py
git add train.py
git commit -q -m "Log in to the Hub" -m "works with hf_$(printf 'KjHtiLyXDyXamXuj')mipxOfhajAhRQCYnge"
