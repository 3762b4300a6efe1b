"""Checkers for the course "Git & CI/CD for ML Projects".

The same functions serve the command line, the learners' self-checks in the notebooks and the
nbgrader tests::

    from checkers import check_repo
    result = check_repo("sample_repo")
    result            # a table in a notebook
    assert result.ok  # no error findings
"""
__version__ = "0.1.0"

__all__ = ["Finding", "Result", "check_repo", "check_workflows", "__version__"]


def __getattr__(name: str):
    # Imported on first use: `checkers workflow` must not pay for the repository checker.
    if name in ("Finding", "Result"):
        from . import findings

        return getattr(findings, name)
    if name == "check_repo":
        from .repo import check_repo

        return check_repo
    if name == "check_workflows":
        from .workflow import check_workflows

        return check_workflows
    raise AttributeError(f"module 'checkers' has no attribute {name!r}")
