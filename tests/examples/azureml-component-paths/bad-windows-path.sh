# A path written the Windows way: `\` separates no folders on the Linux machines that run the CLI.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/train/component.yaml "code: ../../src" 'code: ..\..\src'
