# A learner's first component: a name with capitals and a dash, a mistyped input type, an input
# given a value instead of a declaration, a default of the wrong type, a number-like version.
source "$EXAMPLES/azureml.sh"
azureml_project
cat > components/train/component.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: Churn-Train
version: 1.10
inputs:
  training_data:
    type: uri_foldr
  hyperparameters:
    type: uri_file
  max_iter: 1000
  c:
    type: number
    default: high
outputs:
  model_output:
    type: uri_folder
code: ../../src
environment: azureml:churn-training-env@latest
command: >-
  python train.py --data ${{inputs.training_data}} --config ${{inputs.hyperparameters}}
  --model-dir ${{outputs.model_output}}
YAML
