"""Module 04's answer keys and the explanations that would give them away (grader-only)."""
from __future__ import annotations

from ..module04 import SCHEMA

# Exercise 1's answer; exercise 2's pipeline is checked with it as the evaluate step.
EVALUATE_COMPONENT = f"""\
$schema: {SCHEMA}commandComponent.schema.json
type: command
name: churn_evaluate
version: "1"
inputs:
  trained_model: {{type: uri_folder}}
  test_split: {{type: uri_folder}}
  roc_auc_threshold: {{type: number, default: 0.7}}
outputs:
  report: {{type: uri_folder}}
code: ../../src
environment: azureml:churn-training-env@latest
command: >-
  python evaluate.py --model-dir ${{{{inputs.trained_model}}}} --data ${{{{inputs.test_split}}}}
  --min-roc-auc ${{{{inputs.roc_auc_threshold}}}} --metrics-output ${{{{outputs.report}}}}
"""

# Exercise 2: where each step input must come from (whitespace removed).
WIRING = {
    ("prepare", "n_rows"): "${{parent.inputs.n_rows}}",
    ("train", "train_split"): "${{parent.jobs.prepare.outputs.splits}}",
    ("train", "hyperparameters"): "${{parent.inputs.hyperparameters}}",
    ("evaluate", "trained_model"): "${{parent.jobs.train.outputs.model}}",
    ("evaluate", "test_split"): "${{parent.jobs.prepare.outputs.splits}}",
    ("evaluate", "roc_auc_threshold"): "${{parent.inputs.min_roc_auc}}",
}

QUIZ_ANSWER = {"KC_WIRING": "b", "KC_BRACES": "c", "KC_ENV": "a", "KC_PARAMS": "b"}
QUIZ_WHY = {
    "KC_WIRING": {
        "a": "Outputs exist only where a component declares them; Azure ML never invents one.",
        "b": "A binding must name an output the step's component declares. azure-ai-ml's own "
             "offline validation does not catch this one; the course's wiring check does.",
        "c": "No step output has that name, so there is nothing to pass on, not even an empty "
             "folder: the binding itself is wrong.",
    },
    "KC_BRACES": {
        "a": "Only the double-brace form `${{inputs.n_rows}}` is a placeholder.",
        "b": "Azure ML replaces what it recognises and leaves everything else as written.",
        "c": "Azure ML replaces only `${{...}}`; the single-brace text reaches the script as "
             "it is, and argparse fails on it or, worse, a string input accepts it.",
    },
    "KC_ENV": {
        "a": "Training and scoring must agree: a pickle saved by one scikit-learn version may "
             "not load, or behave differently, in another.",
        "b": "Azure ML accepts unpinned packages; it just resolves them anew on every build.",
        "c": "Conda still solves the environment; pins make it reproducible, not faster.",
    },
    "KC_PARAMS": {
        "a": "Then dev and prod would deploy the same workspace: one stage's test breaks the other.",
        "b": "One template, one parameter file per stage: the stage and the resource names "
             "differ, everything else is the same code.",
        "c": "A separate template drifts from dev; the point is that prod runs what dev tested.",
        "d": "Parameter files are committed: secrets never go there (use Key Vault references).",
    },
}
