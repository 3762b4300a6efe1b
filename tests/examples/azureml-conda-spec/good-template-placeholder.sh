# xarray's doc/environment_template.yml: a script fills in "{{ local-package }}" before conda
# reads the file, so the placeholder is no package spec to judge.
. "$EXAMPLES/lib.sh"
init
mkdir -p doc
cat > doc/environment_template.yml <<'YAML'
name: xeus-python-kernel
channels:
  - https://prefix.dev/conda-forge
dependencies:
  - xeus-python
  - "{{ local-package }}"
  - numpy
  - pint>=0.22
YAML
commit "docs environment"
