source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml '      hyperparameters: ${{parent.inputs.hyperparameters}}
' ''
edit pipelines/training-pipeline.yaml '      model_input: ${{parent.jobs.train.outputs.model_output}}' '      model_input:'
