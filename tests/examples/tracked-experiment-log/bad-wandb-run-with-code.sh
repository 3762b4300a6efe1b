# A committed W&B run folder still counts as a run log, the copy of the training script that
# W&B saves inside it (files/code/) included.
. "$EXAMPLES/lib.sh"
init
mkdir -p src wandb/run-20240301_101500-k3j9x2/files/code/src
printf 'print("train")\n' > src/train.py
cp src/train.py wandb/run-20240301_101500-k3j9x2/files/code/src/train.py
printf '{"loss": 0.21}\n' > wandb/run-20240301_101500-k3j9x2/files/wandb-summary.json
printf 'lr: 0.01\n' > wandb/run-20240301_101500-k3j9x2/files/config.yaml
head -c 1024 /dev/zero > wandb/run-20240301_101500-k3j9x2/run-k3j9x2.wandb
commit "run"
