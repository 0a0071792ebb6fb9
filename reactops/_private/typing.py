"""Run-time stand-ins for the few :mod:`typing` names reactops' hook path needs.

Importing :mod:`typing` costs every hook about 3 ms, and almost everything reactops takes
from it is used only in annotations (which ``from __future__ import annotations`` never
evaluates) or behind ``if TYPE_CHECKING:``. For the rest, type checkers see the real
names; at run time these stand-ins do what the real ones do there: ``cast`` and
``overload`` return their argument, a ``TypeVar`` is only its name, and subscripting
``Generic`` or a ``Protocol`` class gives the class itself.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Generic, Protocol, TypeVar, cast, overload
else:
    def cast(typ, value):
        """Return *value* unchanged (a type checker reads the cast)."""
        return value

    def overload(func):
        """Return *func*: at run time the implementation defined last is the one used."""
        return func

    def TypeVar(name, *constraints, **options):  # noqa: N802 - typing's own spelling
        """A type variable's name: at run time it only ever parameterises ``Generic``."""
        return name

    class Generic:
        """Base of generic classes; ``Cls[T]`` is ``Cls`` at run time."""

        __slots__ = ()

        def __class_getitem__(cls, item):
            return cls

    class Protocol(Generic):
        """Base of protocol classes (checked statically, a plain base at run time)."""

        __slots__ = ()

__all__ = ['TYPE_CHECKING', 'Generic', 'Protocol', 'TypeVar', 'cast', 'overload']
