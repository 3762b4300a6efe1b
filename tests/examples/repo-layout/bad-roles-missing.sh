# A practitioner's repository with code and tests but no CI, no infrastructure as code, no
# pipeline definition and no environment specification.
. "$EXAMPLES/lib.sh"
init
mkdir -p churn tests
touch churn/train.py tests/test_train.py
commit "project"
