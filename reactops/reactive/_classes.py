"""Picking the implementation class out of an interface module."""

from __future__ import annotations

from collections.abc import Iterable

from .._private.typing import TypeVar

__all__ = ['leaf_classes']

_T = TypeVar('_T')


def leaf_classes(candidates: Iterable[type[_T]]) -> list[type[_T]]:
    """The candidates that no other candidate derives from, by qualified name.

    An interface module holds one implementation, possibly with its bases beside it: the
    result then has one class; more than one means the module is ambiguous.
    """
    pool = set(candidates)
    return sorted((c for c in pool if not any(o is not c and issubclass(o, c) for o in pool)),
                  key=lambda c: c.__qualname__)
