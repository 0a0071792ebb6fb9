"""The words Pebble's API speaks in: its errors, its enums and the shapes of its JSON.

The enums are in :mod:`reactops._private.pebble_enums`, loaded (with :mod:`enum`) when one
is first named here or in :mod:`reactops.pebble`.

The shapes that exist at run time (``LayerDict``, ``IdentityDict``...) are in
:mod:`reactops._private.pebble_dicts`, loaded only when named: they need :mod:`typing`.

Re-exported by :mod:`reactops.pebble`, which is where users reach them; the records built
from the JSON are in :mod:`reactops._private.pebble_records`.
"""

from __future__ import annotations

import builtins

from .typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from typing import Any, Literal, TypedDict

    from typing_extensions import NotRequired

    from .pebble_enums import (
        ChangeKind,
        ChangeState,
        ChangeStatus,
        CheckLevel,
        CheckStartup,
        CheckStatus,
        FileType,
        IdentityAccess,
        NoticesUsers,
        NoticeType,
        ServiceStartup,
        ServiceStatus,
        WarningState,
    )
    from .pebble_records import Change
else:
    # The enums (and the enum module) load the first time one is named: the hook that adds
    # a layer and replans needs none of them.
    def __getattr__(name: str) -> Any:
        if name in _ENUM_NAMES:
            from . import pebble_enums

            return getattr(pebble_enums, name)
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

_ENUM_NAMES = frozenset({
    'ChangeKind', 'ChangeState', 'ChangeStatus', 'CheckLevel', 'CheckStartup', 'CheckStatus',
    'FileType', 'IdentityAccess', 'NoticeType', 'NoticesUsers', 'ServiceStartup',
    'ServiceStatus', 'WarningState',
})

AnyStr = TypeVar('AnyStr', bytes, str)  # typing's own AnyStr, for ExecError's output

__all__ = [
    'APIError', 'ChangeError', 'ChangeID', 'ChangeKind', 'ChangeState', 'ChangeStatus',
    'CheckLevel', 'CheckStartup', 'CheckStatus', 'ConnectionError', 'Error', 'ExecError',
    'FileType', 'IdentityAccess', 'NoticeType', 'NoticesUsers', 'PathError', 'ProtocolError',
    'ServiceStartup', 'ServiceStatus', 'TaskID', 'TimeoutError', 'WarningState',
]


# --- errors -------------------------------------------------------------------------------

class Error(Exception):
    """Root of the errors the Pebble client raises; catch it to handle any of them."""

    def __repr__(self) -> str:
        return f'<{type(self).__module__}.{type(self).__name__} {self.args}>'


class TimeoutError(builtins.TimeoutError, Error):  # noqa: A001 - ops' public name
    """Waiting for Pebble (a change, a response) took longer than the timeout given."""


class ConnectionError(Error):  # noqa: A001 - ops' public name
    """The client could not reach Pebble's socket, or the connection broke mid-request."""


class ProtocolError(Error):
    """Pebble answered, but not in the shape its API promises (wrong content type, parts)."""


class PathError(Error):
    """A file operation failed on one path; ``kind`` says how (e.g. ``'not-found'``)."""

    kind: Literal['not-found', 'permission-denied', 'generic-file-error']
    message: str

    def __init__(self, kind: str, message: str):
        self.kind = kind  # type: ignore[assignment]  # Pebble may add kinds
        self.message = message

    def __str__(self) -> str:
        return f'{self.kind} - {self.message}'

    def __repr__(self) -> str:
        return f'PathError({self.kind!r}, {self.message!r})'


class APIError(Error):
    """Pebble refused a request: ``code``/``status`` are the HTTP ones, ``body`` the JSON."""

    body: dict[str, Any]
    code: int
    status: str
    message: str

    def __init__(self, body: dict[str, Any], code: int, status: str, message: str):
        super().__init__(message)
        self.body = body
        self.code = code
        self.status = status
        self.message = message

    def __repr__(self) -> str:
        return f'APIError({self.body!r}, {self.code!r}, {self.status!r}, {self.message!r})'


class ChangeError(Error):
    """A change finished with an error; ``str()`` appends the logs of the tasks that have any."""

    err: str
    change: Change

    def __init__(self, err: str, change: Change):
        self.err = err
        self.change = change

    def __str__(self) -> str:
        text = self.err
        logged = [(n, task.log) for n, task in enumerate(self.change.tasks) if task.log]
        for n, log in logged:
            text += f'\n----- Logs from task {n} -----\n' + '\n'.join(log)
        return text + '\n-----' if logged else text

    def __repr__(self) -> str:
        return f'ChangeError({self.err!r}, {self.change!r})'


class ExecError(Error, Generic[AnyStr]):
    """A command run by :meth:`Client.exec` exited non-zero.

    ``stdout``/``stderr`` hold what was captured by ``wait_output`` (``None`` after ``wait``
    or, for stderr, when it was combined into stdout); ``str()`` shows at most
    ``STR_MAX_OUTPUT`` characters of each.
    """

    STR_MAX_OUTPUT = 1024

    command: list[str]
    exit_code: int
    stdout: AnyStr | None
    stderr: AnyStr | None

    def __init__(self, command: list[str], exit_code: int,
                 stdout: AnyStr | None, stderr: AnyStr | None):
        self.command = command
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def __str__(self) -> str:
        text = f'non-zero exit code {self.exit_code} executing {self.command[0]!r}'
        limit = self.STR_MAX_OUTPUT
        for label, output in (('stdout', self.stdout), ('stderr', self.stderr)):
            if output is not None:
                more = ' [truncated]' if len(output) > limit else ''
                text += f', {label}={output[:limit]!r}{more}'
        return text


# --- JSON shapes --------------------------------------------------------------------------

if TYPE_CHECKING:
    class _ProgressDict(TypedDict):
        label: str
        done: int
        total: int

    _TaskDict = TypedDict('_TaskDict', {
        'id': str, 'kind': str, 'summary': str, 'status': str,
        'log': NotRequired['list[str] | None'], 'progress': _ProgressDict,
        'spawn-time': str, 'ready-time': NotRequired['str | None'],
        'data': NotRequired['dict[str, Any] | None'],
    })
    _ChangeDict = TypedDict('_ChangeDict', {
        'id': str, 'kind': str, 'summary': str, 'status': str, 'ready': bool,
        'spawn-time': str, 'tasks': NotRequired['list[_TaskDict] | None'],
        'err': NotRequired['str | None'], 'ready-time': NotRequired['str | None'],
        'data': NotRequired['dict[str, Any] | None'],
    })
    _WarningDict = TypedDict('_WarningDict', {
        'message': str, 'first-added': str, 'last-added': str,
        'last-shown': NotRequired['str | None'], 'expire-after': str, 'repeat-after': str,
    })
    _FileInfoDict = TypedDict('_FileInfoDict', {
        'path': str, 'name': str, 'size': NotRequired['int | None'], 'permissions': str,
        'last-modified': str, 'user-id': NotRequired['int | None'],
        'user': NotRequired['str | None'], 'group-id': NotRequired['int | None'],
        'group': NotRequired['str | None'], 'type': str,
    })
    _CheckInfoDict = TypedDict('_CheckInfoDict', {
        'name': str, 'level': NotRequired[str],
        'startup': NotRequired["Literal['enabled', 'disabled']"], 'status': str,
        'successes': NotRequired[int], 'failures': NotRequired[int], 'threshold': int,
        'change-id': NotRequired[str],
    })
    _NoticeDict = TypedDict('_NoticeDict', {
        'id': str, 'user-id': NotRequired['int | None'], 'type': str, 'key': str,
        'first-occurred': str, 'last-occurred': str, 'last-repeated': str,
        'occurrences': int, 'last-data': NotRequired['dict[str, str] | None'],
        'repeat-after': NotRequired[str], 'expire-after': NotRequired[str],
    })


class TaskID(str):
    """The ID of a task (a string, typed apart from other strings)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f'TaskID({str(self)!r})'


class ChangeID(str):
    """The ID of a change (a string, typed apart from other strings)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f'ChangeID({str(self)!r})'
