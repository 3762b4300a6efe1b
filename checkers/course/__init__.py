"""Course helpers: practice sandboxes and the exercise checks the notebooks grade with.

Learners' self-checks run these checks in a separate process (``checkers.course.selfcheck``
calls ``python -m checkers.course.grade``), so the grader-only answer keys
(``checkers.course.keys``) never enter the notebook's kernel; nbgrader grades the handed-over
answers with the very same checks in its own process (``checkers.course.regrade``).
"""
from .sandbox import Sandbox, start_module

__all__ = ["Sandbox", "start_module"]
