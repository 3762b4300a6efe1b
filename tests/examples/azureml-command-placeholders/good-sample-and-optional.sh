source "$EXAMPLES/azureml.sh"
azureml_project
# an optional input, passed only when given
edit components/evaluate/component.yaml "  min_roc_auc:" "  baseline:
    type: uri_folder
    optional: true
  min_roc_auc:"
edit components/evaluate/component.yaml "  --metrics-output" '  $[[--baseline ${{inputs.baseline}}]]
  --metrics-output'
