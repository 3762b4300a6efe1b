# train reads evaluate's output while evaluate reads train's model: neither can start.
source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml 'training_data: ${{parent.jobs.prepare.outputs.prepared_data}}' 'training_data: ${{parent.jobs.evaluate.outputs.metrics}}'
