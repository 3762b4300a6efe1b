# checkers: --layout course
# The same partly covering .gitignore in a course exercise: the lesson's standard is to ignore
# each kind by folder and by extension, so a `model.pkl` or `.pem` that would slip through is an
# error there, even with nothing on disk yet.
. "$EXAMPLES/lib.sh"
init
mkdir -p src
printf '__pycache__/\ndata/\n*.ckpt\n*.pt\nmlruns/\nwandb/\n.env\n' > .gitignore
printf 'torch==2.4.0\n' > requirements.txt
printf 'import torch\n' > src/train.py
commit "exercise"
