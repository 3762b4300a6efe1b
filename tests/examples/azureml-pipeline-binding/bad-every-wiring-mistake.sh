# Every way a binding goes wrong: an undeclared pipeline input, a step that does not exist, an
# output the step's component does not declare, single braces, a missing `parent.`, and a
# pipeline output that is not declared.
source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml 'n_rows: ${{parent.inputs.n_rows}}' 'n_rows: ${{parent.inputs.rows}}'
edit pipelines/training-pipeline.yaml 'training_data: ${{parent.jobs.prepare.outputs.prepared_data}}' 'training_data: ${{parent.jobs.prep.outputs.prepared_data}}'
edit pipelines/training-pipeline.yaml 'test_data: ${{parent.jobs.prepare.outputs.prepared_data}}' 'test_data: ${{parent.jobs.prepare.outputs.test_data}}'
edit pipelines/training-pipeline.yaml 'hyperparameters: ${{parent.inputs.hyperparameters}}' 'hyperparameters: ${parent.inputs.hyperparameters}'
edit pipelines/training-pipeline.yaml 'min_roc_auc: ${{parent.inputs.min_roc_auc}}' 'min_roc_auc: ${{inputs.min_roc_auc}}'
edit pipelines/training-pipeline.yaml 'metrics: ${{parent.outputs.evaluation}}' 'metrics: ${{parent.outputs.metrics}}'
