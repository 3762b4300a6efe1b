# Kubernetes manifests for a local dev stack (metaflow's devtools, mlrun's hack/): several
# documents separated by `---` in one file. That is a YAML stream, valid when every document is.
. "$EXAMPLES/lib.sh"
init
mkdir -p devtools/k8s
cat > devtools/k8s/rbac.yaml <<'YAML'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pipeline-runner
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pipeline-runner
rules:
  - apiGroups: [""]
    resources: [pods, pods/log]
    verbs: [get, list, watch]
---
# an empty document between two separators is allowed too
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: pipeline-runner
subjects: [{kind: ServiceAccount, name: pipeline-runner}]
roleRef: {kind: Role, name: pipeline-runner, apiGroup: rbac.authorization.k8s.io}
YAML
commit "dev stack"
