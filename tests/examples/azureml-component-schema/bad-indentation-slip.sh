# A learner's indentation slip: `type:` at the level of the input names, under an input with
# nothing below it. It is one mistake (indent it), not an input named `type`.
source "$EXAMPLES/azureml.sh"
azureml_project
cat > components/train/component.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: churn_train
version: "1"
inputs:
  training_data:
  type: uri_folder
  hyperparameters:
    type: uri_file
outputs:
  model_output:
    type: uri_folder
code: ../../src
environment: azureml:churn-training-env@latest
command: >-
  python train.py --data ${{inputs.training_data}} --config ${{inputs.hyperparameters}}
  --model-dir ${{outputs.model_output}}
YAML
