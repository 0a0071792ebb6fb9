"""A small Pebble for the client's tests: Pebble's HTTP+JSON API on a Unix socket.

It keeps layers, services, changes, checks, notices and identities in memory, serves files
from a folder that stands for the container's root, and runs ``exec`` commands as real
processes with their input and output on websockets, as Pebble does. Only the standard
library and PyYAML (which reactops needs anyway) are used; every change finishes at once
except an exec, which finishes when its process exits.
"""

from __future__ import annotations

import datetime
import email.parser
import hashlib
import json
import os
import re
import shutil
import socketserver
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import yaml
from pebbleserver_exec import Exec, Websocket, seconds

from reactops.localmodel._workload._websocket import handshake

#: The container's accounts, as Pebble would look them up by name: a user's primary group
#: has the user's name and ID.
USERS = {'root': 0, 'app': 1000}
GROUPS = {'root': 0, 'app': 1000, 'staff': 50}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace('+00:00', 'Z')


def _multipart(content_type: str, body: bytes) -> tuple[Any, dict[str, bytes]]:
    """The JSON ``request`` part and the ``files`` parts (by file name) of a form."""
    message = email.parser.BytesParser().parsebytes(
        f'Content-Type: {content_type}\r\n\r\n'.encode() + body)
    request, content = None, {}
    for part in message.walk():
        name = part.get_param('name', header='content-disposition')
        if name == 'request':
            request = json.loads(part.get_payload(decode=True))
        elif name == 'files':
            content[part.get_filename()] = part.get_payload(decode=True)
    return request, content


def _merge(below: dict[str, Any], above: dict[str, Any]) -> dict[str, Any]:
    """An item laid over another: maps are merged, lists appended, the rest replaced."""
    merged = dict(below)
    for key, value in above.items():
        if isinstance(value, dict) and isinstance(below.get(key), dict):
            value = {**below[key], **value}
        elif isinstance(value, list) and isinstance(below.get(key), list):
            value = below[key] + [v for v in value if v not in below[key]]
        merged[key] = value
    return merged


def owner(info: dict[str, Any]) -> tuple[int, int] | None:
    """The (UID, GID) that a request's user/group fields name, by Pebble's rules."""
    uid, gid = info.get('user-id'), info.get('group-id')
    user, group = info.get('user') or '', info.get('group') or ''
    if user:
        if user not in USERS:
            raise HTTPError(400, f'cannot look up user {user!r}: unknown user')
        if uid is not None and uid != USERS[user]:
            raise HTTPError(400, f'user {user!r} UID ({USERS[user]}) does not match '
                                 f'user-id ({uid})')
        uid = USERS[user]
    if group:
        if group not in GROUPS:
            raise HTTPError(400, f'cannot look up group {group!r}: unknown group')
        if gid is not None and gid != GROUPS[group]:
            raise HTTPError(400, f'group {group!r} GID ({GROUPS[group]}) does not match '
                                 f'group-id ({gid})')
        gid = GROUPS[group]
    if uid is None and gid is None:
        return None
    if uid is None:
        raise HTTPError(400, 'must specify user, not just group')
    return uid, uid if gid is None else gid


class HTTPError(Exception):
    """Answer the request with this status and message (Pebble's error shape)."""

    def __init__(self, code: int, message: str, kind: str = ''):
        super().__init__(message)
        self.code = code
        self.kind = kind


class PebbleServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Pebble's API on ``<root>/pebble.socket``; ``<root>/fs`` is the container's root."""

    daemon_threads = True

    def __init__(self, root: Path):
        self.root = root
        self.fs = root / 'fs'
        self.fs.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(root / 'pebble.socket')
        self.layers: list[tuple[str, dict[str, Any]]] = []
        self.running: set[str] = set()
        self.changes: dict[str, dict[str, Any]] = {}
        self.execs: dict[str, Exec] = {}
        self.notices: dict[str, dict[str, Any]] = {}
        self.identities: dict[str, dict[str, Any]] = {}
        self.stopped_checks: set[str] = set()
        self.signals: list[tuple[str, list[str]]] = []
        #: Ownership set through the API, by container path (files stay the server's own).
        self.owners: dict[str, tuple[int, int]] = {}
        #: Every request in order: method, path, query, and the body decoded.
        self.requests: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        #: Answer as a Pebble from before /v1/changes/<id>/wait was added (clients poll).
        self.without_wait_endpoint = False
        #: Each exec websocket by "<task ID>/<name>", with what the client sent on it.
        self.websockets: dict[str, Websocket] = {}
        self.lock = threading.Condition()
        self.next_id = 0
        super().__init__(self.socket_path, Handler)
        # A short poll keeps shutdown (each test's teardown) quick.
        self.thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> PebbleServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()

    def record(self, method: str, path: str, query: dict[str, list[str]],
               content_type: str, body: bytes) -> None:
        """Keep what a request asked, so tests can compare what two clients sent."""
        decoded: Any = None
        if content_type.startswith('multipart/form-data'):
            # The boundary differs from client to client; the parts are what counts.
            request, files = _multipart(content_type, body)
            decoded = {'request': request, 'files': {
                name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
        elif body:
            decoded = json.loads(body)
        with self.lock:
            self.requests.append({'method': method, 'path': path, 'query': query,
                                  'body': decoded})

    def warn(self, message: str) -> None:
        """Pebble has something to tell the operator (pending until acknowledged)."""
        self.warnings.append({'message': message, 'first-added': _now(), 'last-added': _now(),
                              'expire-after': '672h0m0s', 'repeat-after': '24h0m0s',
                              'okayed': False})

    def new_id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    # --- the plan -------------------------------------------------------------------------

    def plan(self) -> dict[str, Any]:
        """The layers combined: an item replaces or is merged into the one below it."""
        plan: dict[str, dict[str, Any]] = {'services': {}, 'checks': {}, 'log-targets': {}}
        for _, layer in self.layers:
            for section, items in plan.items():
                for name, item in (layer.get(section) or {}).items():
                    below = items.get(name) if item.get('override') == 'merge' else None
                    items[name] = _merge(below or {}, item)
        return {section: items for section, items in plan.items() if items}

    def add_layer(self, label: str, layer: dict[str, Any], combine: bool) -> None:
        for n, (existing, old) in enumerate(self.layers):
            if existing == label:
                if not combine:
                    raise HTTPError(400, f'layer {label!r} already exists')
                merged = dict(old)
                for section in ('services', 'checks', 'log-targets'):
                    items = dict(old.get(section) or {})
                    for name, item in (layer.get(section) or {}).items():
                        below = items.get(name) if item.get('override') == 'merge' else None
                        items[name] = _merge(below or {}, item)
                    merged[section] = items
                self.layers[n] = (label, merged)
                return
        self.layers.append((label, layer))

    # --- changes --------------------------------------------------------------------------

    def new_change(self, kind: str, summary: str, ready: bool = True,
                   err: str | None = None) -> str:
        change_id = self.new_id()
        task = {'id': f'T{change_id}', 'kind': kind, 'summary': summary,
                'status': 'Error' if err else 'Done' if ready else 'Doing', 'log': [],
                'progress': {'label': '', 'done': 1 if ready else 0, 'total': 1},
                'spawn-time': _now(), 'data': {}}
        if ready:
            task['ready-time'] = _now()
        with self.lock:
            self.changes[change_id] = {
                'id': change_id, 'kind': kind, 'summary': summary,
                'status': 'Error' if err else 'Done' if ready else 'Doing', 'ready': ready,
                'err': err, 'spawn-time': _now(), 'ready-time': _now() if ready else None,
                'tasks': [task]}
            self.lock.notify_all()
        return change_id

    def finish(self, change_id: str, data: dict[str, Any] | None = None,
               err: str | None = None) -> None:
        with self.lock:
            change = self.changes[change_id]
            change.update(ready=True, status='Error' if err else 'Done', err=err,
                          **{'ready-time': _now()})
            change['tasks'][0].update(status=change['status'], data=data or {})
            self.lock.notify_all()

    def wait_change(self, change_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not self.changes[change_id]['ready']:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HTTPError(504, f'timed out waiting for change {change_id}')
                self.lock.wait(remaining)
            return self.changes[change_id]

    def services_action(self, action: str, names: list[str]) -> str:
        services = self.plan().get('services', {})
        if action in ('autostart', 'replan'):
            names = [n for n, s in services.items() if s.get('startup') == 'enabled']
        elif not names:
            raise HTTPError(400, 'no services provided')
        for name in names:
            if name not in services:
                raise HTTPError(400, f'service "{name}" does not exist')
        # A service whose command is `false` exits at once, so starting it fails.
        failing = [] if action == 'stop' else \
            [n for n in names if services[n].get('command', '').split()[:1] == ['false']]
        if action == 'stop':
            self.running -= set(names)
        else:
            self.running |= set(names) - set(failing)
        err = None
        if failing:
            err = 'cannot perform the following tasks:\n' + '\n'.join(
                f'- Start service "{n}" (cannot start service: exited quickly with code 1)'
                for n in failing)
        change_id = self.new_change(
            action, f'{action.capitalize()} service(s) {", ".join(names)}', err=err)
        if failing:
            self.changes[change_id]['tasks'][0]['log'] = [
                f'{_now()} ERROR cannot start service: exited quickly with code 1']
        return change_id


class Handler(BaseHTTPRequestHandler):
    """Route one request of Pebble's API to the server's state."""

    server: PebbleServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def address_string(self) -> str:
        return 'unix-socket'

    def do_GET(self) -> None:  # noqa: N802 - http.server's spelling
        self.dispatch('GET')

    def do_POST(self) -> None:  # noqa: N802
        self.dispatch('POST')

    def dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        self.query = urllib.parse.parse_qs(url.query)
        websocket = self.headers.get('Upgrade', '').lower() == 'websocket'
        self.raw_body = b'' if websocket else self.read_body()
        self.server.record(method, url.path, self.query,
                           self.headers.get('Content-Type', ''), self.raw_body)
        if websocket:
            self.upgrade(url.path)
            return
        try:
            result = self.route(method, url.path)
        except HTTPError as e:
            self.reply({'type': 'error', 'status-code': e.code, 'status': 'error',
                        'result': {'message': str(e), **({'kind': e.kind} if e.kind else {})}},
                       e.code)
            return
        if isinstance(result, tuple):  # an async answer: (change ID, result)
            self.reply({'type': 'async', 'status-code': 202, 'status': 'Accepted',
                        'change': result[0], 'result': result[1]}, 202)
        elif result is not None:
            self.reply({'type': 'sync', 'status-code': 200, 'status': 'OK', 'result': result})

    def route(self, method: str, path: str) -> Any:
        handler = getattr(self, method.lower() + re.sub(r'\W', '_', path), None)
        if handler is not None:
            return handler()
        parts = path.split('/')
        if path.startswith('/v1/changes/'):
            return self.change(method, *parts[3:])
        if path.startswith('/v1/notices/'):
            return self.notice(parts[3])
        raise HTTPError(404, f'not found: {method} {path}')

    def reply(self, body: dict[str, Any], code: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> bytes:
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            data = b''
            while size := int(self.rfile.readline().split(b';')[0], 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return data
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def json(self) -> Any:
        return json.loads(self.raw_body)

    def arg(self, name: str, default: str = '') -> str:
        return self.query.get(name, [default])[0]

    def list_arg(self, name: str) -> list[str]:
        """A list in the query, whether sent comma-separated or as repeated names."""
        return [item for value in self.query.get(name, []) for item in value.split(',') if item]

    # --- system, layers, services, changes ------------------------------------------------

    def get_v1_system_info(self) -> Any:
        return {'version': '1.99.0-test'}

    def get_v1_warnings(self) -> Any:
        everything = self.arg('select', 'pending') == 'all'
        return [{k: v for k, v in w.items() if k != 'okayed'}
                for w in self.server.warnings if everything or not w['okayed']]

    def post_v1_warnings(self) -> Any:
        body = self.json()
        until = datetime.datetime.fromisoformat(body['timestamp'])
        if until.tzinfo is None:
            until = until.replace(tzinfo=datetime.timezone.utc)
        acknowledged = 0
        for warning in self.server.warnings:
            added = datetime.datetime.fromisoformat(warning['last-added'].replace('Z', '+00:00'))
            if not warning['okayed'] and added <= until:
                warning['okayed'] = True
                acknowledged += 1
        return acknowledged

    def post_v1_layers(self) -> Any:
        body = self.json()
        layer = yaml.safe_load(body['layer']) or {}
        self.server.add_layer(body['label'], layer, body.get('combine', False))
        return True

    def get_v1_plan(self) -> Any:
        return yaml.safe_dump(self.server.plan())

    def get_v1_services(self) -> Any:
        services = self.server.plan().get('services', {})
        wanted = self.list_arg('names') or list(services)
        return [{'name': name, 'startup': services[name].get('startup') or 'disabled',
                 'current': 'active' if name in self.server.running else 'inactive'}
                for name in wanted if name in services]

    def post_v1_services(self) -> Any:
        body = self.json()
        return self.server.services_action(body['action'], body['services']), None

    def post_v1_signals(self) -> Any:
        body = self.json()
        for name in body['services']:
            if name not in self.server.running:
                raise HTTPError(400, f'cannot send signal to "{name}": service is not running')
        self.server.signals.append((body['signal'], body['services']))
        return True

    def get_v1_changes(self) -> Any:
        select = self.arg('select', 'in-progress')
        changes = list(self.server.changes.values())
        if select != 'all':
            changes = [c for c in changes if c['ready'] == (select == 'ready')]
        return changes

    def change(self, method: str, change_id: str, wait: str = '') -> Any:
        if change_id not in self.server.changes:
            raise HTTPError(404, f'cannot find change with id "{change_id}"')
        if method == 'POST':
            if self.json().get('action') != 'abort':
                raise HTTPError(400, 'change action must be "abort"')
            if self.server.changes[change_id]['ready']:
                raise HTTPError(400, f'cannot abort change {change_id} with nothing pending')
            running = self.server.execs.get(f'T{change_id}')
            if running is not None:
                running.abort()  # the change finishes once the process is reaped
                return self.server.changes[change_id]
            self.server.finish(change_id, err='cannot perform the following tasks:\n'
                               f'- {self.server.changes[change_id]["summary"]} (task aborted)')
            return self.server.changes[change_id]
        if wait and self.server.without_wait_endpoint:
            raise HTTPError(404, 'not found')
        if wait:
            timeout = seconds(self.arg('timeout', '30s'))
            return self.server.wait_change(change_id, timeout)
        return self.server.changes[change_id]

    # --- checks, notices, identities ------------------------------------------------------

    def get_v1_checks(self) -> Any:
        checks = self.server.plan().get('checks', {})
        level = self.arg('level')
        names = set(self.list_arg('names'))
        return [{'name': name, 'level': check.get('level', ''),
                 'startup': check.get('startup') or 'enabled',
                 'status': 'inactive' if name in self.server.stopped_checks else 'up',
                 'successes': 1, 'failures': 0, 'threshold': check.get('threshold', 3),
                 **({} if name in self.server.stopped_checks else {'change-id': '1'})}
                for name, check in checks.items()
                if (not level or check.get('level') == level) and (not names or name in names)]

    def post_v1_checks(self) -> Any:
        body = self.json()
        stopped = self.server.stopped_checks
        names = [n for n in body['checks'] if (n in stopped) == (body['action'] == 'start')]
        if body['action'] == 'start':
            stopped -= set(names)
        else:
            stopped |= set(names)
        return {'changed': names or None}

    def post_v1_notices(self) -> Any:
        body = self.json()
        for notice in self.server.notices.values():
            if (notice['type'], notice['key']) == (body['type'], body['key']):
                notice['occurrences'] += 1
                notice['last-occurred'] = notice['last-repeated'] = _now()
                notice['last-data'] = body.get('data', {})
                return {'id': notice['id']}
        notice_id = self.server.new_id()
        self.server.notices[notice_id] = {
            'id': notice_id, 'user-id': os.getuid(), 'type': body['type'], 'key': body['key'],
            'first-occurred': _now(), 'last-occurred': _now(), 'last-repeated': _now(),
            'occurrences': 1, 'last-data': body.get('data', {}), 'expire-after': '168h0m0s',
            **({'repeat-after': body['repeat-after']} if 'repeat-after' in body else {})}
        return {'id': notice_id}

    def get_v1_notices(self) -> Any:
        types, keys, user = self.list_arg('types'), self.list_arg('keys'), self.arg('user-id')
        return [n for n in self.server.notices.values()
                if (not types or n['type'] in types) and (not keys or n['key'] in keys)
                and (not user or n['user-id'] == int(user))]

    def notice(self, notice_id: str) -> Any:
        if notice_id not in self.server.notices:
            raise HTTPError(404, f'cannot find notice with ID "{notice_id}"')
        return self.server.notices[notice_id]

    def get_v1_identities(self) -> Any:
        return {name: {**d, **({'basic': {'password': '*****'}} if 'basic' in d else {})}
                for name, d in self.server.identities.items()}

    def post_v1_identities(self) -> Any:
        body = self.json()
        for name, identity in body['identities'].items():
            if body['action'] == 'remove' or identity is None:
                self.server.identities.pop(name, None)
            else:
                self.server.identities[name] = identity
        return True

    # --- files ----------------------------------------------------------------------------

    def local(self, path: str) -> Path:
        if not path.startswith('/'):
            raise HTTPError(400, f'paths must be absolute, got {path!r}')
        return self.server.fs / path.lstrip('/')

    def get_v1_files(self) -> Any:
        path = self.arg('path')
        if self.arg('action') == 'list':
            return self.list_files(path)
        local = self.local(path)
        error = None
        if not local.exists():
            error = {'kind': 'not-found', 'message': f'stat {path}: no such file or directory'}
        elif local.is_dir():
            error = {'kind': 'generic-file-error', 'message': f'can only read a regular file: '
                                                            f'{path!r} is a directory'}
        boundary = 'pebble-test-boundary-0123456789'
        parts = []
        if error is None:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                         f'filename="{path}"\r\n\r\n'.encode() + local.read_bytes() + b'\r\n')
        item = {'path': path, **({'error': error} if error else {})}
        response = json.dumps({'type': 'sync', 'status-code': 200, 'status': 'OK',
                               'result': [item]})
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="response"\r\n\r\n'
                     f'{response}\r\n--{boundary}--\r\n'.encode())
        data = b''.join(parts)
        self.send_response(200)
        self.send_header('Content-Type', f'multipart/form-data; boundary={boundary}')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None

    def list_files(self, path: str) -> Any:
        local = self.local(path)
        if not local.exists():
            raise HTTPError(404, f'stat {path}: no such file or directory', 'not-found')
        pattern = self.arg('pattern')
        entries = [local] if local.is_file() or self.arg('itself') == 'true' \
            else sorted(local.iterdir())
        return [self.file_info(entry, path if entry == local else f'{path.rstrip("/")}/'
                               f'{entry.name}')
                for entry in entries if not pattern or Path(entry.name).match(pattern)]

    def file_info(self, local: Path, path: str) -> dict[str, Any]:
        st = local.stat()
        modified = datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc)
        uid, gid = self.server.owners.get(path, (st.st_uid, st.st_gid))
        user = {i: name for name, i in USERS.items()}.get(uid)
        group = {i: name for name, i in GROUPS.items()}.get(gid)
        return {'path': path, 'name': local.name or '/',
                'type': 'directory' if local.is_dir() else 'file',
                'size': st.st_size if local.is_file() else None,
                'permissions': format(st.st_mode & 0o777, '03o'),
                'last-modified': modified.isoformat(), 'user-id': uid, 'group-id': gid,
                **({'user': user} if user else {}), **({'group': group} if group else {})}

    def post_v1_files(self) -> Any:
        if self.headers.get_content_type() == 'multipart/form-data':
            return self.write_files()
        body = self.json()
        if body['action'] == 'make-dirs':
            return [self.file_op(info, self.make_dir) for info in body['dirs']]
        return [self.file_op(info, self.remove) for info in body['paths']]

    def file_op(self, info: dict[str, Any], op: Any) -> dict[str, Any]:
        try:
            op(info)
        except FileNotFoundError as e:
            return {'path': info['path'], 'error': {'kind': 'not-found', 'message': str(e)}}
        except (OSError, HTTPError) as e:
            return {'path': info['path'],
                    'error': {'kind': 'generic-file-error', 'message': str(e)}}
        return {'path': info['path']}

    def make_dir(self, info: dict[str, Any]) -> None:
        mode = int(info.get('permissions', '755'), 8)
        owned = owner(info)
        self.local(info['path']).mkdir(mode=mode, parents=info.get('make-parents', False),
                                       exist_ok=info.get('make-parents', False))
        if owned is not None:
            self.server.owners[info['path']] = owned

    def remove(self, info: dict[str, Any]) -> None:
        local = self.local(info['path'])
        if info.get('recursive'):
            if local.is_dir():
                shutil.rmtree(local)
            else:
                local.unlink(missing_ok=True)
        elif local.is_dir():
            local.rmdir()
        else:
            local.unlink()
        under = info['path'].rstrip('/') + '/'
        for path in [p for p in self.server.owners if p == info['path'] or p.startswith(under)]:
            del self.server.owners[path]

    def write_files(self) -> Any:
        request, content = _multipart(self.headers['Content-Type'], self.raw_body)
        assert request is not None and request['action'] == 'write'
        return [self.file_op(info, lambda info: self.write(info, content[info['path']]))
                for info in request['files']]

    def write(self, info: dict[str, Any], data: bytes) -> None:
        local = self.local(info['path'])
        owned = owner(info)
        if info.get('make-dirs'):
            local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        local.chmod(int(info.get('permissions', '644'), 8))
        if owned is not None:
            self.server.owners[info['path']] = owned

    # --- exec -----------------------------------------------------------------------------

    def post_v1_exec(self) -> Any:
        body = self.json()
        owner(body)  # the command runs as the server's user; a bad name is still refused
        change_id = self.server.new_change('exec', f'Execute command "{body["command"][0]}"',
                                           ready=False)
        self.server.execs[f'T{change_id}'] = Exec(self.server, change_id, body)
        return change_id, {'task-id': f'T{change_id}'}

    def upgrade(self, path: str) -> None:
        match = re.fullmatch(r'/v1/tasks/([^/]+)/websocket/([^/]+)', path)
        if match is None or match.group(1) not in self.server.execs:
            self.send_error(404)
            return
        self.wfile.write(handshake(self.headers['Sec-WebSocket-Key']))
        self.wfile.flush()
        self.close_connection = True
        websocket = Websocket(self.connection)
        websocket.keep = True  # the wire log compares what each client sent
        self.server.websockets[f'{match.group(1)}/{match.group(2)}'] = websocket
        self.server.execs[match.group(1)].attach(match.group(2), websocket)
