. "$EXAMPLES/lib.sh"
init
# a 1.7 KiB lookup table the upload step reads ships with its component's code: advice only;
# a dataset of 600 KiB in the training component's code folder is still an error
mkdir -p components/upload components/train/src
cat > components/upload/spec.yaml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: upload_data
type: command
code: .
command: python run.py --regions us_regions.csv
environment: azureml:sklearn@latest
YAML
echo "import csv" > components/upload/run.py
python3 -c "print('state,region'); [print(f'S{i},R{i % 4}') for i in range(180)]" > components/upload/us_regions.csv
cat > components/train/train.yml <<'YAML'
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train
type: command
code: ./src
command: python train.py
environment: azureml:sklearn@latest
YAML
echo "import pandas" > components/train/src/train.py
python3 -c "print('a,b'); [print(f'{i},{i * 7}') for i in range(60000)]" > components/train/src/churn.csv
commit "components with tables"
