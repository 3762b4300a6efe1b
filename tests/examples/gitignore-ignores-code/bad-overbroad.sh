# `*.yaml` hides the project's own configuration (a component forced in with `git add -f`, whose
# new siblings `git add .` skips, and a config on disk): an error. `.env*` would hide a
# `.env.example` this project does not have: a warning (hardening).
. "$EXAMPLES/lib.sh"
init
good_gitignore
printf '*.yaml\n.env*\n' >> .gitignore
mkdir -p components/train config
printf 'name: train\n' > components/train/component.yaml
git add -f components/train/component.yaml
commit "gitignore"
printf 'learning_rate: 0.1\n' > config/hyperparameters.yaml
