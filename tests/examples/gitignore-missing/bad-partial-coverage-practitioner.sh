# A training library's .gitignore (pytorch-lightning, lerobot, diffusers shape): it ignores
# `data/`, checkpoints, `lightning_logs/` and `.env`, but not `*.csv`, `*.pkl` or `*.pem`, and
# none of those is on disk. In a practitioner's repository that is hardening: warnings. The
# kind with no coverage at all and a file on disk stay errors: an untracked `scores.csv` next
# to the code is one.
. "$EXAMPLES/lib.sh"
init
mkdir -p src
printf '__pycache__/\n*.egg-info/\ndata/\n*.ckpt\n*.pt\nlightning_logs/\nmlruns/\nwandb/\n.env\n' > .gitignore
printf 'torch==2.4.0\nlightning==2.4.0\n' > requirements.txt
printf 'import torch\n' > src/train.py
commit "library"
printf 'epoch,loss\n1,0.3\n' > scores.csv
