# A task config that repeats a key with the same value (a warning: the last one is what the
# author meant) beside a group config whose second `aggregate_metric_list` silently replaces
# the first (an error).
. "$EXAMPLES/lib.sh"
init
mkdir -p tasks
cat > tasks/math_farsi.yaml <<'YML'
task: math_farsi
metadata:
  canonical_task: math_canonical
  num_samples: 21
  canonical_task: math_canonical
YML
cat > tasks/blimp_group.yaml <<'YML'
group: blimp
aggregate_metric_list:
  - metric: acc
    aggregation: mean
aggregate_metric_list:
  - metric: acc_norm
    aggregation: mean
YML
commit "task configs"
