"""The records Pebble's API returns, each read from its JSON by ``from_dict``.

``from_dict`` reads Pebble's JSON (keys in kebab-case) and tolerates fields a newer Pebble
adds; an enum value this client does not know is kept as the raw string. Re-exported by
:mod:`reactops.pebble`.
"""

from __future__ import annotations

from .pebble_types import ChangeID, TaskID
from .typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import datetime
    from typing import Any

    from .pebble_dicts import _SystemInfoDict
    from .pebble_types import _ChangeDict, _ProgressDict, _TaskDict, _WarningDict

__all__ = ['Change', 'SystemInfo', 'Task', 'TaskProgress', 'Warning']
# The records that hold an enum (services', files' and checks' states) are in pebble_infos.
# Notices and identities are dataclasses, as in ops: they live in pebble_notices, so that a
# hook that reads neither does not load dataclasses (and inspect, ast, ...).


def _parse_time(value: str) -> datetime.datetime:
    from . import timeconv  # with datetime and re: loaded when a time is read

    return timeconv.parse_rfc3339(value)


def _time_or_none(value: str | None) -> datetime.datetime | None:
    return _parse_time(value) if value else None


class _Unread(str):
    """A timestamp Pebble sent, not parsed yet (see :class:`_TimeOnRead`)."""

    __slots__ = ()


def _unread(value: str) -> datetime.datetime:
    """*value*, to be parsed when read (typed as what the attribute then gives)."""
    return cast('datetime.datetime', _Unread(value))


def _unread_or_none(value: str | None) -> datetime.datetime | None:
    return _unread(value) if value else None


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
            spawn_time=_unread(d['spawn-time']),
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
            spawn_time=_unread(d['spawn-time']),
            ready_time=_unread_or_none(d.get('ready-time')),
            data=d.get('data') or {},
        )

    def __repr__(self) -> str:
        return _repr(self, 'id', 'kind', 'summary', 'status', 'tasks', 'ready', 'err',
                     'spawn_time', 'ready_time', 'data')
