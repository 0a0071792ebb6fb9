"""HTTP/1.1 over a Unix socket: Pebble's response shapes, and requests routed to ``_routes``.

Each connection is served on its own thread (so a long ``wait`` or a websocket never blocks
another request). A route answers with a result (wrapped as Pebble's ``sync`` response), an
:class:`Async` (Pebble's ``202 Accepted`` with a change ID), or writes its own answer (a
files pull, a log stream, a websocket) and returns :data:`WRITTEN`. An :class:`APIError`
becomes Pebble's error shape; anything else a 500 with the error named, logged in full.
"""

from __future__ import annotations

import http
import json
import logging
import os
import socket
import socketserver
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._body import Body, content_type
from ._errors import APIError

if TYPE_CHECKING:
    from ._routes import Api

__all__ = ['JSON_LIMIT', 'PUSH_LIMIT', 'WRITTEN', 'Async', 'Request', 'Server',
           'error_body', 'json_bytes']

logger = logging.getLogger(__name__)

#: The largest JSON request body (a layer, a notice, an exec request).
JSON_LIMIT = 16 * 1024 * 1024
#: The largest file push, streamed to disk.
PUSH_LIMIT = 1024 * 1024 * 1024
#: What a route returns when it wrote its own answer.
WRITTEN = object()


@dataclass
class Async:
    """Pebble's asynchronous answer: the change that does the work, and a result."""

    change: str
    result: Any = None


def json_bytes(value: Any) -> bytes:
    """*value* as compact JSON (Pebble's encoder writes no spaces)."""
    return json.dumps(value, separators=(',', ':')).encode()


def error_body(error: APIError) -> dict[str, Any]:
    """Pebble's error response for *error* (``kind`` and ``value`` only when set)."""
    result: dict[str, Any] = {'message': error.message}
    if error.kind:
        result['kind'] = error.kind
    if error.value is not None:
        result['value'] = error.value
    return {'type': 'error', 'status-code': error.status,
            'status': http.HTTPStatus(error.status).phrase, 'result': result}


class Request:
    """One request: method, path, query, headers, and its body as a capped stream."""

    def __init__(self, handler: Handler, method: str):
        url = urllib.parse.urlsplit(handler.path)
        self.handler = handler
        self.method = method
        self.path = url.path
        self.query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self.headers = handler.headers
        length = handler.headers.get('Content-Length')
        chunked = 'chunked' in handler.headers.get('Transfer-Encoding', '').lower()
        try:
            size = None if chunked or length is None else int(length)
        except ValueError:
            raise APIError(400, f'invalid Content-Length "{length}"') from None
        self.media_type, self.params = content_type(handler.headers.get('Content-Type', ''))
        limit = PUSH_LIMIT if self.media_type == 'multipart/form-data' else JSON_LIMIT
        self.body = Body(handler.rfile, size, chunked, limit)  # type: ignore[arg-type]

    def arg(self, name: str, default: str = '') -> str:
        """A query argument (the first, when repeated)."""
        return self.query.get(name, [default])[0]

    def list_arg(self, name: str) -> list[str]:
        """A list in the query, sent comma-separated or as repeated arguments."""
        return [item for value in self.query.get(name, []) for item in value.split(',')
                if item]

    def json(self) -> Any:
        """The body decoded as JSON; Pebble's 400 when it is not."""
        try:
            return json.loads(self.body.read_all() or b'null')
        except ValueError as e:
            raise APIError(400, f'cannot decode request body: {e}') from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (what every POST route takes)."""
        value = self.json()
        if not isinstance(value, dict):
            raise APIError(400, 'cannot decode request body: expected a JSON object')
        return value


class Handler(BaseHTTPRequestHandler):
    """Answers the requests of one connection."""

    # socketserver sets it to the Server that made the handler: ours, a BaseServer subclass.
    server: Server  # pyright: ignore[reportIncompatibleVariableOverride]
    protocol_version = 'HTTP/1.1'

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug('%s', format % args)

    def address_string(self) -> str:
        return 'unix-socket'

    def do_GET(self) -> None:  # noqa: N802 - http.server's spelling
        self._answer('GET')

    def do_POST(self) -> None:  # noqa: N802
        self._answer('POST')

    def do_PUT(self) -> None:  # noqa: N802
        self._answer('PUT')

    def do_DELETE(self) -> None:  # noqa: N802
        self._answer('DELETE')

    def _answer(self, method: str) -> None:
        request = None
        try:
            request = Request(self, method)
            result = self.server.api.route(request)
        except APIError as e:
            self.send_json(error_body(e), e.status)
        except Exception as e:
            logger.exception('%s %s failed', method, self.path)
            self.send_json(error_body(APIError(500, f'internal error: {e}')), 500)
        else:
            if result is WRITTEN:
                return
            if isinstance(result, Async):
                self.send_json({'type': 'async', 'status-code': 202, 'status': 'Accepted',
                                'change': result.change, 'result': result.result}, 202)
            else:
                self.send_json({'type': 'sync', 'status-code': 200, 'status': 'OK',
                                'result': result})
        if request is not None:
            # Even when the connection closes after this answer: a client still sending
            # its body (a chunked push ends with an empty chunk) would get EPIPE.
            request.body.drain()

    def send_json(self, body: dict[str, Any], status: int = 200) -> None:
        """Write one whole JSON answer."""
        data = json_bytes(body)
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Pebble's API on a Unix socket (mode 0600), answered by *api*."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, socket_path: Path, api: Api):
        self.api = api
        self.socket_path = socket_path
        old = os.umask(0o177)  # the socket is made 0600 from the start, never wider
        try:
            super().__init__(str(socket_path), Handler)
        finally:
            os.umask(old)
        os.chmod(socket_path, 0o600)
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close(self) -> None:
        """Stop serving, drop open connections (waits, log follows, websockets) and remove
        the socket file."""
        self.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass
