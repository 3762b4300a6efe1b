# A multi-document manifest whose second document does not parse: reported where it breaks,
# not as "found another document".
. "$EXAMPLES/lib.sh"
init
mkdir -p deploy
cat > deploy/stack.yaml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: ml
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  stages: [dev, prod
YAML
commit "stack"
