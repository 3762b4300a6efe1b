"""Module 02's answer keys and the explanations that would give them away (grader-only)."""
from __future__ import annotations

# Exercise 1: what GitHub does for each push (tests check these against the trigger simulator),
# and a clue that makes the learner think without saying runs or not.
PREDICT_ANSWER = {"P1": True, "P2": False, "P3": False, "P4": True, "P5": True}
PREDICT_PRINCIPLE = {
    "P1": "`**` crosses `/` in branch and path patterns; a path filter needs one changed file "
          "that it includes",
    "P2": "several branch patterns can match one name: the last one that matches decides",
    "P3": "several path patterns can match one file: the last one that matches decides",
    "P4": "a tag push is matched against `tags:`; what do path filters do for tag pushes?",
    "P5": "a path filter asks whether at least one changed file is included, not all of them",
}

# Knowledge check
QUIZ_ANSWER = {"KC_OIDC": "b", "KC_BASE": "c", "KC_ENV": "a", "KC_NEEDS": "d"}
QUIZ_WHY = {
    "KC_OIDC": {
        "a": "An encrypted secret is still a stored secret, valid until someone rotates it; "
             "OIDC has none to store.",
        "b": "GitHub issues each job a short-lived OIDC token; Entra ID exchanges it for an Azure "
             "token because a federated credential says which subject to trust.",
        "c": "Runner images hold no credentials of yours; the login gets an Azure token from "
             "GitHub's OIDC token.",
        "d": "Entra ID trusts only the subjects its federated credentials name (repository, "
             "branch or environment), nothing wider.",
    },
    "KC_BASE": {
        "a": "For pull requests the list is matched against the base branch, the one the pull "
             "request goes into: main here.",
        "b": "Each event has its own filters; push filters play no part in pull_request.",
        "c": "The pull_request branch filter is matched against the base branch: main is in "
             "the list, so it runs.",
    },
    "KC_ENV": {
        "a": "`${{ }}` is pasted into the script before the shell starts, so a crafted branch "
             "name becomes commands; through `env:` it stays data in a variable.",
        "b": "Both forms handle slashes; the difference is whether the value becomes code.",
        "c": "GitHub masks secrets, not env values; the branch name shows in the logs anyway.",
        "d": "Both are evaluated per step; speed is not the reason.",
    },
    "KC_NEEDS": {
        "a": "`needs` makes train wait; the two jobs never run side by side.",
        "b": "A job whose `needs` failed does not start (without `if: always()` or similar).",
        "c": "Nothing waits for a human: the job is skipped and the run ends.",
        "d": "train waits for unit-tests; when they fail, GitHub skips train, so broken code "
             "never costs a training run.",
    },
}
