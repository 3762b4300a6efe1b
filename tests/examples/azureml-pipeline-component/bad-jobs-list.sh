source "$EXAMPLES/azureml.sh"
azureml_project
cat > pipelines/training-pipeline.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
settings:
  default_compute: azureml:cpu-cluster
jobs:
  - name: prepare
    component: ../components/prepare/component.yaml
  - name: train
    component: ../components/train/component.yaml
YAML
