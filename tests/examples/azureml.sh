# Helpers for the Azure ML examples (sourced): a copy of sample_repo's Azure ML assets to break.
SAMPLE="$EXAMPLES/../../sample_repo"
azureml_project() {
  mkdir -p src
  cp -r "$SAMPLE/components" "$SAMPLE/pipelines" "$SAMPLE/environments" "$SAMPLE/infra" \
    "$SAMPLE/config" .
  cp "$SAMPLE"/src/*.py src/
}
# replace TEXT with OTHER in FILE (literal strings, every occurrence)
edit() { python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
assert old in text, f"{old!r} not in {path}"
open(path, "w").write(text.replace(old, new))
PY
}
