"""Pebble's ``/v1`` routes: each request checked as Pebble checks it, then handed to the
:class:`~._engine.Workload` (plan, services, checks, changes, notices, logs), to
:class:`~._files.Files` or to :class:`~._exec.Execs`.

Query arguments, messages and status codes follow Pebble's daemon (``internals/daemon``);
the engine's records are already in Pebble's JSON shape, so routes only unwrap the request
and wrap the answer.
"""

from __future__ import annotations

import os
import platform
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._errors import APIError
from ._exec import Execs
from ._files import Files
from ._filestream import pull_files, push_files
from ._identities import Identities
from ._server import WRITTEN, Async, Request, json_bytes
from ._timefmt import parse_go_duration
from ._websocket import Websocket, handshake

if TYPE_CHECKING:
    from ._engine import Workload

__all__ = ['VERSION', 'Api']

#: The Pebble API level this manager answers as (what ``get_system_info`` reports).
VERSION = '1.19.0-reactops'
_SERVICE_ACTIONS = ('start', 'stop', 'restart', 'autostart', 'replan')
_ROUTE = re.compile(r'/v1/(changes|notices|tasks)/([^/]+)(?:/(wait|websocket)(?:/([^/]+))?)?')

Route = Callable[[Request], Any]


def _duration(text: str, what: str = 'timeout') -> float | None:
    if not text:
        return None
    try:
        return parse_go_duration(text)
    except ValueError as e:
        raise APIError(400, f'invalid {what}: {e}') from None


def _level(request: Request) -> str:
    level = request.arg('level')
    if level not in ('', 'alive', 'ready'):
        raise APIError(400, 'level must be "alive" or "ready"')
    return level


def _names(body: dict[str, Any], key: str) -> list[str]:
    names = body.get(key) or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise APIError(400, f'cannot decode request body: "{key}" must be a list of names')
    return names


class Api:
    """Every route of one workload manager."""

    def __init__(self, workload: Workload, *, boot_id: str = ''):
        self.workload = workload
        self.files = Files(workload.fs, workload.container_path)
        self.execs = Execs(workload)
        self.identities = Identities()
        self.boot_id = boot_id
        self.stopping = threading.Event()
        self._routes: dict[tuple[str, str], Route] = {
            ('GET', '/v1/system-info'): self.system_info,
            ('GET', '/v1/health'): self.health,
            ('GET', '/v1/warnings'): lambda r: workload.warnings(r.arg('select', 'pending')),
            ('POST', '/v1/warnings'): self.ack_warnings,
            ('POST', '/v1/layers'): self.add_layer,
            ('GET', '/v1/plan'): self.plan,
            ('GET', '/v1/services'): lambda r: workload.services(r.list_arg('names')),
            ('POST', '/v1/services'): self.services,
            ('POST', '/v1/signals'): self.signals,
            ('GET', '/v1/checks'): lambda r: workload.checks(_level(r), r.list_arg('names')),
            ('POST', '/v1/checks'): self.post_checks,
            ('GET', '/v1/changes'): lambda r: workload.changes(
                r.arg('select', 'in-progress'), r.arg('for')),
            ('GET', '/v1/logs'): self.logs,
            ('GET', '/v1/notices'): self.notices,
            ('POST', '/v1/notices'): self.add_notice,
            ('GET', '/v1/identities'): lambda r: self.identities.get(),
            ('POST', '/v1/identities'): self.post_identities,
            ('GET', '/v1/files'): self.get_files,
            ('POST', '/v1/files'): lambda r: push_files(self.files, r),
            ('POST', '/v1/exec'): self.exec,
        }

    def route(self, request: Request) -> Any:
        """Answer *request* (Pebble's 404 and 405 for what no route takes)."""
        route = self._routes.get((request.method, request.path))
        if route is not None:
            return route(request)
        match = _ROUTE.fullmatch(request.path)
        if match is not None:
            return self._item(request, *match.groups())
        if any(path == request.path for _, path in self._routes):
            raise APIError(405, f'method "{request.method}" not allowed')
        raise APIError(404, 'invalid API endpoint requested')

    def _item(self, request: Request, kind: str, name: str, sub: str | None,
              websocket: str | None) -> Any:
        method = request.method
        if kind == 'changes' and sub is None and method in ('GET', 'POST'):
            return self.workload.change(name) if method == 'GET' else self.abort(request, name)
        if kind == 'changes' and sub == 'wait' and websocket is None and method == 'GET':
            return self.workload.wait_change(name, _duration(request.arg('timeout')))
        if kind == 'notices' and sub is None and method == 'GET':
            return self.workload.notice(name)
        if kind == 'tasks' and sub == 'websocket' and websocket and method == 'GET':
            return self.websocket(request, name, websocket)
        if method not in ('GET', 'POST'):
            raise APIError(405, f'method "{method}" not allowed')
        raise APIError(404, 'invalid API endpoint requested')

    # --- system ---------------------------------------------------------------------------

    def system_info(self, request: Request) -> dict[str, Any]:
        return {'boot-id': self.boot_id, 'http-address': '', 'version': VERSION,
                'platform': platform.system().lower()}

    def health(self, request: Request) -> Any:
        healthy = self.workload.healthy(_level(request), request.list_arg('names'))
        if healthy:
            return {'healthy': True}
        request.handler.send_json({'type': 'sync', 'status-code': 502,
                                   'status': 'Bad Gateway', 'result': {'healthy': False}},
                                  502)
        return WRITTEN

    def ack_warnings(self, request: Request) -> int:
        body = request.json_object()
        if body.get('action') != 'okay':
            raise APIError(400, f'invalid action "{body.get("action", "")}"')
        return self.workload.ack_warnings(str(body.get('timestamp') or ''))

    # --- plan and services ----------------------------------------------------------------

    def add_layer(self, request: Request) -> bool:
        body = request.json_object()
        if body.get('action') != 'add':
            raise APIError(400, f'invalid action "{body.get("action", "")}"')
        if not body.get('label'):
            raise APIError(400, 'label must be set')
        if body.get('format') != 'yaml':
            raise APIError(400, f'invalid format "{body.get("format", "")}"')
        self.workload.add_layer(str(body['label']), str(body.get('layer') or ''),
                                combine=bool(body.get('combine')),
                                inner=bool(body.get('inner')))
        return True

    def plan(self, request: Request) -> str:
        if request.arg('format', 'yaml') != 'yaml':
            raise APIError(400, f'invalid format "{request.arg("format")}"')
        return self.workload.plan_yaml()

    def services(self, request: Request) -> Async:
        body = request.json_object()
        action = body.get('action') or ''
        if action not in _SERVICE_ACTIONS:
            raise APIError(400, f'invalid action "{action}"')
        return Async(self.workload.service_action(action, _names(body, 'services')))

    def signals(self, request: Request) -> bool:
        body = request.json_object()
        names = _names(body, 'services')
        if not names:
            raise APIError(400, 'must specify one or more services')
        self.workload.send_signal(str(body.get('signal') or ''), names)
        return True

    def post_checks(self, request: Request) -> dict[str, Any]:
        body = request.json_object()
        action, names = body.get('action') or '', _names(body, 'checks')
        if action not in ('start', 'stop'):
            raise APIError(400, f'invalid action "{action}"')
        if not names:
            raise APIError(400, f'must specify checks for {action} action')
        return {'changed': self.workload.checks_action(action, names)}

    def abort(self, request: Request, change_id: str) -> dict[str, Any]:
        body = request.json_object()
        if body.get('action') != 'abort':
            raise APIError(400, f'invalid action "{body.get("action", "")}"')
        return self.workload.abort_change(change_id)

    # --- logs and notices -----------------------------------------------------------------

    def logs(self, request: Request) -> Any:
        follow = request.arg('follow')
        if follow not in ('', 'true', 'false'):
            raise APIError(400, 'follow parameter must be "true" or "false"')
        text = request.arg('n')
        try:
            n = int(text) if text else (0 if follow == 'true' else None)
        except ValueError:
            n = -2
        if n is not None and n < -1:
            raise APIError(400, 'n must be -1, 0, or a positive integer')
        services = request.list_arg('services')
        handler = request.handler
        handler.send_response(200)
        handler.send_header('Content-Type', 'application/x-ndjson')
        handler.send_header('Connection', 'close')
        handler.end_headers()
        handler.close_connection = True
        for entry in self.workload.logs(services, n):
            handler.wfile.write(json_bytes(entry) + b'\n')
        handler.wfile.flush()
        if follow == 'true':
            stop = threading.Event()
            try:
                for entry in self.workload.follow_logs(services, stop):
                    if self.stopping.is_set():
                        break
                    handler.wfile.write(json_bytes(entry) + b'\n')
                    handler.wfile.flush()
            except OSError:
                pass  # the client stopped following
            finally:
                stop.set()
        return WRITTEN

    def notices(self, request: Request) -> list[dict[str, Any]]:
        users, user_ids = request.arg('users'), request.query.get('user-id', [])
        if users and user_ids:
            raise APIError(400, 'cannot use both "users" and "user-id" parameters')
        if users and users != 'all':
            raise APIError(400, 'invalid "users" filter: must be "all"')
        if len(user_ids) > 1:
            raise APIError(400, 'invalid "user-id" filter: must only include one "user-id"')
        try:
            user_id = int(user_ids[0]) if user_ids else None
        except ValueError:
            raise APIError(400, f'invalid "user-id" filter: "{user_ids[0]}" is not a '
                           'valid user ID') from None
        types, keys = request.list_arg('types'), request.list_arg('keys')
        after, everyone = request.arg('after') or None, users == 'all'
        timeout = _duration(request.arg('timeout'))
        if timeout:
            return self.workload.wait_notices(types=types, keys=keys, after=after,
                                              user_id=user_id, all_users=everyone,
                                              timeout=timeout)
        return self.workload.notices(types=types, keys=keys, after=after, user_id=user_id,
                                     all_users=everyone)

    def add_notice(self, request: Request) -> dict[str, str]:
        body = request.json_object()
        if body.get('action') != 'add':
            raise APIError(400, f'invalid action "{body.get("action", "")}"')
        kind = body.get('type') or ''
        if kind != 'custom':
            raise APIError(400, f'invalid type "{kind}" (can only add "custom" notices)')
        data = body.get('data') or {}
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise APIError(400, 'cannot decode notice data: values must be strings')
        repeat = _duration(str(body.get('repeat-after') or ''), 'repeat-after')
        notice_id = self.workload.add_notice(kind, str(body.get('key') or ''), data=data,
                                             repeat_after=repeat, user_id=os.getuid())
        return {'id': notice_id}

    def post_identities(self, request: Request) -> None:
        body = request.json_object()
        given = body.get('identities') or {}
        if not isinstance(given, dict):
            raise APIError(400, 'cannot decode request body: "identities" must be a map')
        self.identities.post(str(body.get('action') or ''), given)
        return None

    # --- files and exec -------------------------------------------------------------------

    def get_files(self, request: Request) -> Any:
        action = request.arg('action')
        if action == 'read':
            paths = request.query.get('path', [])
            if not paths:
                raise APIError(400, 'must specify one or more paths')
            pull_files(self.files, request, paths)
            return WRITTEN
        if action == 'list':
            path = request.arg('path')
            if not path:
                raise APIError(400, 'must specify path')
            itself = request.arg('itself')
            if itself not in ('', 'true', 'false'):
                raise APIError(400, 'itself parameter must be "true" or "false"')
            return self.files.listing(path, request.arg('pattern'), itself == 'true')
        raise APIError(400, f'invalid action "{action}"')

    def exec(self, request: Request) -> Async:
        change_id, result = self.execs.start(request.json_object())
        return Async(change_id, result)

    def websocket(self, request: Request, task_id: str, name: str) -> Any:
        if request.headers.get('Upgrade', '').lower() != 'websocket' or \
                not request.headers.get('Sec-WebSocket-Key'):
            raise APIError(400, 'websocket: the client is not using the websocket protocol')
        run = self.execs.connect(task_id, name)
        handler = request.handler
        handler.wfile.write(handshake(request.headers['Sec-WebSocket-Key']))
        handler.wfile.flush()
        handler.close_connection = True
        run.attach(name, Websocket(handler.connection))
        return WRITTEN
