. "$EXAMPLES/lib.sh"
init
good_gitignore
mkdir -p models src
echo "print('train')" > src/train.py
git add -A && git add -f models && true
printf 'weights' > models/churn.pkl && git add -f models/churn.pkl
printf 'AZURE_CLIENT_SECRET=x\n' > .env && git add -f .env
commit "train and save model"
git rm -q --cached models/churn.pkl .env
commit "stop tracking the model"
