"""Module 03's knowledge-check key and the explanations that would give it away (grader-only)."""
from __future__ import annotations

QUIZ_ANSWER = {"KC_APPROVAL": "b", "KC_WAIT": "c", "KC_PLAN": "d", "KC_SUBJECT": "a"}
QUIZ_WHY = {
    "KC_APPROVAL": {
        "a": "Branch protection reviews the code before the merge; the deploy that follows the "
             "merge still runs without anyone's approval.",
        "b": "Exam tip: required reviewers on a GitHub environment. The job that uses "
             "`environment: production` waits until one reviewer approves, and only then gets "
             "the environment's secrets.",
        "c": "A manual trigger lets anyone with write access start a deploy; nothing makes "
             "someone else review it.",
        "d": "CODEOWNERS asks for reviews of pull requests that change those files; it does not "
             "stop a deployment.",
    },
    "KC_WAIT": {
        "a": "A timer never approves anything; reviewers have up to 30 days, then the job fails.",
        "b": "A timer delays the job of the environment it is set on: here production, not staging.",
        "c": "The job waits 30 minutes before it may start (and for its reviewers, if any): the "
             "model soaks in staging in the meantime.",
        "d": "Job run time is limited by `timeout-minutes`, not by a wait timer.",
    },
    "KC_PLAN": {
        "a": "Protection rules are set before any deploy; nothing unlocks them by running.",
        "b": "Repository admins see the setting; the plan is what hides it.",
        "c": "Private repositories on Pro, Team and Enterprise have environments (secrets, branch "
             "policies); only reviewers and timers are missing below Enterprise.",
        "d": "GitHub's docs: required reviewers and wait timers are available in public "
             "repositories on every plan, in private ones with GitHub Enterprise. Free path: "
             "practise in a public repository.",
    },
    "KC_SUBJECT": {
        "a": "AADSTS7002138 means a credential matches only when letter case is ignored (say "
             "`environment:Production` against `environment:production`): Entra compares exactly.",
        "b": "That is AADSTS700213: no credential matches at all.",
        "c": "Without `id-token: write` azure/login cannot get a token; Entra never sees one.",
        "d": "An OIDC login uses no client secret; federated credentials replace it.",
    },
}
