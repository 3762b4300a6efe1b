"""Checkers for the course "Git & CI/CD for ML Projects".

The same functions serve the command line, the learners' self-checks in the notebooks and the
nbgrader tests::

    from checkers import check_repo
    result = check_repo("sample_repo")
    result            # a table in a notebook
    assert result.ok  # no error findings
"""
__version__ = "0.1.0"

from .findings import Finding, Result  # noqa: E402
from .repo import check_repo  # noqa: E402

__all__ = ["Finding", "Result", "check_repo", "__version__"]
