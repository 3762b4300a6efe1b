# Samples that examples, an R package, a Python package and a tutorial notebook read
# (warnings) beside the project's own training data (an error).
. "$EXAMPLES/lib.sh"
init
mkdir -p examples/reporting/data_samples R-package/data R-package/R lm_eval/tasks/tmlu data/raw
printf 'a,b\n1,2\n' > examples/reporting/data_samples/data.csv
printf 'Package: churnr\nVersion: 0.1\n' > R-package/DESCRIPTION
printf 'load_data <- function() data(agaricus.train)\n' > R-package/R/data.R
head -c 2000 /dev/zero > R-package/data/agaricus.train.rda
touch lm_eval/__init__.py lm_eval/tasks/__init__.py
printf 'subject\tcategory\nbiology\tSTEM\n' > lm_eval/tasks/tmlu/subject.tsv
printf 'import csv\n' > lm_eval/tasks/tmlu/generate_configs.py
seq 1 20000 | sed 's/$/,0.5,yes/' > data/raw/churn.csv
commit "samples and data"
# a tutorial's small table, named by the notebook beside it (a warning)
mkdir -p statistics/bayes_linear_regression
printf 'hours,score\n2,60\n5,80\n' > statistics/bayes_linear_regression/student-score.csv
printf '{"cells": [{"cell_type": "code", "source": ["df = pd.read_csv(\\"student-score.csv\\")"]}]}\n' \
  > statistics/bayes_linear_regression/regression.ipynb
commit "tutorial"
