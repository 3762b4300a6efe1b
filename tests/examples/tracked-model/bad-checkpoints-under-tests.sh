# A tiny checkpoint under tests/ is a fixture that loading code is tested on (torchtune's
# tests/assets/tiny_state_dict_with_one_key.pt): a warning; so is one of some hundred KiB
# (tfx's testdata/ keeps a trained model of 700 KiB), with its size. One over
# history-large-blob's 5 MiB there is a model in Git whatever the folder: an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p tests/assets
printf 'tiny state dict' > tests/assets/tiny_state_dict.pt
head -c 600000 /dev/zero > tests/assets/finetuned.safetensors
head -c 6000000 /dev/zero > tests/assets/full-model.safetensors
commit "test fixtures"
