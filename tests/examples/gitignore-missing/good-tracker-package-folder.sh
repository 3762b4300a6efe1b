# A tracking tool's own repository (wandb's shape): its package is the folder `wandb/`, so its
# .gitignore cannot ignore `wandb/` and is not asked to; everything else is covered.
. "$EXAMPLES/lib.sh"
init
good_gitignore
sed -i '/^wandb\/$/d' .gitignore
mkdir -p wandb/sdk
printf 'from .sdk import init\n' > wandb/__init__.py
printf 'def init(project=None):\n    return project\n' > wandb/sdk/__init__.py
printf '[project]\nname = "wandb"\ndependencies = ["protobuf"]\n' > pyproject.toml
commit "package"
