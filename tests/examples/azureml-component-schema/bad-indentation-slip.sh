# A learner's indentation slip: `type:` at the level of the input names, under an input with
# nothing below it. It is one mistake (indent it), not an input named `type`.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/train/component.yaml "  training_data:
    type: uri_folder" "  training_data:
  type: uri_folder"
