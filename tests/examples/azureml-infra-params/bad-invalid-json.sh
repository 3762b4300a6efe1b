source "$EXAMPLES/azureml.sh"
azureml_project
edit infra/params-dev.json '"value": "dev"
    },' '"value": "dev"
    }'
