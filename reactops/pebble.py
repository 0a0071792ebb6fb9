"""A client for Pebble, the service manager in each workload container of a Kubernetes charm.

Juju puts each container's Pebble socket at ``/charm/containers/<name>/pebble.socket``; a
:class:`Client` speaks Pebble's HTTP+JSON API over it: services and the layers that define
them, changes, health checks, notices, files, identities and running commands (``exec``).
The records and errors it returns live in ``reactops._private.pebble_*`` and are all
reachable here, with the names ``ops.pebble`` gives them.

Only charms with containers import this module: a machine charm's hook never loads it, and
it does not load the model. The websocket library is imported only when a command is run.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
import time

from ._private import fastjson
from ._private.pebble_plan import (
    Check,
    Layer,
    LogTarget,
    Plan,
    Service,
)
from ._private.pebble_records import Change, SystemInfo, Task, TaskProgress, Warning
from ._private.pebble_types import (
    APIError,
    ChangeError,
    ChangeID,
    ConnectionError,
    Error,
    ExecError,
    PathError,
    ProtocolError,
    TaskID,
    TimeoutError,
)
from ._private.typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import datetime
    import email.message
    import http.client
    import pathlib
    import types
    import urllib.request
    from collections.abc import Generator, Iterable, Iterator, Mapping
    from typing import Any, BinaryIO, TextIO

    from ._private.pebble_dicts import (
        BasicIdentityDict,
        CheckDict,
        ExecDict,
        HttpDict,
        IdentityDict,
        LayerDict,
        LocalIdentityDict,
        LogTargetDict,
        PlanDict,
        ServiceDict,
        TcpDict,
    )
    from ._private.pebble_enums import (
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
    from ._private.pebble_exec import ExecProcess, _WebSocket
    from ._private.pebble_http import Headers, Response
    from ._private.pebble_infos import CheckInfo, FileInfo, ServiceInfo
    from ._private.pebble_notices import BasicIdentity, Identity, LocalIdentity, Notice
    from ._private.pebble_types import (  # noqa: F401 - the JSON shapes, for annotations
        _ChangeDict,
        _CheckInfoDict,
        _FileInfoDict,
        _NoticeDict,
        _ProgressDict,
        _TaskDict,
        _WarningDict,
    )

    #: What ``push`` writes: text, bytes, or a readable file of either.
    _IOSource = str | bytes | TextIO | BinaryIO
else:
    # The exec machinery (and the websocket library) load only when someone asks for it.
    _EXEC_NAMES = frozenset({'ExecProcess', '_WebSocket', '_WebsocketReader',
                             '_WebsocketWriter', '_reader_to_websocket', '_websocket_to_writer'})
    # The enums load with enum when first named (the pebble-ready hook needs none).
    from ._private.pebble_types import _ENUM_NAMES

    # The records that hold an enum, loaded with the enums.
    _INFO_NAMES = frozenset({'CheckInfo', 'FileInfo', 'ServiceInfo'})
    # The dict shapes are TypedDicts: loaded with typing when first named.
    _DICT_NAMES = frozenset({'BasicIdentityDict', 'CheckDict', 'ExecDict', 'HttpDict',
                             'IdentityDict', 'LayerDict', 'LocalIdentityDict', 'LogTargetDict',
                             'PlanDict', 'ServiceDict', 'TcpDict'})
    # Notices and identities are dataclasses: loaded with dataclasses when first used.
    _NOTICE_NAMES = frozenset({'BasicIdentity', 'Identity', 'LocalIdentity', 'Notice'})

    def __getattr__(name: str) -> Any:
        if name in _ENUM_NAMES:
            from ._private import pebble_enums

            return getattr(pebble_enums, name)
        if name in _INFO_NAMES:
            from ._private import pebble_infos

            return getattr(pebble_infos, name)
        if name in _DICT_NAMES:
            from ._private import pebble_dicts

            return getattr(pebble_dicts, name)
        if name == '_MultipartParser':  # ops' private name for the multipart reader
            from ._private.pebble_files import MultipartReader

            return MultipartReader
        if name in _EXEC_NAMES:
            from ._private import pebble_exec

            return getattr(pebble_exec, name)
        if name in _NOTICE_NAMES:
            from ._private import pebble_notices

            return getattr(pebble_notices, name)
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

    def __dir__() -> list[str]:
        """The module's names, those loaded on first use included."""
        return sorted(set(globals()) | set(__all__))


__all__ = [
    'APIError', 'BasicIdentity', 'BasicIdentityDict', 'Change', 'ChangeError', 'ChangeID',
    'ChangeKind', 'ChangeState', 'ChangeStatus', 'Check', 'CheckDict', 'CheckInfo',
    'CheckLevel', 'CheckStartup', 'CheckStatus', 'Client', 'ConnectionError', 'Error',
    'ExecDict', 'ExecError', 'ExecProcess', 'FileInfo', 'FileType', 'HttpDict', 'Identity',
    'IdentityAccess', 'IdentityDict', 'Layer', 'LayerDict', 'LocalIdentity',
    'LocalIdentityDict', 'LogTarget', 'LogTargetDict', 'Notice', 'NoticeType', 'NoticesUsers',
    'PathError', 'Plan', 'PlanDict', 'ProtocolError', 'Service', 'ServiceDict', 'ServiceInfo',
    'ServiceStartup', 'ServiceStatus', 'SystemInfo', 'Task', 'TaskID', 'TaskProgress',
    'TcpDict', 'TimeoutError', 'Warning', 'WarningState',
]


class _NoSpan:
    """A span that records nothing."""

    def set_attribute(self, key: str, value: Any) -> None:
        """Ignore the attribute."""

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Ignore the attributes."""


class _Tracer:
    """Spans from OpenTelemetry's tracer (scope ``ops``, as ops names it) once the process has
    loaded OpenTelemetry, and spans that record nothing until then.

    Importing OpenTelemetry only for the client would cost every Kubernetes hook; a charm
    that traces (``ops.tracing``) has loaded it before it talks to Pebble.
    """

    def start_as_current_span(self, name: str) -> contextlib.AbstractContextManager[Any]:
        """A span named *name*, current while the ``with`` block runs."""
        trace = sys.modules.get('opentelemetry.trace')
        if trace is None:
            return contextlib.nullcontext(_NoSpan())
        span: contextlib.AbstractContextManager[Any] = \
            trace.get_tracer('ops').start_as_current_span(name)
        return span


#: Every client call runs in a span from this tracer, with ``pebble.socket_path`` set.
tracer: Any = _Tracer()


def _format_timeout(seconds: float) -> str:
    """A duration as Pebble (Go's ``time.ParseDuration``) reads it, to the millisecond."""
    return f'{seconds:.3f}s'


# The characters ``urllib.parse.urlencode`` leaves as they are.
_URL_PLAIN = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~')


def _urlencode(query: dict[str, Any]) -> str:
    """``urllib.parse.urlencode(query, doseq=True)``; a query of plain words (a timeout, a
    select) is joined here, so that waiting for a change does not load urllib.parse, re and
    ipaddress (5 ms of a hook)."""
    if all(type(key) is str and type(value) is str and _URL_PLAIN.issuperset(key + value)
           for key, value in query.items()):
        return '&'.join(f'{key}={value}' for key, value in query.items())
    import urllib.parse

    return urllib.parse.urlencode(query, doseq=True)


def _names(values: Iterable[str], what: str) -> list[str]:
    """*values* as a list of names; a bare string or a non-string name is a TypeError."""
    if isinstance(values, (str, bytes)) or not hasattr(values, '__iter__'):
        raise TypeError(f'{what}s must be of type Iterable[str], not {type(values).__name__}')
    names = list(values)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f'{what} names must be str, not {type(name).__name__}')
    return names


def _signal_name(sig: int | str) -> str:
    if isinstance(sig, int):
        import signal

        return signal.Signals(sig).name
    return sig


def _infos() -> types.ModuleType:
    """The service, check and file records' module (with the enums), loaded on first use."""
    from ._private import pebble_infos

    return pebble_infos


def _notices() -> types.ModuleType:
    """The notice and identity dataclasses' module, loaded on first use."""
    from ._private import pebble_notices

    return pebble_notices


class Client:
    """A Pebble API client on the Unix socket at *socket_path*.

    Methods that start services wait for the change to finish (unless ``timeout=0``) and
    raise :class:`ChangeError` if it failed, :class:`TimeoutError` if it did not finish in
    time. A connection problem raises :class:`ConnectionError`; a request Pebble refuses
    raises :class:`APIError`. *timeout* bounds each request on the socket (not the changes
    nor a command's run). *opener*, a ``urllib`` opener, replaces the socket transport.
    """

    _chunk_size = 8192

    def __init__(self, socket_path: str, opener: urllib.request.OpenerDirector | None = None,
                 base_url: str = 'http://localhost', timeout: float = 5.0):
        if not isinstance(socket_path, str):
            raise TypeError(f'`socket_path` should be a string, not: {type(socket_path)}')
        self.socket_path = socket_path
        self.opener = opener
        self.base_url = base_url
        self.timeout = timeout

    @contextlib.contextmanager
    def _start_span(self, name: str) -> Generator[Any, None, None]:
        with tracer.start_as_current_span(name) as span:
            span.set_attribute('pebble.socket_path', self.socket_path)
            yield span

    # --- transport ------------------------------------------------------------------------

    def _request(self, method: str, path: str, query: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a JSON request (*body*, if any) and return Pebble's decoded JSON answer."""
        headers = {'Accept': 'application/json'}
        data = None
        if body is not None:
            data = fastjson.dumps(body, separators=(', ', ': ')).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        response = self._request_raw(method, path, query, headers, data)
        self._ensure_content_type(response.headers, 'application/json')
        result: dict[str, Any] = fastjson.loads(response.read())
        return result

    @staticmethod
    def _ensure_content_type(headers: email.message.Message | Headers,
                             expected: str) -> dict[str, str]:
        """The header's parameters (e.g. the boundary), if its content type is *expected*."""
        content_type = headers.get_content_type()
        if content_type != expected:
            raise ProtocolError(f'expected Content-Type {expected!r}, got {content_type!r}')
        return {key: value for key, value in headers.get_params() or [] if value}

    def _request_raw(self, method: str, path: str, query: dict[str, Any] | None = None,
                     headers: dict[str, Any] | None = None,
                     data: bytes | Iterator[bytes] | None = None,
                     ) -> Response | http.client.HTTPResponse:
        """Send a request; return the response, whose status is a success.

        An iterator *data* is sent chunked. A socket timeout while waiting for the answer
        raises :class:`TimeoutError`.
        """
        from ._private import pebble_http

        target = path
        if query:
            target = f'{path}?{_urlencode(query)}'
        if self.opener is not None:
            return pebble_http.open_with_opener(self.opener, self.base_url + target,
                                                self.timeout, self.socket_path, method,
                                                headers or {}, data)
        return pebble_http.send(self.socket_path, self.timeout, method, target, headers or {},
                                data)

    # --- system, warnings, changes ----------------------------------------------------------

    def get_system_info(self) -> SystemInfo:
        """Pebble's version."""
        with self._start_span('pebble get_system_info'):
            return SystemInfo.from_dict(self._request('GET', '/v1/system-info')['result'])

    def get_warnings(self, select: WarningState | None = None) -> list[Warning]:
        """Pebble's warnings: the pending ones (``WarningState.PENDING``, the default), or
        all. (The default is spelled ``None`` so that defining it does not load the enums.)"""
        with self._start_span('pebble get_warnings') as span:
            query = {'select': select.value if select is not None else 'pending'}
            span.set_attributes(query)
            resp = self._request('GET', '/v1/warnings', query)
            return [Warning.from_dict(w) for w in resp['result']]

    def ack_warnings(self, timestamp: datetime.datetime) -> int:
        """Acknowledge the warnings up to *timestamp*; return how many were acknowledged."""
        with self._start_span('pebble ack_warnings'):
            body = {'action': 'okay', 'timestamp': timestamp.isoformat()}
            count: int = self._request('POST', '/v1/warnings', body=body)['result']
            return count

    def get_changes(self, select: ChangeState | None = None,
                    service: str | None = None) -> list[Change]:
        """The changes in the given state (``ChangeState.IN_PROGRESS`` by default), only those
        of *service* if it is given."""
        with self._start_span('pebble get_changes') as span:
            query = {'select': select.value if select is not None else 'in-progress'}
            if service is not None:
                query['for'] = service
            span.set_attributes(query)
            resp = self._request('GET', '/v1/changes', query)
            return [Change.from_dict(c) for c in resp['result']]

    def get_change(self, change_id: ChangeID) -> Change:
        """One change, by ID."""
        with self._start_span('pebble get_change'):
            return Change.from_dict(self._request('GET', f'/v1/changes/{change_id}')['result'])

    def abort_change(self, change_id: ChangeID) -> Change:
        """Abort the change with the given ID; return it as it now is."""
        with self._start_span('pebble abort_change'):
            resp = self._request('POST', f'/v1/changes/{change_id}', body={'action': 'abort'})
            return Change.from_dict(resp['result'])

    def wait_change(self, change_id: ChangeID, timeout: float | None = 30.0,
                    delay: float = 0.1) -> Change:
        """Wait until the change is ready and return it (its ``err`` may be set).

        Uses Pebble's wait endpoint, in requests shorter than the socket timeout; a Pebble
        without it is polled every *delay* seconds. ``timeout=None`` waits for ever; past
        *timeout* seconds, raises :class:`TimeoutError`.
        """
        with self._start_span('pebble wait_change'):
            try:
                return self._wait_change_using_wait(change_id, timeout)
            except NotImplementedError:
                return self._wait_change_using_polling(change_id, timeout, delay)

    def _wait_change_using_wait(self, change_id: ChangeID, timeout: float | None) -> Change:
        deadline = time.time() + timeout if timeout is not None else 0.0
        while True:
            # Each request ends a second before the socket would give up on it.
            this_wait = max(self.timeout - 1, 1)
            if timeout is not None:
                remaining = deadline - time.time()
                if remaining <= 0:
                    break
                this_wait = min(this_wait, remaining)
            try:
                return self._wait_change(change_id, this_wait)
            except builtins.TimeoutError:
                continue
        raise TimeoutError(f'timed out waiting for change {change_id} ({timeout} seconds)')

    def _wait_change(self, change_id: ChangeID, timeout: float | None = None) -> Change:
        """One call of the wait endpoint; NotImplementedError if Pebble lacks it."""
        query = {'timeout': _format_timeout(timeout)} if timeout is not None else {}
        try:
            resp = self._request('GET', f'/v1/changes/{change_id}/wait', query)
        except APIError as e:
            if e.code == 404:
                raise NotImplementedError('server does not implement wait-change endpoint') \
                    from None
            if e.code == 504:
                raise TimeoutError(
                    f'timed out waiting for change {change_id} ({timeout} seconds)') from None
            raise
        return Change.from_dict(resp['result'])

    def _wait_change_using_polling(self, change_id: ChangeID, timeout: float | None,
                                   delay: float) -> Change:
        deadline = time.time() + timeout if timeout is not None else 0.0
        while timeout is None or time.time() < deadline:
            change = self.get_change(change_id)
            if change.ready:
                return change
            time.sleep(delay)
        raise TimeoutError(f'timed out waiting for change {change_id} ({timeout} seconds)')

    # --- services and layers ----------------------------------------------------------------

    def autostart_services(self, timeout: float = 30.0, delay: float = 0.1) -> ChangeID:
        """Start the services whose startup is enabled; wait unless *timeout* is 0."""
        return self._services_action('autostart', [], timeout, delay)

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> ChangeID:
        """Bring services and checks in line with the plan (restart changed ones, start
        enabled ones); wait unless *timeout* is 0."""
        return self._services_action('replan', [], timeout, delay)

    def start_services(self, services: Iterable[str], timeout: float = 30.0,
                       delay: float = 0.1) -> ChangeID:
        """Start the named services; wait unless *timeout* is 0."""
        return self._services_action('start', services, timeout, delay)

    def stop_services(self, services: Iterable[str], timeout: float = 30.0,
                      delay: float = 0.1) -> ChangeID:
        """Stop the named services; wait unless *timeout* is 0."""
        return self._services_action('stop', services, timeout, delay)

    def restart_services(self, services: Iterable[str], timeout: float = 30.0,
                         delay: float = 0.1) -> ChangeID:
        """Restart the named services (start those stopped); wait unless *timeout* is 0."""
        return self._services_action('restart', services, timeout, delay)

    def _services_action(self, action: str, services: Iterable[str], timeout: float | None,
                         delay: float) -> ChangeID:
        with self._start_span(f'pebble {action}_services') as span:
            body = {'action': action, 'services': _names(services, 'service')}
            span.set_attributes(body)
            change_id = ChangeID(self._request('POST', '/v1/services', body=body)['change'])
            if timeout:
                change = self.wait_change(change_id, timeout=timeout, delay=delay)
                if change.err:
                    raise ChangeError(change.err, change)
            return change_id

    def add_layer(self, label: str, layer: str | LayerDict | Layer, *,
                  combine: bool = False) -> None:
        """Add *layer* on top of Pebble's layers under *label*.

        With ``combine=True`` and an existing layer of that label, the two are combined by
        each item's ``override`` rule; otherwise a new top layer is added.
        """
        with self._start_span('pebble add_layer') as span:
            if not isinstance(label, str):
                raise TypeError(f'label must be a str, not {type(label).__name__}')
            span.set_attributes({'label': label, 'combine': combine})
            if isinstance(layer, str):
                text = layer
            elif isinstance(layer, dict):
                text = Layer(layer).to_yaml()
            elif isinstance(layer, Layer):
                text = layer.to_yaml()
            else:
                raise TypeError(
                    f'layer must be str, dict, or pebble.Layer, not {type(layer).__name__}')
            body = {'action': 'add', 'combine': combine, 'label': label, 'format': 'yaml',
                    'layer': text}
            self._request('POST', '/v1/layers', body=body)

    def get_plan(self) -> Plan:
        """The plan: Pebble's layers combined."""
        with self._start_span('pebble get_plan'):
            return Plan(self._request('GET', '/v1/plan', {'format': 'yaml'})['result'])

    def get_services(self, names: Iterable[str] | None = None) -> list[ServiceInfo]:
        """The status of the services in the plan, only of those named if *names* is given."""
        with self._start_span('pebble get_services') as span:
            query = None
            if names is not None:
                wanted = list(names)
                query = {'names': ','.join(wanted)}
                span.set_attribute('names', wanted)
            resp = self._request('GET', '/v1/services', query)
            return [_infos().ServiceInfo.from_dict(info) for info in resp['result']]

    def send_signal(self, sig: int | str, services: Iterable[str]) -> None:
        """Send a signal (``'SIGHUP'``, ``1`` or ``signal.SIGHUP``) to the running services
        named; :class:`APIError` if one is not in the plan or not running."""
        with self._start_span('pebble send_signal') as span:
            body = {'signal': _signal_name(sig), 'services': _names(services, 'service')}
            span.set_attributes(body)
            self._request('POST', '/v1/signals', body=body)

    # --- checks, notices, identities --------------------------------------------------------

    def get_checks(self, level: CheckLevel | None = None,
                   names: Iterable[str] | None = None) -> list[CheckInfo]:
        """The status of the health checks: all, or those of *level* and/or *names*."""
        with self._start_span('pebble get_checks') as span:
            query: dict[str, Any] = {}
            if level is not None:
                query['level'] = level.value
            if names:
                query['names'] = list(names)
            span.set_attributes(query)
            resp = self._request('GET', '/v1/checks', query)
            return [_infos().CheckInfo.from_dict(info) for info in resp['result']]

    def start_checks(self, checks: Iterable[str]) -> list[str]:
        """Start the named checks; return those that were not already running."""
        return self._checks_action('start', checks)

    def stop_checks(self, checks: Iterable[str]) -> list[str]:
        """Stop the named checks; return those that were running."""
        return self._checks_action('stop', checks)

    def _checks_action(self, action: str, checks: Iterable[str]) -> list[str]:
        with self._start_span(f'pebble {action}_checks') as span:
            if isinstance(checks, str) or not hasattr(checks, '__iter__'):
                raise TypeError(
                    f'checks must be of type Iterable[str], not {type(checks).__name__}')
            names = tuple(_names(checks, 'check'))
            span.set_attribute('checks', names)
            resp = self._request('POST', '/v1/checks', body={'action': action, 'checks': names})
            # Some Pebble versions answer null when nothing changed.
            changed: list[str] = resp['result']['changed'] or []
            return changed

    def notify(self, type: NoticeType, key: str, *, data: dict[str, str] | None = None,
               repeat_after: datetime.timedelta | None = None) -> str:
        """Record an occurrence of the notice (*type*, *key*); return the notice's ID.

        *key* looks like ``example.com/path``; *repeat_after* keeps a repeat from counting
        as new until that long after the last one.
        """
        with self._start_span('pebble notify') as span:
            span.set_attributes({'type': type.value, 'key': key})
            body: dict[str, Any] = {'action': 'add', 'type': type.value, 'key': key}
            if data is not None:
                body['data'] = data
            if repeat_after is not None:
                body['repeat-after'] = _format_timeout(repeat_after.total_seconds())
                span.set_attribute('repeat_after', body['repeat-after'])
            notice_id: str = self._request('POST', '/v1/notices', body=body)['result']['id']
            return notice_id

    def get_notice(self, id: str) -> Notice:
        """One notice, by ID (:class:`APIError` with code 404 if there is none)."""
        with self._start_span('pebble get_notice') as span:
            span.set_attribute('id', id)
            notice: Notice = _notices().Notice.from_dict(
                self._request('GET', f'/v1/notices/{id}')['result'])
            return notice

    def get_notices(self, *, users: NoticesUsers | None = None, user_id: int | None = None,
                    types: Iterable[NoticeType | str] | None = None,
                    keys: Iterable[str] | None = None) -> list[Notice]:
        """The notices that pass every filter given.

        With none, those this user may see (its own and public ones); *users* and *user_id*
        reach other users' notices (Pebble admins only).
        """
        with self._start_span('pebble get_notices') as span:
            query: dict[str, Any] = {}
            if users is not None:
                query['users'] = users.value
            if user_id is not None:
                query['user-id'] = str(user_id)
            if types is not None:
                from ._private.pebble_enums import NoticeType

                query['types'] = [t.value if isinstance(t, NoticeType) else t for t in types]
            if keys is not None:
                query['keys'] = list(keys)
            span.set_attributes(query)
            resp = self._request('GET', '/v1/notices', query)
            return [_notices().Notice.from_dict(info) for info in resp['result']]

    def get_identities(self) -> dict[str, Identity]:
        """Pebble's identities by name."""
        with self._start_span('pebble get_identities'):
            result = self._request('GET', '/v1/identities')['result']
            return {name: _notices().Identity.from_dict(d) for name, d in result.items()}

    def replace_identities(self,
                           identities: Mapping[str, IdentityDict | Identity | None]) -> None:
        """Add or replace the identities given; a ``None`` value removes that one."""
        with self._start_span('pebble replace_identities'):
            identity_type: type[Identity] = _notices().Identity
            body = {'action': 'replace', 'identities': {
                name: identity.to_dict() if isinstance(identity, identity_type) else identity
                for name, identity in identities.items()
            }}
            self._request('POST', '/v1/identities', body=body)

    def remove_identities(self, identities: Iterable[str]) -> None:
        """Remove the named identities."""
        with self._start_span('pebble remove_identities'):
            body = {'action': 'remove', 'identities': dict.fromkeys(identities)}
            self._request('POST', '/v1/identities', body=body)

    # --- files ------------------------------------------------------------------------------

    @overload
    def pull(self, path: str | pathlib.PurePath, *, encoding: None) -> BinaryIO: ...

    @overload
    def pull(self, path: str | pathlib.PurePath, *, encoding: str = 'utf-8') -> TextIO: ...

    def pull(self, path: str | pathlib.PurePath, *,
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        """Read a file of the workload container: text in *encoding*, or bytes if ``None``.

        Returns an open file (use it as a context manager); :class:`PathError` if the file
        cannot be read (missing, a directory...).
        """
        path = str(path)
        with self._start_span('pebble pull') as span:
            span.set_attribute('path', path)
            response = self._request_raw('GET', '/v1/files', {'action': 'read', 'path': path},
                                         {'Accept': 'multipart/form-data'})
            options = self._ensure_content_type(response.headers, 'multipart/form-data')
            boundary = options.get('boundary', '')
            if not boundary:
                raise ProtocolError(f'invalid boundary {boundary!r}')
            from ._private.pebble_files import read_single_file

            return read_single_file(response, boundary, path, encoding, self._chunk_size)

    def push(self, path: str | pathlib.PurePath, source: _IOSource, *,
             encoding: str = 'utf-8', make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None) -> None:
        """Write *source* (str, bytes, or a readable file of either) to *path* in the container.

        Text is encoded with *encoding*. *make_dirs* creates missing parent directories;
        *permissions* (Pebble's default 0o644) and ownership apply to the file. A group may
        only be given with a user. :class:`PathError` if the file cannot be written.
        """
        from ._private.pebble_files import auth_fields, encode_multipart, raise_on_path_error

        path = str(path)
        with self._start_span('pebble push') as span:
            info = auth_fields(permissions, user_id, user, group_id, group)
            info['path'] = path
            if make_dirs:
                info['make-dirs'] = True
            span.set_attributes(info)
            data, content_type = encode_multipart({'action': 'write', 'files': [info]}, path,
                                                  source, encoding, self._chunk_size)
            headers = {'Accept': 'application/json', 'Content-Type': content_type}
            response = self._request_raw('POST', '/v1/files', None, headers, data)
            self._ensure_content_type(response.headers, 'application/json')
            raise_on_path_error(fastjson.loads(response.read()), path)

    def list_files(self, path: str | pathlib.PurePath, *, pattern: str | None = None,
                   itself: bool = False) -> list[FileInfo]:
        """The entries of the directory *path* (or *path* itself if it is a file, or if
        *itself*), only those matching the glob *pattern* if given."""
        path = str(path)
        with self._start_span('pebble list_files') as span:
            query = {'path': path}
            if pattern:
                query['pattern'] = pattern
            if itself:
                query['itself'] = 'true'
            span.set_attributes(query)
            query['action'] = 'list'
            resp = self._request('GET', '/v1/files', query)
            return [_infos().FileInfo.from_dict(d) for d in resp['result'] or []]

    def make_dir(self, path: str | pathlib.PurePath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        """Create the directory *path* (Pebble's default mode 0o755); *make_parents* creates
        missing parents too. :class:`PathError` if it cannot be made."""
        from ._private.pebble_files import auth_fields, raise_on_path_error

        path = str(path)
        with self._start_span('pebble make_dir') as span:
            info = auth_fields(permissions, user_id, user, group_id, group)
            info['path'] = path
            if make_parents:
                info['make-parents'] = True
            span.set_attributes(info)
            resp = self._request('POST', '/v1/files', None,
                                 {'action': 'make-dirs', 'dirs': [info]})
            raise_on_path_error(resp, path)

    def remove_path(self, path: str | pathlib.PurePath, *, recursive: bool = False) -> None:
        """Remove a file or an empty directory; with *recursive*, a whole tree, and a path
        that does not exist is no error (like ``rm -rf``)."""
        from ._private.pebble_files import raise_on_path_error

        path = str(path)
        with self._start_span('pebble remove_path') as span:
            info: dict[str, Any] = {'path': path}
            if recursive:
                info['recursive'] = True
            span.set_attributes(info)
            resp = self._request('POST', '/v1/files', None, {'action': 'remove', 'paths': [info]})
            raise_on_path_error(resp, path)

    # --- commands ---------------------------------------------------------------------------

    @overload
    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | pathlib.PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None, stdin: str | TextIO | None = None,
             stdout: TextIO | None = None, stderr: TextIO | None = None,
             encoding: str = 'utf-8', combine_stderr: bool = False) -> ExecProcess[str]: ...

    @overload
    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | pathlib.PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None, stdin: bytes | BinaryIO | None = None,
             stdout: BinaryIO | None = None, stderr: BinaryIO | None = None,
             encoding: None, combine_stderr: bool = False) -> ExecProcess[bytes]: ...

    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | pathlib.PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None, stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: TextIO | BinaryIO | None = None, stderr: TextIO | BinaryIO | None = None,
             encoding: str | None = 'utf-8', combine_stderr: bool = False) -> ExecProcess[Any]:
        """Run *command* in the workload container; return its :class:`ExecProcess`.

        Input and output are str in *encoding*, or bytes if it is ``None``. *stdin* may be
        data or a readable file; *stdout*/*stderr* writable files receive the output as it
        comes. Left unset, the process's ``stdin``/``stdout``/``stderr`` streams are yours,
        and :meth:`ExecProcess.wait_output` collects the output. *combine_stderr* sends
        stderr into stdout. *service_context* runs with that service's environment, user and
        working directory (the other arguments override them). *timeout* (seconds) kills the
        command. Waiting raises :class:`ExecError` on a non-zero exit.
        """
        from ._private.pebble_exec import start_exec

        with self._start_span('pebble exec') as span:
            return start_exec(
                self, span, command, service_context=service_context,
                environment=environment, working_dir=working_dir, timeout=timeout,
                user_id=user_id, user=user, group_id=group_id, group=group, stdin=stdin,
                stdout=stdout, stderr=stderr, encoding=encoding, combine_stderr=combine_stderr,
            )

    def _connect_websocket(self, task_id: str, websocket_id: str) -> _WebSocket:
        """Open one of an exec task's websockets (control, stdio, stderr) over the socket."""
        from ._private.pebble_exec import connect_websocket

        return connect_websocket(self, task_id, websocket_id)

    def _websocket_url(self, task_id: str, websocket_id: str) -> str:
        base = self.base_url.replace('http://', 'ws://', 1)
        return f'{base}/v1/tasks/{task_id}/websocket/{websocket_id}'

