"""Workload statuses: what ``juju status`` shows for a unit or an application."""

from __future__ import annotations

from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import ClassVar, Literal

    StatusName = Literal['active', 'blocked', 'maintenance', 'waiting', 'error', 'unknown']

__all__ = [
    'SETTABLE_STATUS_NAMES',
    'STATUS_PRIORITY',
    'ActiveStatus',
    'BlockedStatus',
    'ErrorStatus',
    'MaintenanceStatus',
    'StatusBase',
    'StatusName',
    'UnknownStatus',
    'WaitingStatus',
]

_STATUS_NAMES = ('active', 'blocked', 'maintenance', 'waiting', 'error', 'unknown')


def __getattr__(name: str) -> object:
    # StatusName, the Literal of every status name, is made on first use: building it
    # means importing typing, which a hook does not otherwise need.
    if name == 'StatusName':
        from typing import Literal

        alias = Literal[_STATUS_NAMES]  # type: ignore[valid-type]
        globals()[name] = alias
        return alias
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


SETTABLE_STATUS_NAMES: frozenset[str] = frozenset({'active', 'blocked', 'maintenance',
                                                   'waiting'})
"""The statuses a charm may set; Juju alone sets ``error`` and ``unknown``."""

STATUS_PRIORITY: dict[str, int] = {
    'error': 5, 'blocked': 4, 'maintenance': 3, 'waiting': 2, 'active': 1, 'unknown': 0,
}
"""How collect-status ranks statuses: the highest wins (a name not listed ranks 0)."""


class StatusBase:
    """A workload status: a name Juju knows (:attr:`name`) and a :attr:`message` for humans.

    Use a subclass (:class:`ActiveStatus`, :class:`BlockedStatus`, ...) or
    :meth:`from_name`. Two statuses are equal when one is of the other's class (or a
    subclass of it) and they have the same message. Every subclass that declares a
    ``name`` is registered for :meth:`from_name`.
    """

    _statuses: ClassVar[dict[str, type[StatusBase]]] = {}

    name: ClassVar[str]
    """Juju's name for the status (``active``, ``blocked``, ...)."""

    def __init__(self, message: str = ''):
        if type(self) is StatusBase:
            raise TypeError('StatusBase is abstract: use ActiveStatus, BlockedStatus, ...')
        self.message = message

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(getattr(cls, 'name', None), str):
            raise TypeError(f'{cls.__name__} must set a class attribute "name" (a str): '
                            f'the status name Juju knows')
        # A subclass that only inherits its name (class Degraded(ActiveStatus)) does not
        # take over the name from the class that declared it.
        if 'name' in cls.__dict__:
            StatusBase._statuses[cls.name] = cls

    def __eq__(self, other: object) -> bool:
        # As ops: a status equals one of its own class (or a base class) with the same
        # message. Anything else is left to the other side, so a status class from a test
        # framework can say it equals ours.
        if isinstance(other, StatusBase) and isinstance(self, type(other)):
            return self.message == other.message
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # the message is mutable

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.message!r})'

    @classmethod
    def from_name(cls, name: str, message: str) -> StatusBase:
        """The status called *name* with *message* (ignored for ``unknown``).

        An unregistered name raises :class:`KeyError`.
        """
        if name == 'unknown':
            return UnknownStatus()
        try:
            status_class = cls._statuses[name]
        except KeyError:
            known = ', '.join(sorted(cls._statuses))
            raise KeyError(f'no status is called {name!r}; known statuses: {known}') from None
        return status_class(message)

    @classmethod
    def register(cls, child: type[StatusBase]) -> type[StatusBase]:
        """Deprecated (ops 2.17): subclasses register themselves; this registers *child* again."""
        import warnings

        warnings.warn('StatusBase.register is deprecated: a StatusBase subclass with a name '
                      'is registered when it is defined', DeprecationWarning, stacklevel=2)
        if not isinstance(getattr(child, 'name', None), str):
            raise TypeError(f'cannot register {child!r}: it has no "name" (a str)')
        StatusBase._statuses[child.name] = child
        return child

    @classmethod
    def _get_highest_priority(cls, statuses: list[StatusBase]) -> StatusBase:
        """The most severe of *statuses* (the first one among equals)."""
        return max(statuses, key=lambda status: STATUS_PRIORITY.get(status.name, 0))

    _highest_priority = _get_highest_priority


class UnknownStatus(StatusBase):
    """Juju has no status for the workload yet: the charm never set one.

    Charms cannot set it. Remote units and applications always read as unknown.
    """

    name = 'unknown'

    def __init__(self) -> None:
        super().__init__('')

    def __repr__(self) -> str:
        return 'UnknownStatus()'


class ErrorStatus(StatusBase):
    """A hook failed; Juju retries it. Charms cannot set it."""

    name = 'error'


class ActiveStatus(StatusBase):
    """The workload is ready and serving; the message is optional."""

    name = 'active'


class BlockedStatus(StatusBase):
    """The workload needs a human (a config value, a relation); the message says what."""

    name = 'blocked'


class MaintenanceStatus(StatusBase):
    """The charm is working on its own to make the workload ready (installing, upgrading)."""

    name = 'maintenance'


class WaitingStatus(StatusBase):
    """The workload waits for something it cannot control (another app, a leader)."""

    name = 'waiting'
