# A DVC project (DVC's example-get-started): `dvc add` and dvc.yaml outputs wrote their own ignore
# entries for the data and the model they track. Other model or data paths would still be
# committed by a plain `git add .`: a warning there, not an error. Logs and secrets keep theirs.
. "$EXAMPLES/lib.sh"
init
mkdir -p data .dvc src
printf '/model.pkl\n/eval\n' > .gitignore
printf '/data.xml\n/prepared\n/features\n' > data/.gitignore
printf 'outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n  path: data.xml\n' > data/data.xml.dvc
printf '[core]\n    remote = storage\n' > .dvc/config
printf 'stages:\n  train:\n    cmd: python src/train.py data/features model.pkl\n    outs:\n    - model.pkl\n' > dvc.yaml
echo "print('train')" > src/train.py
commit "dvc project"
