# A front end's .env of plain settings (a warning) beside a .env with a storage key (an error).
. "$EXAMPLES/lib.sh"
init
mkdir -p ui config
printf '# Development-only API URL override.\nVITE_API_URL=http://localhost:4200/api\n' > ui/.env
printf 'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=churnstore;AccountKey=%s;EndpointSuffix=core.windows.net"\n' \
  "$(storage_key)" > config/.env
commit "settings"
