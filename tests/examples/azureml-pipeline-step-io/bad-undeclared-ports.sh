# The step uses the names from the script's --help, not the ones the component declares.
source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml '      training_data: ${{parent.jobs.prepare.outputs.prepared_data}}' '      data: ${{parent.jobs.prepare.outputs.prepared_data}}'
edit pipelines/training-pipeline.yaml 'model_output: ${{parent.outputs.trained_model}}' 'model: ${{parent.outputs.trained_model}}'
