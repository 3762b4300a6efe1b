# A tokenizer's vocabulary holds U+0130 (İ), whose lower case is two characters: the scan's
# offsets must stay those of the file (it looped, growing without bound, on torchtune's
# tests/assets/merges.txt), and the key below it is still found on its own line.
. "$EXAMPLES/lib.sh"
init
mkdir -p tokenizer src
{ printf '#version: 0.2\n'; for i in $(seq 1 300); do printf 'İ'; done; printf ' i\nĠ token\nĠ key\n'; } > tokenizer/merges.txt
printf 'import os\n# İİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİ\nAZURE_OPENAI_KEY = "%s"\n' "$(printf '5e5e9971')06afca542d42ac0ae8b29aa0" > src/llm.py
commit "tokenizer and client"
