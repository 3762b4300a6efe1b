"""Small value classes for the command line's start-up path, without importing ``dataclasses``.

``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``): close to a tenth
of what ``checkers workflow`` costs on one file. A :class:`Record` lists its fields in ``FIELDS``
and sets them in its own ``__init__``; it gets what ``@dataclass`` gave the classes it replaces:
equality and a readable repr from the fields, and with ``FROZEN``, hashing and no assignment
after construction. ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` keep
working on records: their first use describes the fields (importing ``dataclasses`` then).
"""
from __future__ import annotations


class _DataclassFields:
    """``__dataclass_fields__``, built on first use from the record's ``FIELDS``."""

    def __get__(self, obj, cls):
        import dataclasses

        shadow = dataclasses.make_dataclass(cls.__name__, [(name, object) for name in cls.FIELDS])
        fields = dict(shadow.__dataclass_fields__)
        type.__setattr__(cls, "__dataclass_fields__", fields)  # described once per class
        return fields


class Record:
    __slots__ = ()
    FIELDS: tuple[str, ...] = ()
    FROZEN = True
    __dataclass_fields__ = _DataclassFields()

    def _set(self, *values) -> None:
        """Set the fields, in ``FIELDS`` order (what a frozen record's ``__init__`` calls)."""
        for name, value in zip(self.FIELDS, values):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        if not self.FROZEN:
            raise TypeError(f"unhashable type: {type(self).__name__!r}")
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name, value):
        if self.FROZEN:
            raise AttributeError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if self.FROZEN:
            raise AttributeError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def __getstate__(self):
        return self._values()

    def __setstate__(self, state):
        for name, value in zip(self.FIELDS, state):
            object.__setattr__(self, name, value)
