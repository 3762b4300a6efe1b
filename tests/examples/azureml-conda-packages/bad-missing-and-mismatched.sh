# Scoring forgot the inference server and has another scikit-learn than training; training does
# not log to the workspace and leaves joblib unpinned.
source "$EXAMPLES/azureml.sh"
azureml_project
edit environments/scoring-conda.yaml "scikit-learn=1.9.1" "scikit-learn=1.8.0"
edit environments/scoring-conda.yaml "      - azureml-inference-server-http" "      - requests"
edit environments/training-conda.yaml "      - azureml-mlflow
" ""
edit environments/training-conda.yaml "joblib=1.6" "joblib"
