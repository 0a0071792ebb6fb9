"""The enums of Pebble's API, as ``ops.pebble`` names them.

Loaded, with :mod:`enum` (about 3 ms of a hook with these classes), the first time one is
named through :mod:`reactops.pebble` or :mod:`reactops._private.pebble_types`, or used by a
record that holds one; a hook that adds a layer and replans never loads them.
"""

from __future__ import annotations

import enum

__all__ = [
    'ChangeKind', 'ChangeState', 'ChangeStatus', 'CheckLevel', 'CheckStartup', 'CheckStatus',
    'FileType', 'IdentityAccess', 'NoticeType', 'NoticesUsers', 'ServiceStartup',
    'ServiceStatus', 'WarningState',
]


class WarningState(enum.Enum):
    """Which warnings :meth:`Client.get_warnings` returns."""

    ALL = 'all'
    PENDING = 'pending'


class ChangeState(enum.Enum):
    """Which changes :meth:`Client.get_changes` returns."""

    ALL = 'all'
    IN_PROGRESS = 'in-progress'
    READY = 'ready'


class ServiceStartup(enum.Enum):
    """Whether a service starts on its own (autostart, replan) or only when asked."""

    ENABLED = 'enabled'
    DISABLED = 'disabled'


class ServiceStatus(enum.Enum):
    """The state of a service: running, stopped, or failed and waiting to be restarted."""

    ACTIVE = 'active'
    INACTIVE = 'inactive'
    ERROR = 'error'


class CheckLevel(enum.Enum):
    """A health check's level; ``UNSET`` means the check has none."""

    UNSET = ''
    ALIVE = 'alive'
    READY = 'ready'


class CheckStatus(enum.Enum):
    """A health check's state: passing, failed past its threshold, or not running."""

    UP = 'up'
    DOWN = 'down'
    INACTIVE = 'inactive'


class CheckStartup(enum.Enum):
    """Whether a check starts on its own; ``UNSET`` (not given in the layer) acts as enabled."""

    UNSET = ''
    ENABLED = 'enabled'
    DISABLED = 'disabled'


class FileType(enum.Enum):
    """The kind of a file-system entry reported by :meth:`Client.list_files`."""

    FILE = 'file'
    DIRECTORY = 'directory'
    SYMLINK = 'symlink'
    SOCKET = 'socket'
    NAMED_PIPE = 'named-pipe'
    DEVICE = 'device'
    UNKNOWN = 'unknown'


class NoticeType(enum.Enum):
    """The type of a notice: a ``custom`` one (key ``example.com/path``) or a change update."""

    CUSTOM = 'custom'
    CHANGE_UPDATE = 'change-update'


class NoticesUsers(enum.Enum):
    """``users`` filter of :meth:`Client.get_notices`: ``ALL`` asks for every user's (admin)."""

    ALL = 'all'


class ChangeKind(enum.Enum):
    """The kinds of change Pebble makes."""

    START = 'start'
    STOP = 'stop'
    RESTART = 'restart'
    REPLAN = 'replan'
    EXEC = 'exec'
    RECOVER_CHECK = 'recover-check'
    PERFORM_CHECK = 'perform-check'


class ChangeStatus(enum.Enum):
    """The status of a change or task (Pebble's own capitalised words)."""

    HOLD = 'Hold'
    DO = 'Do'
    DOING = 'Doing'
    DONE = 'Done'
    ABORT = 'Abort'
    UNDO = 'Undo'
    UNDOING = 'Undoing'
    ERROR = 'Error'
    WAIT = 'Wait'


class IdentityAccess(str, enum.Enum):
    """The access an identity grants; ``str()`` is the bare value, as with ``StrEnum``."""

    ADMIN = 'admin'
    READ = 'read'
    METRICS = 'metrics'
    UNTRUSTED = 'untrusted'

    def __str__(self) -> str:
        return self.value
