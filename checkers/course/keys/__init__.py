"""Answer keys: grader-only. Learners' notebooks never import this package.

The student distribution leaves this folder out. Checks load a key through
:func:`checkers.course.answer_keys.load`, only when they judge an answer that needs one, and the
notebooks run checks in a separate process (:mod:`checkers.course.selfcheck`), so a key never
enters a learner's kernel.
"""
