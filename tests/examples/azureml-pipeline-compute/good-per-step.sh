source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml "  default_compute: azureml:cpu-cluster
" ""
edit pipelines/training-pipeline.yaml "    type: command
" "    type: command
    compute: azureml:cpu-cluster
"
