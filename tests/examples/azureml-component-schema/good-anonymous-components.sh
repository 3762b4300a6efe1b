# Component files that only a pipeline runs need no `name`: azure-ai-ml loads a step's
# `component:` file, and a sweep's `trial:` file, as an anonymous component
# (AnonymousCommandComponentSchema). Shaped like nfmoore/azureml-mlops-example-scenarios.
source "$EXAMPLES/azureml.sh"
azureml_project
edit components/evaluate/component.yaml $'name: churn_evaluate\n' ''
mkdir -p components/sweep
cat > components/sweep/trial.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
inputs:
  n_estimators:
    type: integer
    default: 100
outputs:
  model_output:
    type: mlflow_model
code: ../../src
environment: azureml:churn-training@latest
command: python train.py --n_estimators ${{inputs.n_estimators}} --model_output ${{outputs.model_output}}
YAML
cat >> pipelines/training-pipeline.yaml <<'YAML'

  sweep:
    type: sweep
    trial: ../components/sweep/trial.yaml
    sampling_algorithm: random
    search_space:
      n_estimators:
        type: choice
        values: [100, 200]
    objective:
      goal: maximize
      primary_metric: roc_auc
    limits:
      max_total_trials: 2
YAML
