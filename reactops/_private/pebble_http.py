"""HTTP to Pebble over its Unix socket: one connection per request, errors as Pebble's own.

Loaded on the first request, so importing :mod:`reactops.pebble` does not pay for
:mod:`http.client`.
"""

from __future__ import annotations

import builtins
import http.client
import json
import socket
from typing import TYPE_CHECKING, Any

from .pebble_types import APIError, ConnectionError, TimeoutError

if TYPE_CHECKING:
    import urllib.request
    from collections.abc import Iterator

__all__ = ['api_error', 'open_with_opener', 'send']


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection over a Unix socket instead of TCP."""

    def __init__(self, socket_path: str, timeout: float):
        super().__init__('localhost', timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def api_error(code: int, reason: str, raw: bytes | Exception) -> APIError:
    """The APIError for an HTTP error status, from the body Pebble sent (*raw*)."""
    try:
        if isinstance(raw, Exception):
            raise raw
        body: dict[str, Any] = json.loads(raw)
        message: str = body['result']['message']
    except (OSError, ValueError, KeyError, TypeError) as e:
        body, message = {}, f'{type(e).__name__} - {e}'
    return APIError(body, code, reason, message)


def _socket_not_found(socket_path: str) -> ConnectionError:
    return ConnectionError(f'Could not connect to Pebble: socket not found at {socket_path!r} '
                           '(container restarted?)')


def send(socket_path: str, timeout: float, method: str, target: str,
         headers: dict[str, Any], data: bytes | Iterator[bytes] | None,
         ) -> http.client.HTTPResponse:
    """Send one request on a fresh connection; return the (successful) response to read.

    An iterator *data* goes chunked. Failing to connect or send is a ConnectionError; a
    socket timeout while waiting for the answer is a TimeoutError; an error status is an
    APIError.
    """
    connection = UnixHTTPConnection(socket_path, timeout)
    # One request per connection: the response owns the socket, closed once it is read.
    headers = {**headers, 'Connection': 'close'}
    try:
        connection.request(method, target, body=data, headers=headers)
    except FileNotFoundError:
        connection.close()
        raise _socket_not_found(socket_path) from None
    except OSError as e:
        connection.close()
        raise ConnectionError(str(e) or type(e).__name__) from e
    try:
        response = connection.getresponse()
    except builtins.TimeoutError as e:
        connection.close()
        raise TimeoutError(f'timed out waiting for Pebble to answer {method} {target}') from e
    except BaseException:
        connection.close()
        raise
    if not 200 <= response.status < 300:
        try:
            raw: bytes | Exception = response.read()
        except OSError as e:
            raw = e
        finally:
            connection.close()
        raise api_error(response.status, response.reason, raw)
    return response


def open_with_opener(opener: urllib.request.OpenerDirector, url: str, timeout: float,
                     socket_path: str, method: str, headers: dict[str, Any],
                     data: bytes | Iterator[bytes] | None) -> http.client.HTTPResponse:
    """:func:`send` through a user-supplied ``urllib`` opener, with the same errors."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    try:
        response: http.client.HTTPResponse = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        with e:
            try:
                raw: bytes | Exception = e.read()
            except OSError as read_error:
                raw = read_error
            raise api_error(e.code, e.reason, raw) from None
    except urllib.error.URLError as e:
        if e.args and isinstance(e.args[0], FileNotFoundError):
            raise _socket_not_found(socket_path) from None
        raise ConnectionError(e.reason) from e
    return response
