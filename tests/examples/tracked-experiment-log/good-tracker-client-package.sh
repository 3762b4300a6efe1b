# A tracking tool's own client (wandb's repository): its Python package `wandb/`, a Go SDK's
# `pkg/wandb/`, a C# project `src/Wandb/` are code named after the tool, not run logs; a small
# recorded run and event file under tests/ are fixtures the tests read.
. "$EXAMPLES/lib.sh"
init
mkdir -p wandb/sdk wandb/proto sdk/go/pkg/wandb clients/csharp/src/Wandb \
  tests/assets/wandb/offline-run-20210216_154407-g9dvvkua/files
printf 'from .sdk import init\n' > wandb/__init__.py
printf 'def init(project=None):\n    return project\n' > wandb/sdk/__init__.py
printf 'syntax = "proto3";\nmessage RunRecord { string run_id = 1; }\n' > wandb/proto/wandb_internal.proto
: > wandb/py.typed
printf '*.so\n' > wandb/.gitignore
printf 'package wandb\n\nfunc Init() {}\n' > sdk/go/pkg/wandb/run.go
printf 'namespace Wandb { public class Run {} }\n' > clients/csharp/src/Wandb/Run.cs
printf '<Project Sdk="Microsoft.NET.Sdk"></Project>\n' > clients/csharp/src/Wandb/Wandb.csproj
printf 'root = true\n' > clients/csharp/src/Wandb/.editorconfig
printf 'epoch 1 loss 0.3\n' > tests/assets/wandb/offline-run-20210216_154407-g9dvvkua/files/output.log
printf '{"loss": 0.3}\n' > tests/assets/wandb/offline-run-20210216_154407-g9dvvkua/files/wandb-summary.json
head -c 2048 /dev/zero > tests/assets/wandb/offline-run-20210216_154407-g9dvvkua/run-g9dvvkua.wandb
head -c 4096 /dev/zero > tests/assets/events.out.tfevents.1585769947.cvp
commit "client"
