"""Knowledge-check widgets, for modules that want clickable questions (module 01 prints text).

Rules every module follows (issue 7):

* widgets never hold an answer key and never show a ✅: a widget runs in the learner's kernel,
  where anything it knows can be read. Verdicts and explanations come from the self-check
  (:mod:`checkers.course.selfcheck`) after the answer is recorded;
* graded answers are plain variables in answer cells (widget clicks do not survive autograding,
  which re-runs the notebook from its cells);
* every choice is shown in full (no cut-off button labels), and each display carries a
  plain-text copy of the question, so nbconvert, feedback HTML and the saved file stay readable;
* after a notebook is reopened, JupyterLab shows "Error displaying widget: model not found"
  until the cell runs again (the widget lived in the old kernel): put :data:`REOPEN_NOTE` next
  to the widget cell.
"""
from __future__ import annotations

import html

REOPEN_NOTE = ("After you reopen this notebook, the widget below may read 'Error displaying "
               "widget: model not found': widgets live in the running kernel. Run the cell "
               "again; the plain-text copy of what it shows is saved with the notebook.")


def question_text(key: str, item: dict) -> str:
    lines = [f"{key}: {item['question']}"]
    lines += [f"   {letter}) {text}" for letter, text in item["choices"].items()]
    return "\n".join(lines)


def quiz(questions: dict, key: str, answers: dict | None = None):
    """One question: its full text, and a button per letter that records the choice.

    ``answers`` (a dict) receives the clicked letter under ``key``, for modules that grade a
    dict the learner can also edit by hand; no verdict is shown here.
    """
    import ipywidgets as w
    from IPython.display import display

    item = questions[key]
    status = w.HTML()
    rows = []
    for letter, text in item["choices"].items():
        button = w.Button(description=letter, layout=w.Layout(width="3em"))

        def on_click(_, letter=letter):
            if answers is not None:
                answers[key] = letter
            status.value = (f"<p>Recorded <b>{letter})</b> for {html.escape(key)}. Run the "
                            "self-check to see why it is right or wrong.</p>")

        button.on_click(on_click)
        label = w.HTML(f"<span style='white-space:normal'>{html.escape(text)}</span>",
                       layout=w.Layout(width="auto"))
        rows.append(w.HBox([button, label]))
    box = w.VBox([w.HTML(f"<b>{html.escape(key)}</b>: {html.escape(item['question'])}"),
                  *rows, status])
    plain = question_text(key, item)
    display({"application/vnd.jupyter.widget-view+json": {
                 "model_id": box.model_id, "version_major": 2, "version_minor": 0},
             "text/plain": plain,
             "text/html": "<pre>" + html.escape(plain) + "</pre>"}, raw=True)
    return box


def trigger_explorer(workflow: str, explain, *, branch: str = "feature/improve-churn-model",
                     changed: str = "src/train.py"):
    """Branch or tag, changed files -> does the workflow run, and which filter decided.

    ``explain(workflow, branch=..., tag=..., changed=[...])`` returns the answer as text (the
    trigger simulator's, :func:`checkers.course.module02.explain_push`); the widget only
    collects the push and shows that text, so the plain-text copy reads the same everywhere.
    """
    import ipywidgets as w
    from IPython.display import display

    kind = w.ToggleButtons(options=["branch", "tag"], value="branch", description="push of")
    name = w.Text(value=branch, description="name", layout=w.Layout(width="28em"))
    files = w.Textarea(value=changed, description="changed", placeholder="one file per line",
                       layout=w.Layout(width="28em", height="6em"))
    out = w.HTML()

    def answer(*_):
        ref = {"tag": name.value.strip()} if kind.value == "tag" else {"branch": name.value.strip()}
        text = explain(workflow, changed=files.value.splitlines(), **ref)
        out.value = f"<pre style='white-space:pre-wrap'>{html.escape(text)}</pre>"

    for control in (kind, name, files):
        control.observe(answer, names="value")
    answer()
    box = w.VBox([kind, name, files, out])
    plain = ("Trigger explorer (interactive in JupyterLab). Without widgets, ask the same "
             "question in code:\n  print(explain_push(WORKFLOW_TEXT, branch='feature/x', "
             "changed=['src/train.py']))\n\nFor the push shown:\n"
             + explain(workflow, branch=branch, changed=changed.splitlines()))
    display({"application/vnd.jupyter.widget-view+json": {
                 "model_id": box.model_id, "version_major": 2, "version_minor": 0},
             "text/plain": plain,
             "text/html": "<pre>" + html.escape(plain) + "</pre>"}, raw=True)
    return box
