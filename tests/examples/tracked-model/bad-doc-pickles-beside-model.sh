# Pickles that the documentation build and an integration test read, and a checkpoint
# stored with Git LFS (warnings), beside a trained model at the top of the project (an error).
. "$EXAMPLES/lib.sh"
init
mkdir -p docs/source/tutorials 06-best-practices/integration-test/model models
head -c 9000 /dev/urandom > docs/source/tutorials/pruning_quick_start_codeobj.pickle
head -c 4000 /dev/urandom > 06-best-practices/integration-test/model/model.pkl
head -c 4000 /dev/urandom > models/churn.pkl
commit "docs, test model and a trained model"
# a checkpoint stored with Git LFS: Git holds only its pointer (a warning)
mkdir -p checkpoints
printf '*.ckpt filter=lfs diff=lfs merge=lfs -text\n' > .gitattributes
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 12110174\n' \
  "$(printf '8f62c45a26c6e1fd%.0s' 1 2 3 4)" > checkpoints/epoch-3.ckpt
commit "checkpoint in LFS"
