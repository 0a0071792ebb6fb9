"""An attribute that keeps a path as text and gives a ``pathlib.Path`` when read.

Saves a hook that never reads it importing :mod:`pathlib` (3.4 ms on 3.11: it brings
``fnmatch``, ``re``, ``urllib.parse`` and ``ipaddress``), while callers still get the
``Path`` ops gives them (``self.charm_dir``, ``JujuContext.charm_dir``).
"""

from __future__ import annotations

import os

from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ['PathOnRead', 'path_text']


class PathOnRead:
    """A data descriptor: assign a ``str``, ``os.PathLike`` or ``None``; read a ``Path``
    (or ``None``), made once, on the first read. *name* is the attribute's own name."""

    def __init__(self, name: str) -> None:
        self._slot = f'_{name}_given'

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__.get(self._slot)
        if value is None:
            return None
        from pathlib import Path  # free when a Path was given: pathlib is loaded then

        if isinstance(value, Path):
            return value

        path = Path(value)
        instance.__dict__[self._slot] = path
        return path

    def __set__(self, instance: Any, value: str | os.PathLike[str] | Path | None) -> None:
        instance.__dict__[self._slot] = value

    def text(self, instance: Any) -> str | None:
        """What was assigned on *instance*, as text, without making a ``Path``."""
        value = instance.__dict__.get(self._slot)
        return None if value is None else os.fspath(value)


def path_text(instance: Any, name: str) -> str | None:
    """The text of *instance*'s :class:`PathOnRead` attribute *name*, without making a
    ``Path``; for attributes an instance may have been given some other way, their
    ``os.fspath``."""
    attribute = getattr(type(instance), name, None)
    if isinstance(attribute, PathOnRead):
        return attribute.text(instance)
    value = getattr(instance, name)
    return None if value is None else os.fspath(value)
