"""Knowledge-check widgets: click a choice, read why it is right or wrong.

The widgets only teach; the graded answers are plain variables (widgets do not survive
autograding or feedback HTML).
"""
from __future__ import annotations


def quiz(questions: dict, key: str):
    """A question with one button per choice; clicking shows the explanation for that choice."""
    import ipywidgets as w
    from IPython.display import display

    item = questions[key]
    out = w.HTML()
    buttons = []
    for letter, text in item["choices"].items():
        button = w.Button(description=f"{letter}) {text}"[:60], tooltip=text,
                          layout=w.Layout(width="auto"))

        def on_click(_, letter=letter, text=text):
            right = letter == item["answer"]
            mark = "✅" if right else "❌"
            out.value = f"<p>{mark} <b>{letter})</b> {text}<br>{item['why'][letter]}</p>"

        button.on_click(on_click)
        buttons.append(button)
    box = w.VBox([w.HTML(f"<b>{key}</b>: {item['question']}"), *buttons, out])
    display(box)
    return box
