"""The records Pebble's API returns that hold one of its enums: a service's, a file's and a
health check's state, each read from its JSON by ``from_dict``.

Apart from :mod:`.pebble_records` because they need the enums (and :mod:`enum`): loaded the
first time one is named through :mod:`reactops.pebble`, or a client call returns one. An
enum value this client does not know is kept as the raw string. Re-exported by
:mod:`reactops.pebble`.
"""

from __future__ import annotations

from .pebble_enums import (
    CheckLevel,
    CheckStartup,
    CheckStatus,
    FileType,
    ServiceStartup,
    ServiceStatus,
)
from .pebble_records import _parse_time
from .pebble_types import ChangeID
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime
    import enum
    from typing import Any

    from .pebble_dicts import _ServiceInfoDict
    from .pebble_types import _CheckInfoDict, _FileInfoDict

__all__ = ['CheckInfo', 'FileInfo', 'ServiceInfo']


def _enum_or_raw(kind: type[enum.Enum], value: Any) -> Any:
    """``kind(value)``, or *value* itself when a newer Pebble sent something unknown."""
    try:
        return kind(value)
    except ValueError:
        return value




class ServiceInfo:
    """A service's name, startup mode and current status, as :meth:`Client.get_services` says."""

    def __init__(self, name: str, startup: ServiceStartup | str,
                 current: ServiceStatus | str):
        self.name = name
        self.startup = startup
        self.current = current

    def is_running(self) -> bool:
        """Whether the service is running (its status is active)."""
        return self.current == ServiceStatus.ACTIVE

    @classmethod
    def from_dict(cls, d: _ServiceInfoDict) -> ServiceInfo:
        """Read Pebble's JSON."""
        return cls(name=d['name'], startup=_enum_or_raw(ServiceStartup, d['startup']),
                   current=_enum_or_raw(ServiceStatus, d['current']))

    def __repr__(self) -> str:
        return f'ServiceInfo(name={self.name!r}, startup={self.startup}, current={self.current})'


class FileInfo:
    """What ``stat`` says of one file-system entry in the workload container."""

    path: str
    name: str
    type: FileType | str
    size: int | None
    permissions: int
    last_modified: datetime.datetime
    user_id: int | None
    user: str | None
    group_id: int | None
    group: str | None

    def __init__(self, path: str, name: str, type: FileType | str, size: int | None,
                 permissions: int, last_modified: datetime.datetime, user_id: int | None,
                 user: str | None, group_id: int | None, group: str | None):
        self.path = path
        self.name = name
        self.type = type
        self.size = size
        self.permissions = permissions
        self.last_modified = last_modified
        self.user_id = user_id
        self.user = user
        self.group_id = group_id
        self.group = group

    @classmethod
    def from_dict(cls, d: _FileInfoDict) -> FileInfo:
        """Read Pebble's JSON (permissions come as an octal string)."""
        return cls(
            path=d['path'], name=d['name'], type=_enum_or_raw(FileType, d['type']),
            size=d.get('size'), permissions=int(d['permissions'], 8),
            last_modified=_parse_time(d['last-modified']),
            user_id=d.get('user-id'), user=d.get('user'),
            group_id=d.get('group-id'), group=d.get('group'),
        )

    def __repr__(self) -> str:
        return (f'FileInfo(path={self.path!r}, name={self.name!r}, type={self.type}, '
                f'size={self.size}, permissions=0o{self.permissions:o}, '
                f'last_modified={self.last_modified!r}, user_id={self.user_id}, '
                f'user={self.user!r}, group_id={self.group_id}, group={self.group!r})')


class CheckInfo:
    """The live state of one health check, as :meth:`Client.get_checks` reports it.

    ``successes`` is ``None`` from a Pebble older than 1.23; ``change_id`` names the change
    that runs the check (``None`` from a Pebble that does not drive checks by changes).
    """

    name: str
    level: CheckLevel | str | None
    startup: CheckStartup
    status: CheckStatus | str
    successes: int | None
    failures: int
    threshold: int
    change_id: ChangeID | None

    def __init__(self, name: str, level: CheckLevel | str | None, status: CheckStatus | str,
                 successes: int | None = None, failures: int = 0, threshold: int = 0,
                 change_id: ChangeID | None = None,
                 startup: CheckStartup = CheckStartup.ENABLED):
        self.name = name
        self.level = level
        self.startup = startup
        self.status = status
        self.successes = successes
        self.failures = failures
        self.threshold = threshold
        self.change_id = change_id

    @classmethod
    def from_dict(cls, d: _CheckInfoDict) -> CheckInfo:
        """Read Pebble's JSON.

        A Pebble that can stop checks (it reports ``startup``) runs every active check in a
        change, so a check without a change ID (or an empty one) there is inactive.
        """
        change_id = ChangeID(d['change-id']) if 'change-id' in d else None
        status = _enum_or_raw(CheckStatus, d['status'])
        if not change_id and 'startup' in d:
            status = CheckStatus.INACTIVE
        level = _enum_or_raw(CheckLevel, d.get('level', ''))
        return cls(
            name=d['name'], level=level,
            startup=CheckStartup(d.get('startup', 'enabled')), status=status,
            successes=d.get('successes'), failures=d.get('failures', 0),
            threshold=d['threshold'], change_id=change_id,
        )

    @property
    def has_run(self) -> bool:
        """Whether the check has run at least once, passing or failing.

        Raises :class:`NotImplementedError` when Pebble is too old to count successes.
        """
        if self.successes is None:
            raise NotImplementedError(
                'Pebble version doesn\'t support "successes" (introduced in Pebble 1.23.0)')
        return self.successes > 0 or self.failures > 0

    def __repr__(self) -> str:
        return (f'CheckInfo(name={self.name!r}, level={self.level}, startup={self.startup}, '
                f'status={self.status}, successes={self.successes}, '
                f'failures={self.failures}, threshold={self.threshold!r}, '
                f'change_id={self.change_id!r})')
