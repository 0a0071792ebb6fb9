"""The dict shapes of Pebble's layers, plan and identities, as ``TypedDict`` classes.

Named by :mod:`reactops.pebble` (``ops.pebble.LayerDict``...), and loaded the first time one
is named there: they need :mod:`typing` (3 ms of a hook) and are used only as annotations,
so the pebble-ready hook that adds a layer and replans never loads this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from .pebble_types import CheckLevel, IdentityAccess

if TYPE_CHECKING:
    from typing_extensions import NotRequired

__all__ = [
    'BasicIdentityDict', 'CheckDict', 'ExecDict', 'HttpDict', 'IdentityDict', 'LayerDict',
    'LocalIdentityDict', 'LogTargetDict', 'PlanDict', 'ServiceDict', 'TcpDict',
]

LocalIdentityDict = TypedDict('LocalIdentityDict', {'user-id': int})


class BasicIdentityDict(TypedDict):
    password: str


class IdentityDict(TypedDict):
    access: IdentityAccess | Literal['untrusted', 'metrics', 'read', 'admin']
    local: NotRequired[LocalIdentityDict]
    basic: NotRequired[BasicIdentityDict]


class _SystemInfoDict(TypedDict):
    version: str


class _ServiceInfoDict(TypedDict):
    startup: str
    current: str
    name: str


ServiceDict = TypedDict('ServiceDict', {
    'summary': str, 'description': str, 'startup': str, 'override': str, 'command': str,
    'after': Sequence[str], 'before': Sequence[str], 'requires': Sequence[str],
    'environment': dict[str, str], 'user': str, 'user-id': int | None, 'group': str,
    'group-id': int | None, 'working-dir': str, 'on-success': str, 'on-failure': str,
    'on-check-failure': dict[str, Any], 'backoff-delay': str,
    'backoff-factor': int | None, 'backoff-limit': str, 'kill-delay': str | None,
}, total=False)

ExecDict = TypedDict('ExecDict', {
    'command': str, 'service-context': str, 'environment': dict[str, str],
    'user-id': int | None, 'user': str, 'group-id': int | None, 'group': str,
    'working-dir': str,
}, total=False)


class HttpDict(TypedDict, total=False):
    """An HTTP check's probe: the URL to GET, with extra headers."""

    url: str
    headers: dict[str, str]


class TcpDict(TypedDict, total=False):
    """A TCP check's probe: the port (and host) to connect to."""

    port: int
    host: str


class CheckDict(TypedDict, total=False):
    """A check in a layer's dict form."""

    override: str
    level: CheckLevel | str
    startup: Literal['', 'enabled', 'disabled']
    period: str | None
    timeout: str | None
    http: HttpDict | None
    tcp: TcpDict | None
    exec: ExecDict | None
    threshold: int | None


class LogTargetDict(TypedDict, total=False):
    """A log target in a layer's dict form."""

    override: Literal['merge', 'replace']
    type: Literal['loki', 'opentelemetry']
    location: str
    services: list[str]
    labels: dict[str, str]


LayerDict = TypedDict('LayerDict', {
    'summary': str, 'description': str, 'services': dict[str, ServiceDict],
    'checks': dict[str, CheckDict], 'log-targets': dict[str, LogTargetDict],
}, total=False)

PlanDict = TypedDict('PlanDict', {
    'services': dict[str, ServiceDict], 'checks': dict[str, CheckDict],
    'log-targets': dict[str, LogTargetDict],
}, total=False)
