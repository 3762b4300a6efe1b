# A published ML library (alibi's, cleanlab's shape: a package with PyPI classifiers that
# requires torch and scikit-learn) makes no model, dataset or run log of its own: entries for
# them or for secrets are hardening (warnings), a test cluster's kubeconfig among its tests
# (kserve's python/kserve/test/kubeconfig, a fixture) notwithstanding. A checkpoint its
# developer left on disk would be committed by `git add .`: an error. (A team's project without classifiers or a PyPI upload is held to the
# lesson's standard: see bad-weak-gitignore.)
. "$EXAMPLES/lib.sh"
init
mkdir -p src/explainers tests
printf '__pycache__/\n*.egg-info/\n' > .gitignore
cat > pyproject.toml <<'TOML'
[project]
name = "explainers"
dependencies = ["torch>=2.1", "scikit-learn>=1.3"]
classifiers = [
    "Development Status :: 4 - Beta",
    "Intended Audience :: Science/Research",
    "License :: OSI Approved :: Apache Software License",
]
TOML
printf 'import torch\n' > src/explainers/__init__.py
printf 'def test_import():\n    import explainers\n' > tests/test_import.py
printf 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n' > tests/kubeconfig
commit "library"
head -c 2048 /dev/zero > debug-model.pt
