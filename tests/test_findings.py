"""Results read well in a notebook and in a test cell."""
from checkers import check_repo

from .conftest import commit_all, write


def test_result_displays_as_a_table_with_hint_and_link(repo):
    write(repo, {"models/m.pkl": b"\x80"})
    commit_all(repo)
    result = check_repo(repo)
    html = result._repr_html_()
    assert "<table>" in html and "failed" in html
    assert "models/m.pkl" in html and "git rm" in html and "rules.md#tracked-model" in html
    assert not result and not result.ok


def test_clean_result_is_truthy_and_says_passed(tmp_path):
    write(tmp_path, {"README.md": "x\n"})
    result = check_repo(tmp_path, select=["secret-in-file"])
    assert result and "passed" in result._repr_html_() and str(result) == "no problems found"
