# A tiny checkpoint under tests/ is a fixture that loading code is tested on (torchtune's
# tests/assets/tiny_state_dict_with_one_key.pt): a warning. One over 500 KiB there is an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p tests/assets
printf 'tiny state dict' > tests/assets/tiny_state_dict.pt
head -c 600000 /dev/zero > tests/assets/finetuned.safetensors
commit "test fixtures"
