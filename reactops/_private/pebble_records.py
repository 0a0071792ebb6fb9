"""The records Pebble's API returns, each read from its JSON by ``from_dict``.

``from_dict`` reads Pebble's JSON (keys in kebab-case) and tolerates fields a newer Pebble
adds; an enum value this client does not know is kept as the raw string. Re-exported by
:mod:`reactops.pebble`.
"""

from __future__ import annotations

from .pebble_types import (
    ChangeID,
    CheckLevel,
    CheckStartup,
    CheckStatus,
    FileType,
    ServiceStartup,
    ServiceStatus,
    TaskID,
)
from .typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime
    import enum
    from typing import Any

    from .pebble_dicts import _ServiceInfoDict, _SystemInfoDict
    from .pebble_types import (
        _ChangeDict,
        _CheckInfoDict,
        _FileInfoDict,
        _ProgressDict,
        _TaskDict,
        _WarningDict,
    )

__all__ = [
    'Change', 'CheckInfo', 'FileInfo', 'ServiceInfo', 'SystemInfo', 'Task', 'TaskProgress',
    'Warning',
]
# Notices and identities are dataclasses, as in ops: they live in pebble_notices, so that a
# hook that reads neither does not load dataclasses (and inspect, ast, ...).


def _enum_or_raw(kind: type[enum.Enum], value: Any) -> Any:
    """``kind(value)``, or *value* itself when a newer Pebble sent something unknown."""
    try:
        return kind(value)
    except ValueError:
        return value


def _parse_time(value: str) -> datetime.datetime:
    from . import timeconv  # with datetime and re: loaded when a time is read

    return timeconv.parse_rfc3339(value)


def _time_or_none(value: str | None) -> datetime.datetime | None:
    return _parse_time(value) if value else None


class _Unread(str):
    """A timestamp Pebble sent, not parsed yet (see :class:`_TimeOnRead`)."""

    __slots__ = ()


def _unread_or_none(value: str | None) -> _Unread | None:
    return _Unread(value) if value else None


class _TimeOnRead:
    """A data descriptor for a change's or task's times: ``from_dict`` stores Pebble's text,
    parsed into a ``datetime`` on the first read, so a hook that only waits for a change
    (replan) loads neither datetime nor the parser's ``re``. Assigned values are kept as
    given."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f'_{name}'

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self._slot]
        if isinstance(value, _Unread):
            value = instance.__dict__[self._slot] = _parse_time(value)
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self._slot] = value


class SystemInfo:
    """What Pebble says about itself: its ``version``."""

    def __init__(self, version: str):
        self.version = version

    @classmethod
    def from_dict(cls, d: _SystemInfoDict) -> SystemInfo:
        """Read Pebble's JSON."""
        return cls(version=d['version'])

    def __repr__(self) -> str:
        return f'SystemInfo(version={self.version!r})'


class Warning:  # noqa: A001 - ops' public name
    """A warning Pebble raised, with when it was first/last added and shown."""

    def __init__(self, message: str, first_added: datetime.datetime,
                 last_added: datetime.datetime, last_shown: datetime.datetime | None,
                 expire_after: str, repeat_after: str):
        self.message = message
        self.first_added = first_added
        self.last_added = last_added
        self.last_shown = last_shown
        self.expire_after = expire_after
        self.repeat_after = repeat_after

    @classmethod
    def from_dict(cls, d: _WarningDict) -> Warning:
        """Read Pebble's JSON."""
        return cls(
            message=d['message'],
            first_added=_parse_time(d['first-added']),
            last_added=_parse_time(d['last-added']),
            last_shown=_time_or_none(d.get('last-shown')),
            expire_after=d['expire-after'],
            repeat_after=d['repeat-after'],
        )

    def __repr__(self) -> str:
        return _repr(self, 'message', 'first_added', 'last_added', 'last_shown',
                     'expire_after', 'repeat_after')


def _repr(obj: object, *names: str) -> str:
    """``Type(name=value!r, ...)`` for the attributes named."""
    fields = ', '.join(f'{name}={getattr(obj, name)!r}' for name in names)
    return f'{type(obj).__name__}({fields})'


class TaskProgress:
    """How far a task has got: ``done`` of ``total`` units, with a ``label``."""

    def __init__(self, label: str, done: int, total: int):
        self.label = label
        self.done = done
        self.total = total

    @classmethod
    def from_dict(cls, d: _ProgressDict) -> TaskProgress:
        """Read Pebble's JSON."""
        return cls(label=d['label'], done=d['done'], total=d['total'])

    def __repr__(self) -> str:
        return _repr(self, 'label', 'done', 'total')


class Task:
    """One step of a change; ``data`` carries task results such as an exec's ``exit-code``."""

    spawn_time = _TimeOnRead()
    ready_time = _TimeOnRead()

    def __init__(self, id: TaskID, kind: str, summary: str, status: str, log: list[str],
                 progress: TaskProgress, spawn_time: datetime.datetime,
                 ready_time: datetime.datetime | None, data: dict[str, Any] | None = None):
        self.id = id
        self.kind = kind
        self.summary = summary
        self.status = status
        self.log = log
        self.progress = progress
        self.spawn_time = spawn_time
        self.ready_time = ready_time
        self.data = data or {}

    @classmethod
    def from_dict(cls, d: _TaskDict) -> Task:
        """Read Pebble's JSON."""
        return cls(
            id=TaskID(d['id']), kind=d['kind'], summary=d['summary'], status=d['status'],
            log=d.get('log') or [], progress=TaskProgress.from_dict(d['progress']),
            spawn_time=_Unread(d['spawn-time']),
            ready_time=_unread_or_none(d.get('ready-time')),
            data=d.get('data') or {},
        )

    def __repr__(self) -> str:
        return _repr(self, 'id', 'kind', 'summary', 'status', 'log', 'progress',
                     'spawn_time', 'ready_time', 'data')


class Change:
    """A unit of work Pebble carries out (start services, run a command...), made of tasks.

    ``ready`` turns true when it has finished; ``err`` is set if it failed.
    """

    spawn_time = _TimeOnRead()
    ready_time = _TimeOnRead()

    def __init__(self, id: ChangeID, kind: str, summary: str, status: str, tasks: list[Task],
                 ready: bool, err: str | None, spawn_time: datetime.datetime,
                 ready_time: datetime.datetime | None, data: dict[str, Any] | None = None):
        self.id = id
        self.kind = kind
        self.summary = summary
        self.status = status
        self.tasks = tasks
        self.ready = ready
        self.err = err
        self.spawn_time = spawn_time
        self.ready_time = ready_time
        self.data = data or {}

    @classmethod
    def from_dict(cls, d: _ChangeDict) -> Change:
        """Read Pebble's JSON."""
        return cls(
            id=ChangeID(d['id']), kind=d['kind'], summary=d['summary'], status=d['status'],
            tasks=[Task.from_dict(t) for t in d.get('tasks') or []],
            ready=d['ready'], err=d.get('err'),
            spawn_time=_Unread(d['spawn-time']),
            ready_time=_unread_or_none(d.get('ready-time')),
            data=d.get('data') or {},
        )

    def __repr__(self) -> str:
        return _repr(self, 'id', 'kind', 'summary', 'status', 'tasks', 'ready', 'err',
                     'spawn_time', 'ready_time', 'data')


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
