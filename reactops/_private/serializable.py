"""``Serializable``: what :meth:`Framework.load_snapshot` returns, as a typing Protocol.

Served by :mod:`reactops.framework` on first use, so that hooks do not import
:mod:`typing` for a name only type checkers need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..framework import Handle

__all__ = ['Serializable']


class Serializable(Protocol):
    """An object with a handle whose state the framework can store and rebuild."""

    handle_kind: str = ''

    @property
    def handle(self) -> Handle:
        """Where the object's snapshot is stored."""
        ...

    @handle.setter
    def handle(self, value: Handle) -> None: ...

    def snapshot(self) -> dict[str, Any]:
        """The object's state as plain data."""
        ...

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Set the object's state from :meth:`snapshot`'s data."""
        ...
