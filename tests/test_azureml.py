"""`checkers azureml FILE...`: the Azure ML rules on single files, hostile input, the SDK layer."""
from __future__ import annotations

import json
import shutil

import pytest

from checkers.azureml import check_files
from checkers.azureml.infra import parse_bicep
from checkers.azureml.sdk import available, locate
from checkers.cli import main
from checkers.yamlload import load

from .conftest import ROOT

SAMPLE = ROOT / "sample_repo"


@pytest.fixture
def project(tmp_path, monkeypatch):
    for folder in ("components", "pipelines", "environments", "infra", "config", "src"):
        shutil.copytree(SAMPLE / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sample_files_are_clean(project, capsys):
    assert main(["azureml", "components", "pipelines", "environments", "infra"]) == 0
    assert capsys.readouterr().out.strip() == "no problems found"


def test_a_pipeline_alone_reports_its_broken_component_at_the_step(project, capsys):
    comp = project / "components" / "train" / "component.yaml"
    comp.write_text(comp.read_text().replace("${{inputs.hyperparameters}}", "${{inputs.config}}"))
    assert main(["azureml", "pipelines/training-pipeline.yaml", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("azureml-pipeline-component", "pipelines/training-pipeline.yaml", 40)]
    assert "components/train/component.yaml:25" in findings[0]["message"]
    assert "${{inputs.config}}" in findings[0]["message"]


def test_the_component_itself_reports_it_at_its_own_line(project):
    comp = project / "components" / "train" / "component.yaml"
    comp.write_text(comp.read_text().replace("${{inputs.hyperparameters}}", "${{inputs.config}}"))
    result = check_files(["components/train/component.yaml", "pipelines/training-pipeline.yaml"])
    assert [(f.rule, f.path, f.line) for f in result.errors] == [
        ("azureml-command-placeholders", "components/train/component.yaml", 25)]


def test_usage_errors_are_one_line(project, capsys):
    assert main(["azureml", "nope.yaml"]) == 2
    assert capsys.readouterr().err == "checkers: error: nope.yaml: no such file or directory\n"
    assert main(["azureml", "--select", "workflow-needs", "pipelines"]) == 2
    assert "not an Azure ML rule: workflow-needs" in capsys.readouterr().err


@pytest.mark.parametrize("text", [
    "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\njobs: null\n",
    "type: pipeline\njobs:\n  a: 3\n  b:\n    component: 7\n    inputs: [1, 2]\n",
    "type: pipeline\njobs:\n  a:\n    component: ../../../../../../etc/passwd\n",
    "type: pipeline\njobs:\n  a:\n    component: {type: command, inputs: 5, command: [x]}\n",
    "type: command\nname: x\ncommand: 5\nenvironment: [1]\ninputs: {'a b': {type: 7}}\n",
    "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
    "inputs:\n  x:\n    type: integer\n    default: [1]\n    min: abc\noutputs: []\n",
    "name: c\ndependencies: {python: 3}\n",
    "name: c\nchannels: [x]\ndependencies: [7, null, {pip: 5}, {a: 1, b: 2}]\n",
])
def test_hostile_yaml_gives_findings_never_a_traceback(project, text, capsys, monkeypatch):
    monkeypatch.setenv("CHECKERS_DEBUG", "1")  # an exception would propagate
    (project / "components" / "odd").mkdir()
    (project / "components" / "odd" / "odd-conda.yaml").write_text(text)
    assert main(["azureml", "components/odd/odd-conda.yaml"]) in (0, 1)


@pytest.mark.parametrize("text", ["{", "[]", '{"parameters": []}', '{"parameters": {"x": 1}}',
                                  "\x00\x01", '{"parameters": {"workspaceName": {"value": 5}}}'])
def test_hostile_parameter_files(project, text, monkeypatch):
    monkeypatch.setenv("CHECKERS_DEBUG", "1")
    (project / "infra" / "params-dev.json").write_text(text)
    assert main(["azureml", "infra"]) in (0, 1)


def test_bicep_parameters_with_decorators_and_defaults():
    bicep = parse_bicep(
        "@description('Stage.')\n@allowed([\n  'dev'\n  'prod'\n])\nparam environment string\n"
        "@secure()\nparam adminPassword string\n@minLength(3)\n@maxLength(33)\nparam name string\n"
        "param tags object = {\n  a: 'b'\n}\nparam maybe string?\n"
        "// param commented string\nvar x = 'param fake string'\n", "main.bicep")
    assert list(bicep.params) == ["environment", "adminPassword", "name", "tags", "maybe"]
    assert bicep.params["environment"].allowed == ["dev", "prod"]
    assert not bicep.params["environment"].has_default and bicep.params["tags"].has_default
    assert bicep.params["adminPassword"].secure and not bicep.params["name"].secure
    assert (bicep.params["name"].min_length, bicep.params["name"].max_length) == (3, 33)
    assert bicep.params["maybe"].nullable


def test_sdk_paths_map_to_yaml_lines():
    data, _ = load("jobs:\n  train:\n    inputs:\n      x: 1\n      y: 2\n")
    assert locate(data, "jobs.train.inputs.y")[:2] == (5, 7)
    assert locate(data, "jobs.train.nope.deeper")[:2] == (2, 3)  # the deepest part that exists
    assert locate(data, "")[:2] == (1, 1)
    data, _ = load("command: >-\n  python a.py\n  --x 1\nenvironment: e\n")
    assert locate(data, "command")[2] == {1, 2, 3}  # a folded command spans its lines


@pytest.mark.skipif(not available(), reason="azure-ai-ml is optional and not installed")
def test_sdk_layer_does_not_repeat_our_findings(project):
    comp = project / "components" / "train" / "component.yaml"
    comp.write_text(comp.read_text().replace("type: uri_folder\n  hyperparameters",
                                             "type: uri_foldr\n  hyperparameters"))
    result = check_files(["components/train/component.yaml"])
    assert [f.rule for f in result.errors] == ["azureml-component-schema"]


def test_without_the_sdk_its_rule_reports_nothing(project, monkeypatch):
    import checkers.azureml.sdk as sdk

    monkeypatch.setattr(sdk, "available", lambda: False)
    comp = project / "components" / "prepare" / "component.yaml"
    comp.write_text(comp.read_text() + "is_deterministic: maybe\n")
    assert check_files(["components"], select=["azureml-sdk-validation"]).findings == []


def test_a_long_chain_of_steps_and_a_cycle_at_its_end(project):
    steps = "".join(f"  s{i}:\n    type: command\n    component: ../components/train/component.yaml\n"
                    f"    inputs:\n      training_data: ${{{{parent.jobs.s{i + 1}.outputs.model_output}}}}\n"
                    f"      hyperparameters: ${{{{parent.inputs.h}}}}\n" for i in range(3000))
    steps += ("  s3000:\n    type: command\n    component: ../components/train/component.yaml\n"
              "    inputs:\n      training_data: ${{parent.jobs.s0.outputs.model_output}}\n"
              "      hyperparameters: ${{parent.inputs.h}}\n")
    (project / "pipelines" / "long.yaml").write_text(
        "type: pipeline\nsettings:\n  default_compute: azureml:cpu-cluster\ninputs:\n  h: 1\n"
        f"jobs:\n{steps}")
    result = check_files(["pipelines/long.yaml"], select=["azureml-pipeline-cycle"])
    assert len(result.findings) == 1 and "s0 -> s1 -> s2" in result.findings[0].message


def test_check_texts_judges_a_learners_pipeline_against_sample_repo():
    from checkers.azureml import CheckError, check_texts

    text = (SAMPLE / "pipelines" / "training-pipeline.yaml").read_text()
    assert check_texts({"pipelines/training-pipeline.yaml": text}, base=SAMPLE).findings == []
    broken = text.replace("parent.jobs.train.outputs.model_output", "parent.jobs.train.outputs.model")
    result = check_texts({"pipelines/training-pipeline.yaml": broken}, base=SAMPLE)
    assert [(f.rule, f.path, f.line) for f in result.findings] == [
        ("azureml-pipeline-binding", "pipelines/training-pipeline.yaml", 51)]
    with pytest.raises(CheckError):
        check_texts({"../escape.yaml": "a: 1"}, base=SAMPLE)
