# Each mistake a learner makes in `command:`: single braces, an undeclared input, a misspelled
# output, and an optional input used without $[[ ]].
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/train/component.yaml '--data ${{inputs.training_data}}' '--data ${inputs.training_data}'
edit components/train/component.yaml '--config ${{inputs.hyperparameters}}' '--config ${{inputs.config}}'
edit components/train/component.yaml '${{outputs.model_output}}' '${{outputs.model}}'
edit components/evaluate/component.yaml "  min_roc_auc:" "  baseline:
    type: uri_folder
    optional: true
  min_roc_auc:"
edit components/evaluate/component.yaml "  --metrics-output" '  --baseline ${{inputs.baseline}}
  --metrics-output'
