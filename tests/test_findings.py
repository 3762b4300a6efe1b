"""Results read well in a notebook and in a test cell."""
import re

from checkers import check_repo, links
from checkers.links import local_link
from checkers.registry import get_rule

from .conftest import ROOT, commit_all, write


def test_result_displays_as_a_table_with_hint_and_link(repo):
    write(repo, {"models/m.pkl": b"\x80"})
    commit_all(repo)
    result = check_repo(repo)
    html = result._repr_html_()
    assert "<table" in html and "failed" in html
    assert "models/m.pkl" in html and "git rm" in html and "rules.md#tracked-model" in html
    assert not result and not result.ok


def test_clean_result_is_truthy_and_says_passed(tmp_path):
    write(tmp_path, {"README.md": "x\n"})
    result = check_repo(tmp_path, select=["secret-in-file"])
    assert result and "passed" in result._repr_html_() and str(result) == "no problems found"


def test_table_reads_left_aligned_with_whole_words_in_every_front_end(repo):
    """Inline, longhand styles: JupyterLab, Notebook 7, nbconvert and nbgrader's feedback all
    right-align table cells and break <pre> anywhere unless the table says otherwise, and an
    untrusted notebook's sanitizer keeps only longhand style properties."""
    write(repo, {"models/m.pkl": b"\x80"})
    commit_all(repo)
    html = check_repo(repo)._repr_html_()
    cells = re.findall(r"<t[dh] style='([^']*)'", html)
    assert cells and all("text-align:left" in c and "vertical-align:top" in c for c in cells)
    pres = re.findall(r"<pre style='([^']*)'", html)
    assert pres and all("white-space:pre-wrap" in p and "word-break:normal" in p for p in pres)
    for style in re.findall(r"style='([^']*)'", html):
        for prop in style.split(";"):
            assert prop.split(":")[0] not in {"margin", "padding", "border", "font"}, prop


def test_docs_link_opens_the_checkout_page_first_then_the_web(repo, tmp_path):
    write(repo, {"models/m.pkl": b"\x80"})
    commit_all(repo)
    finding = check_repo(repo).by_rule("tracked-model")[0]
    notebook_folder = ROOT / "my-notebooks" / "01-git-hygiene"
    assert local_link(finding.docs, cwd=notebook_folder) == "../../docs/rules.md#tracked-model"
    lesson = finding_for_lesson()
    # A lesson opens in the learner's own copy when the kernel runs beside it...
    (tmp_path / "01-git-hygiene.ipynb").write_text("{}")
    assert local_link(lesson, cwd=tmp_path) == "01-git-hygiene.ipynb#ignore-files"
    # ...and the release otherwise.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert local_link(lesson, cwd=elsewhere).endswith(
        "notebooks/01-git-hygiene/01-git-hygiene.ipynb#ignore-files")
    assert local_link("https://example.org/x.md") is None
    html = check_repo(repo)._repr_html_()
    assert re.search(r"<a href='[^h'][^']*rules.md#tracked-model'>docs</a> · <a href='https://", html)


def finding_for_lesson() -> str:
    from checkers.course.feedback import lesson_url

    return lesson_url("01-git-hygiene#ignore-files")


def test_one_place_names_the_documentation_address():
    """pyproject.toml's Documentation URL; rules and lessons links derive from it."""
    import tomllib

    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Documentation"]
    assert links.documentation_url() == links.rules_url() == url
    assert get_rule("tracked-model").docs_url == f"{url}#tracked-model"
    assert finding_for_lesson() == url.replace("docs/rules.md", "") + \
        "notebooks/01-git-hygiene/01-git-hygiene.ipynb#ignore-files"
    sources = [p for p in (ROOT / "checkers").rglob("*.py")]
    for path in sources:
        assert "github.com/git-cicd-for-ml" not in path.read_text(), path
        assert "git-cicd-for-ml/course" not in path.read_text(), path
