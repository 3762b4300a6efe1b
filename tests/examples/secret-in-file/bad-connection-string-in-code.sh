. "$EXAMPLES/lib.sh"
init
mkdir -p src
cat > src/prepare.py <<PY
import os

# TODO move to Key Vault
CONN = "DefaultEndpointsProtocol=https;AccountName=neuralspark;AccountKey=$(storage_key);EndpointSuffix=core.windows.net"
PY
cat > src/upload.py <<PY
api_key = "$(printf 'Xq2L')m8Vz1Rt9Kp3W"
PY
commit "prepare"
