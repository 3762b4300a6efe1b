# A project generated from cookiecutter-data-science declares `Programming Language` and
# `License` classifiers, and its README installs requirements, not a name of its own: it is a
# project, not a published library, so a kind without any coverage (models) is an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p churn models
printf '/data/\n__pycache__/\n.env\n*.pem\nmlruns/\nwandb/\n' > .gitignore
classifiers='"Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"'
printf '[project]\nname = "churn"\ndependencies = ["scikit-learn>=1.3"]\nclassifiers = [%s]\n' \
  "$classifiers" > pyproject.toml
printf '# churn\n\n    pip install -r requirements.txt\n    python -m churn.modeling.train\n' > README.md
printf 'import sklearn\n' > churn/__init__.py
touch models/.gitkeep
commit "generated project"
