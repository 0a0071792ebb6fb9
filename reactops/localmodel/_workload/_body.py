"""Request bodies read as streams: plain or chunked, capped, and multipart forms part by part.

A file push may be large, so nothing here holds a whole body in memory: :class:`Body` reads
``Content-Length`` or chunked bodies and stops at a cap, and :class:`Multipart` hands out
each part of a ``multipart/form-data`` body as a stream ending at the next boundary.
"""

from __future__ import annotations

import email.message
from collections.abc import Iterator
from typing import BinaryIO

from ._errors import APIError

__all__ = ['Body', 'Multipart', 'Part', 'content_type']

_CHUNK = 65536


def content_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type of a ``Content-Type`` header and its parameters (``boundary``, ...)."""
    message = email.message.Message()
    message['Content-Type'] = header
    params = {str(k).lower(): str(v) for k, v in (message.get_params() or [])[1:]}
    return message.get_content_type() if header else '', params


class Body:
    """The body of one request: ``read(n)`` gives up to *n* bytes, ``b''`` at its end.

    A body longer than *limit* is refused with Pebble's 400 shape once the reader gets there.
    """

    def __init__(self, stream: BinaryIO, length: int | None, chunked: bool, limit: int):
        if length is not None and length > limit:
            raise APIError(413, f'request body too large (more than {limit} bytes)')
        self._stream = stream
        self._left = length or 0  # of the body, or of the current chunk when chunked
        self._chunked = chunked
        self._ended = not chunked and not length
        self._limit = limit
        self._seen = 0

    def _next_chunk(self) -> None:
        line = self._stream.readline(1024)
        try:
            size = int(line.split(b';')[0].strip() or b'x', 16)
        except ValueError:
            raise APIError(400, 'cannot read request body: bad chunk size') from None
        if size == 0:
            while self._stream.readline(1024) not in (b'\r\n', b'\n', b''):
                pass  # trailers
            self._ended = True
        self._left = size

    def read(self, n: int = _CHUNK) -> bytes:
        """Up to *n* bytes of the body (fewer only at its end)."""
        if self._ended:
            return b''
        if self._chunked and self._left == 0:
            self._next_chunk()
            if self._ended:
                return b''
        data = self._stream.read(min(n, self._left))
        if not data:
            raise APIError(400, 'cannot read request body: unexpected end')
        self._left -= len(data)
        self._seen += len(data)
        if self._seen > self._limit:
            raise APIError(413, f'request body too large (more than {self._limit} bytes)')
        if self._left == 0:
            if self._chunked:
                self._stream.readline(16)  # the CRLF after a chunk
            else:
                self._ended = True
        return data

    def read_all(self) -> bytes:
        """The whole (capped) body."""
        return b''.join(iter(self.read, b''))

    def drain(self) -> None:
        """Read and drop what is left, so the connection can serve the next request."""
        try:
            while self.read():
                pass
        except (APIError, OSError):
            pass


class Part:
    """One part of a form: its headers' name and file name, and a stream of its content."""

    def __init__(self, form: Multipart, name: str, filename: str | None):
        self._form = form
        self.name = name
        self.filename = filename

    def read(self, n: int = _CHUNK) -> bytes:
        """Up to *n* bytes of the part's content; ``b''`` at the part's end."""
        return self._form._read_part(n)


class Multipart:
    """The parts of a ``multipart/form-data`` body, read in order, each as a stream."""

    def __init__(self, body: Body, boundary: str):
        self._body = body
        self._delimiter = b'\r\n--' + boundary.encode()
        self._in_part = False
        self._done = False
        # The first boundary has no CRLF before it: pretend it had one.
        self._buffer = b'\r\n'

    def _fill(self) -> bool:
        data = self._body.read()
        self._buffer += data
        return bool(data)

    def _read_part(self, n: int) -> bytes:
        if not self._in_part:
            return b''
        keep = len(self._delimiter) + 4
        while True:
            at = self._buffer.find(self._delimiter)
            if at >= 0:
                if at == 0:
                    self._in_part = False
                    return b''
                take = min(at, n)
            elif len(self._buffer) > keep:
                take = min(len(self._buffer) - keep, n)
            else:
                take = 0
            if take:
                data, self._buffer = self._buffer[:take], self._buffer[take:]
                return data
            if not self._fill():
                raise APIError(400, 'cannot read multipart body: unexpected end')

    def _headers(self) -> dict[str, str]:
        while b'\r\n\r\n' not in self._buffer:
            if len(self._buffer) > 16384 or not self._fill():
                raise APIError(400, 'cannot read multipart body: bad part headers')
        head, self._buffer = self._buffer.split(b'\r\n\r\n', 1)
        headers = {}
        for line in head.decode(errors='replace').split('\r\n'):
            key, _, value = line.partition(':')
            headers[key.strip().lower()] = value.strip()
        return headers

    def parts(self) -> Iterator[Part]:
        """Each part in turn; read it (or not) before asking for the next."""
        while not self._done:
            while self._in_part:
                self._read_part(_CHUNK)
            while len(self._buffer) < len(self._delimiter) + 2:
                if not self._fill():
                    raise APIError(400, 'cannot read multipart body: unexpected end')
            if not self._buffer.startswith(self._delimiter):
                raise APIError(400, 'cannot read multipart body: missing boundary')
            self._buffer = self._buffer[len(self._delimiter):]
            if self._buffer.startswith(b'--'):
                self._done = True
                return
            disposition = self._headers().get('content-disposition', '')
            _, params = content_type(disposition.replace('form-data', 'form/data', 1))
            self._in_part = True
            yield Part(self, params.get('name', ''), params.get('filename'))
