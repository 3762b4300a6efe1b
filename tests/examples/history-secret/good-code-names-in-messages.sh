# Commit messages that name code: an import line, a keyword argument. Names are not secrets,
# in a message as in a source file.
. "$EXAMPLES/lib.sh"
init
mkdir -p src
printf 'from transformers import Qwen2TokenizerFast, Qwen3ForCausalLM\n' > src/encoders.py
git add -A && git commit -q -m "encoders: from transformers import Qwen2TokenizerFast, Qwen3ForCausalLM" \
  -m "write(features=features, timestamp_key=timestamp_key, key_columns=key_columns)"
