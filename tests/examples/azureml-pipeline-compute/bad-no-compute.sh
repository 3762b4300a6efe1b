source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml "  default_compute: azureml:cpu-cluster
" ""
