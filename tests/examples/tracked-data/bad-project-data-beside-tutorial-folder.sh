# A tutorial's tiny tables, read by the script beside their folder (`glob("data/*.csv")`), ship
# with it: a warning. The project's own training table at the root is data even when its
# training script names it: an error (a script beside it is no excuse for the project's data);
# so is an MLflow project's 1.7 MB training table that its script names (past 500 KiB, only a
# folder of examples or tests excuses a file).
. "$EXAMPLES/lib.sh"
init
mkdir -p python/python_tricks/data
printf 'a,b\n1,2\n' > python/python_tricks/data/data1.csv
printf 'a,b\n3,4\n' > python/python_tricks/data/data2.csv
cat > python/python_tricks/loop_directory.py <<'PY'
import glob
import os


def loop_directory_glob(directory: str):
    for file in glob.glob(os.path.join(directory, '*.csv')):
        print(file)


if __name__ == '__main__':
    loop_directory_glob('data/')
PY
seq 1 2000 | sed 's/$/,0.5,yes/' > train.csv
printf 'import pandas as pd\ndf = pd.read_csv("train.csv")\n' > train.py
mkdir -p MLProject/dataset_preprocessing
printf 'name: churn\nentry_points:\n  main:\n    command: python modelling.py\n' > MLProject/MLProject
printf 'import pandas as pd\ndf = pd.read_csv("dataset_preprocessing/telco_churn_preprocessing.csv")\n' \
  > MLProject/modelling.py
seq 1 90000 | sed 's/$/,0.5,yes,no/' > MLProject/dataset_preprocessing/telco_churn_preprocessing.csv
commit "tutorial and project"
