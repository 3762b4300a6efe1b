#!/bin/bash
# Error counts of `checkers repo` on real repositories, before and after a change.
#
#   BEFORE=b7fb9ab REPOS=/tmp/real bash benchmarks/real_repos.sh flask requests dvc
#
# REPOS holds full clones (e.g. `git clone <mirror or URL> $REPOS/flask`); nothing fetched is
# committed here. BEFORE is the commit whose checker is compared (extracted with git archive).
set -u
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$HERE/.venv/bin/python}
REPOS=${REPOS:-/tmp/real}
OUT=$(mktemp -d)
git -C "$HERE" archive "${BEFORE:-b7fb9ab}" checkers | tar -x -C "$OUT" && mkdir -p "$OUT/before" && mv "$OUT/checkers" "$OUT/before/"
for n in "$@"; do
  for side in before after; do
    if [ $side = before ]; then pp=$OUT/before; else pp=$HERE; fi
    start=$(date +%s.%N)
    (cd "$OUT" && PYTHONPATH=$pp "$PY" -m checkers repo "$REPOS/$n" --format json > "$OUT/$n.$side.json" 2>/dev/null)
    code=$?
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    "$PY" - "$OUT/$n.$side.json" "$n" "$side" "$code" "$secs" <<'PYEOF'
import collections, json, sys
path, n, side, code, secs = sys.argv[1:]
findings = json.load(open(path))["findings"]
errors = collections.Counter(f["rule"] for f in findings if f["severity"] == "error")
warnings = sum(f["severity"] == "warning" for f in findings)
print(f"{n:12} {side:6} exit {code} {float(secs):6.1f}s errors {sum(errors.values()):4} "
      f"warnings {warnings:3}  " + ", ".join(f"{k} {v}" for k, v in errors.most_common()))
PYEOF
  done
done
rm -rf "$OUT"
