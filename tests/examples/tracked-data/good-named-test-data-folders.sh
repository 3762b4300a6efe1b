# A data-quality library's small test data (great_expectations' shape): folders whose names say
# they hold tests' data (`test_sets/`, `_testing/test_data_sets/` under the docs' snippets) hold
# fixtures, as `tests/` does, when each file is small.
. "$EXAMPLES/lib.sh"
init
mkdir -p test_sets/taxi_samples docs/snippets/_testing/test_data_sets/monthly
printf 'vendor_id,fare\n1,12.5\n2,8.0\n' > test_sets/taxi_samples/yellow_2019-01.csv
printf 'vendor_id,fare\n1,9.5\n' > docs/snippets/_testing/test_data_sets/monthly/yellow_2019-02.csv
printf 'import pandas as pd\n' > docs/snippets/how_to_validate.py
commit "test data"
