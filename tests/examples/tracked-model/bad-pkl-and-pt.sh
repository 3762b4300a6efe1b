. "$EXAMPLES/lib.sh"
init
mkdir -p models src
echo "print('train')" > src/train.py
printf 'not really weights' > models/churn.pkl
printf 'weights' > model.pt
commit "add model"
