"""HTTP/1.1 to Pebble over its Unix socket: one connection per request, errors as Pebble's own.

Pebble's API needs little of HTTP: a request with a JSON, multipart or chunked body, and
an answer with a length, chunked or read to the end. :mod:`http.client` would do, but it
loads the :mod:`email` package and costs a Kubernetes hook about 25 ms, so this module
speaks the little HTTP it needs itself. A ``urllib`` opener given to the client still goes
through :mod:`urllib` (:func:`open_with_opener`). Loaded on the first request.
"""

from __future__ import annotations

import _socket
import builtins
import io

from . import fastjson
from .pebble_types import APIError, ConnectionError, ProtocolError, TimeoutError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import http.client
    import urllib.request
    from collections.abc import Iterator
    from typing import Any, BinaryIO

__all__ = ['Headers', 'Response', 'api_error', 'open_with_opener', 'send']

#: Longest status or header line accepted, and most header lines: Pebble sends few, short.
_MAX_LINE = 65536
_MAX_HEADERS = 100
_BODY_METHODS = frozenset({'POST', 'PUT', 'PATCH'})


class Headers:
    """A response's header fields, read case-insensitively.

    Offers the part of :class:`email.message.Message` the client uses (``get``,
    ``get_content_type``, ``get_params``), so a response from :func:`send` and one from a
    ``urllib`` opener read the same.
    """

    def __init__(self, fields: list[tuple[str, str]]):
        self._fields = fields

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of field *name*, or *default*."""
        wanted = name.lower()
        for key, value in self._fields:
            if key.lower() == wanted:
                return value
        return default

    def __getitem__(self, name: str) -> str | None:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> list[tuple[str, str]]:
        """Every field, in the order received."""
        return list(self._fields)

    def get_content_type(self) -> str:
        """The media type, lowercased (``text/plain`` when absent or malformed, as email's)."""
        value = self.get('content-type')
        if value is None:
            return 'text/plain'
        media = value.split(';', 1)[0].strip().lower()
        return media if media.count('/') == 1 else 'text/plain'

    def get_params(self) -> list[tuple[str, str]] | None:
        """The content type and its parameters as ``(name, value)`` pairs, as email gives."""
        value = self.get('content-type')
        if value is None:
            return None
        parts = value.split(';')
        params = [(parts[0].strip().lower(), '')]
        for part in parts[1:]:
            name, _, raw = part.partition('=')
            raw = raw.strip()
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                raw = raw[1:-1]
            params.append((name.strip().lower(), raw))
        return params


class _SocketReader(io.RawIOBase):
    """The reading end of a connected socket as a raw binary file, for a buffered reader
    (what ``socket.makefile('rb')`` gives; closing it leaves the socket open). A socket
    timeout raises ``TimeoutError``, as a read of ``makefile``'s file does."""

    def __init__(self, sock: _socket.socket):
        super().__init__()
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count: int = self._sock.recv_into(buffer)
        return count


class Response:
    """Pebble's answer to one request: ``status``, ``reason``, ``headers``, and the body
    through :meth:`read`. Closing it (or reading it to the end) closes the connection."""

    status: int
    reason: str
    headers: Headers

    def __init__(self, sock: _socket.socket, stream: BinaryIO, method: str, target: str):
        self._sock = sock
        self._stream = stream
        self._closed = False
        self.status, self.reason = _read_status(stream, method, target)
        self.headers = Headers(_read_fields(stream))
        self._chunked = 'chunked' in (self.headers.get('transfer-encoding') or '').lower()
        self._chunk_left = 0
        length = self.headers.get('content-length')
        self._length: int | None = None
        if not self._chunked and length is not None:
            try:
                self._length = int(length)
            except ValueError:
                raise ProtocolError(f'Pebble sent a bad Content-Length: {length!r}') from None
        if method == 'HEAD' or self.status in (204, 304):
            self._length = 0
        if self._length == 0:
            self.close()

    def read(self, amt: int | None = None) -> bytes:
        """Up to *amt* bytes of the body (all that is left without it); ``b''`` at the end."""
        if self._closed:
            return b''
        if self._chunked:
            data = self._read_chunked(amt)
        elif self._length is not None:
            want = self._length if amt is None else min(amt, self._length)
            data = self._stream.read(want)
            if len(data) < want:
                self.close()
                raise ConnectionError('Pebble closed the connection before the end of its answer')
            self._length -= len(data)
            if self._length == 0:
                self.close()
        else:
            data = self._stream.read() if amt is None else self._stream.read(amt)
            if not data or amt is None:
                self.close()
        return data

    def _read_chunked(self, amt: int | None) -> bytes:
        parts: list[bytes] = []
        while amt is None or amt > 0:
            if self._chunk_left == 0:
                size_line = self._stream.readline(_MAX_LINE)
                try:
                    self._chunk_left = int(size_line.split(b';', 1)[0], 16)
                except ValueError:
                    self.close()
                    raise ProtocolError('Pebble sent a bad chunk size') from None
                if self._chunk_left == 0:
                    _read_fields(self._stream)  # trailers, up to the blank line
                    self.close()
                    break
            take = self._chunk_left if amt is None else min(amt, self._chunk_left)
            data = self._stream.read(take)
            if len(data) < take:
                self.close()
                raise ConnectionError('Pebble closed the connection before the end of its answer')
            parts.append(data)
            self._chunk_left -= len(data)
            if amt is not None:
                amt -= len(data)
            if self._chunk_left == 0:
                self._stream.readline(_MAX_LINE)  # the CRLF after each chunk
            if amt is not None and parts:
                break  # a partial read may return less than asked, as files do
        return b''.join(parts)

    def close(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        if not self._closed:
            self._closed = True
            self._stream.close()
            self._sock.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_status(stream: BinaryIO, method: str, target: str) -> tuple[int, str]:
    try:
        line = stream.readline(_MAX_LINE + 1)
    except builtins.TimeoutError as e:
        raise TimeoutError(f'timed out waiting for Pebble to answer {method} {target}') from e
    except OSError as e:
        raise ConnectionError(str(e) or type(e).__name__) from e
    if not line:
        raise ConnectionError(f'Pebble closed the connection without answering {method} '
                              f'{target}')
    version, _, rest = line.decode('iso-8859-1').rstrip('\r\n').partition(' ')
    code, _, reason = rest.partition(' ')
    if not version.startswith('HTTP/') or len(code) != 3 or not code.isdigit():
        raise ProtocolError(f'Pebble answered with a bad status line: {line[:80]!r}')
    return int(code), reason


def _read_fields(stream: BinaryIO) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    while True:
        line = stream.readline(_MAX_LINE + 1)
        if line in (b'\r\n', b'\n', b''):
            return fields
        if len(fields) >= _MAX_HEADERS or len(line) > _MAX_LINE:
            raise ProtocolError('Pebble sent too many or too long header lines')
        text = line.decode('iso-8859-1').rstrip('\r\n')
        if text[:1] in (' ', '\t') and fields:  # an obsolete folded continuation
            name, value = fields[-1]
            fields[-1] = (name, f'{value} {text.strip()}')
            continue
        name, _, value = text.partition(':')
        fields.append((name.strip(), value.strip()))


def api_error(code: int, reason: str, raw: bytes | Exception) -> APIError:
    """The APIError for an HTTP error status, from the body Pebble sent (*raw*)."""
    try:
        if isinstance(raw, Exception):
            raise raw
        body: dict[str, Any] = fastjson.loads(raw)
        message: str = body['result']['message']
    except (OSError, ValueError, KeyError, TypeError) as e:
        body, message = {}, f'{type(e).__name__} - {e}'
    return APIError(body, code, reason, message)


def _socket_not_found(socket_path: str) -> ConnectionError:
    return ConnectionError(f'Could not connect to Pebble: socket not found at {socket_path!r} '
                           '(container restarted?)')


def _request_head(method: str, target: str, headers: dict[str, Any],
                  data: bytes | Iterator[bytes] | None) -> bytes:
    lines = [f'{method} {target} HTTP/1.1', 'Host: localhost', 'Accept-Encoding: identity']
    given = {name.lower() for name in headers}
    lines += [f'{name}: {value}' for name, value in headers.items()]
    if isinstance(data, bytes):
        if 'content-length' not in given:
            lines.append(f'Content-Length: {len(data)}')
    elif data is not None:
        lines.append('Transfer-Encoding: chunked')
    elif method in _BODY_METHODS:
        lines.append('Content-Length: 0')
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('iso-8859-1')


def send(socket_path: str, timeout: float, method: str, target: str,
         headers: dict[str, Any], data: bytes | Iterator[bytes] | None) -> Response:
    """Send one request on a fresh connection; return the (successful) response to read.

    An iterator *data* goes chunked. Failing to connect or send is a ConnectionError; a
    socket timeout while waiting for the answer is a TimeoutError; an error status is an
    APIError.
    """
    # The C socket itself: the socket module would cost the hook 2-3 ms (selectors, array,
    # and the enums it makes of every constant) for a makefile this module does below.
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(socket_path)
        # One request per connection: the response owns the socket, closed once read.
        head = _request_head(method, target, {**headers, 'Connection': 'close'}, data)
        if isinstance(data, bytes):
            sock.sendall(head + data)
        else:
            sock.sendall(head)
            if data is not None:
                for chunk in data:
                    if chunk:
                        sock.sendall(b'%X\r\n%s\r\n' % (len(chunk), chunk))
                sock.sendall(b'0\r\n\r\n')
    except FileNotFoundError:
        sock.close()
        raise _socket_not_found(socket_path) from None
    except OSError as e:
        sock.close()
        raise ConnectionError(str(e) or type(e).__name__) from e
    except BaseException:
        sock.close()
        raise
    stream = io.BufferedReader(_SocketReader(sock))
    try:
        response = Response(sock, stream, method, target)
    except BaseException:
        stream.close()
        sock.close()
        raise
    if not 200 <= response.status < 300:
        try:
            raw: bytes | Exception = response.read()
        except OSError as e:
            raw = e
        finally:
            response.close()
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
