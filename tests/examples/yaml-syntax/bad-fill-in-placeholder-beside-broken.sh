# A documentation sample with a blank for its reader (kserve's `image: {username}/torchserve`:
# single braces glued to more text are never YAML) is a warning naming the blank; a file that
# is simply broken stays an error.
. "$EXAMPLES/lib.sh"
init
mkdir -p docs/samples/torchserve pipelines
cat > docs/samples/torchserve/autoscale.yaml <<'YML'
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: torchserve-custom
spec:
  predictor:
    containers:
    - image: {username}/torchserve:latest
      name: torchserve-container
YML
cat > pipelines/train.yaml <<'YML'
jobs:
  train:
    command: python train.py
     compute: cpu-cluster
YML
commit "samples"
