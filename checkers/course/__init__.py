"""Course helpers: practice sandboxes and the exercise checks the notebooks grade with.

Learners' self-checks call these functions in the notebook; the hidden nbgrader tests call the
very same functions in a fresh Python process (``checkers.course.grade``), where nothing an
answer cell redefines can reach them.
"""
from .sandbox import Sandbox, start_module

__all__ = ["Sandbox", "start_module"]
