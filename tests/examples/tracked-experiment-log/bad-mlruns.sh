. "$EXAMPLES/lib.sh"
init
mkdir -p mlruns/0/abc/metrics lightning_logs/version_0
echo "name: Default" > mlruns/0/meta.yaml
echo "1 0.93 0" > mlruns/0/abc/metrics/accuracy
printf 'x' > lightning_logs/version_0/events.out.tfevents.1700000000.host
commit "oops, runs"
