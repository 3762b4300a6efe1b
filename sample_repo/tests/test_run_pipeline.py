"""The local pipeline runner replaces placeholders and orders steps the way Azure ML does."""
import sys

import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "tools"))

import run_pipeline  # noqa: E402


def test_placeholders_are_replaced_and_quoted():
    command = "python train.py --data ${{inputs.data}} --out ${{ outputs.model }}"
    rendered = run_pipeline.render(command, {"data": "/tmp/my data"}, {"model": "/tmp/out"})
    assert rendered == "python train.py --data '/tmp/my data' --out /tmp/out"


def test_optional_part_is_dropped_when_its_input_is_not_given():
    command = "python evaluate.py $[[--baseline ${{inputs.baseline}}]] --min ${{inputs.min}}"
    assert run_pipeline.render(command, {"baseline": None, "min": 0.7}, {}) == \
        "python evaluate.py  --min 0.7"
    assert "--baseline /b" in run_pipeline.render(command, {"baseline": "/b", "min": 0.7}, {})


def test_undeclared_placeholder_is_an_error():
    with pytest.raises(run_pipeline.PipelineError, match="names no input"):
        run_pipeline.render("python x.py ${{inputs.nope}}", {}, {})


def test_steps_run_after_the_steps_they_read_from(repo_root):
    pipeline_file = repo_root / "pipelines" / "training-pipeline.yaml"
    steps = run_pipeline.load_steps(run_pipeline.read_yaml(pipeline_file), pipeline_file)
    assert [s.name for s in run_pipeline.order(steps)] == ["prepare", "train", "evaluate"]
    steps["prepare"].needs.add("evaluate")
    with pytest.raises(run_pipeline.PipelineError, match="cycle"):
        run_pipeline.order(steps)
