# A path written from the repository root, a registered component without `azureml:`, a step
# with no component, and a step pointing at a file that is no component.
source "$EXAMPLES/azureml.sh"
azureml_project
edit pipelines/training-pipeline.yaml "component: ../components/prepare/component.yaml" "component: components/prepare/component.yaml"
edit pipelines/training-pipeline.yaml "component: ../components/train/component.yaml" "component: churn_train:1"
edit pipelines/training-pipeline.yaml "    component: ../components/evaluate/component.yaml
" ""
cat >> pipelines/training-pipeline.yaml <<'YAML'

  report:
    type: command
    component: ../config/hyperparameters.yaml
YAML
