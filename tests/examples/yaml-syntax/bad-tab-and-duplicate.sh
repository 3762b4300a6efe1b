. "$EXAMPLES/lib.sh"
init
mkdir -p pipelines environments
printf 'name: train\njobs:\n\ttrain:\n    type: command\n' > pipelines/training-pipeline.yaml
printf 'name: env\nname: env2\n' > environments/training-env.yaml
commit "yaml"
