"""Imports every rule module, so that the registry is complete (yamllint's rules/__init__)."""
from .repo import (  # noqa: F401
    gitignore, history, layout, secrets_rule, skipped, symlinks, tracked, yaml_files)
from .workflow import external, general, schema, train  # noqa: F401
from .workflow import deploy  # noqa: F401
from .environments import credentials_rule, rules as environments  # noqa: F401
from .azureml import components, infra, pipelines, sdk  # noqa: F401
from .azureml import environments as azureml_environments  # noqa: F401
