# A Helm chart and a Jinja-templated config: not YAML until rendered, so not "invalid YAML".
. "$EXAMPLES/lib.sh"
init
mkdir -p deploy/chart/templates config
printf 'apiVersion: v2\nname: churn-api\nversion: 0.1.0\n' > deploy/chart/Chart.yaml
cat > deploy/chart/templates/deployment.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "churn-api.fullname" . }}
  labels:
    {{- include "churn-api.labels" . | nindent 4 }}
YAML
cat > config/train.yaml.j2 <<'YAML'
YAML
cat > config/train.yaml <<'YAML'
{% for stage in stages %}
{{ stage }}: {lr: {{ lr }}}
{% endfor %}
YAML
commit "chart"
