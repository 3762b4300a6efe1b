# What the digest, next-field and f-string judgements must not hide: a token under its own name,
# a key after a comma under a name that means a key, an f-string with nothing to fill in.
. "$EXAMPLES/lib.sh"
init
mkdir -p src
printf 'api_token: %s\n' "$(printf '92700e1a')33a4f6174a01b46648c8186a" > settings.yml
printf 'client_secret = f"%s"\n' "$(printf 'Zk3mQp9v')Xw2LrT8sYb4N" > src/auth.py
commit "settings"
