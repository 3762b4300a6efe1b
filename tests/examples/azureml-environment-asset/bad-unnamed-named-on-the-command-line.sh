# Shaped like microsoft/mlops-basic-template-for-azureml-cli-v2: the environment file has no
# `name` because its pipeline runs `az ml environment create --name ... --file ...`. The file
# cannot show that, so this is a warning (components refer to the name), not an error.
source "$EXAMPLES/azureml.sh"
azureml_project
edit environments/training-env.yaml "name: " "# name given by the CI: "
