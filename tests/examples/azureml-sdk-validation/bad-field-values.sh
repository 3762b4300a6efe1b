# Field values only Azure ML's own schema knows: a boolean written as a word, an output mode
# that does not exist.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/prepare/component.yaml 'version: "1"' 'version: "1"
is_deterministic: maybe'
edit pipelines/training-pipeline.yaml '  trained_model:
    type: uri_folder' '  trained_model:
    type: uri_folder
    mode: rw_mountt'
