# The command is written from the repository root, but runs inside the uploaded code folder.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/train/component.yaml "python train.py" "python src/train.py"
edit components/prepare/component.yaml "python prepare.py" "python prep.py"
