# A notebook's output that shows a blob's SAS URL from an upload years ago (recommenders'
# shape: `se=2019-03-07T19%3A57%3A26Z`, past, far after the signature) leaks nothing: Azure
# Storage refuses it. A SAS URL that is still valid (`se=2099-...`) is reported.
. "$EXAMPLES/lib.sh"
init
mkdir -p notebooks scripts
sig="$(printf 'Ab3dEf9hIj2l')Mn5pQr8tUv1xYz4bCd7fGh0jKl6nOp%3D"
cat > notebooks/hyperdrive.ipynb <<NB
{"cells": [{"cell_type": "code", "source": ["ds.upload_files(files)"], "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Uploaded https://mlws.blob.core.windows.net/azureml/ExperimentRun/dcid/outputs/model.pkl?sv=2018-03-28&sr=b&sig=${sig}&skoid=f0d3115a-a404-413d-9aaa-aa91a49badb5&sktid=d390d3b6-5b59-47f2-a790-59a4e06413d3&skt=2019-03-07T06%3A16%3A49Z&ske=2019-03-08T14%3A26%3A49Z&sks=b&skv=2018-03-28&st=2019-03-07T19%3A47%3A26Z&se=2019-03-07T19%3A57%3A26Z&sp=r\n"]}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
NB
printf '$url = "https://labshare.blob.core.windows.net/assets/setup.ps1?sp=r&st=2023-01-23T03:33:57Z&se=2099-01-23T11:32:39Z&spr=https&sv=2021-06-08&sr=b&sig=%s"\n' "$sig" \
  > scripts/download.ps1
commit "notebook and script"
