"""The multipart bodies of Pebble's file API: what ``push`` sends and what ``pull`` receives.

Both stream: a push reads its source a chunk at a time into the request, and a pull writes
each file part into an anonymous temporary file as it arrives, so neither holds a large file
in memory. The ``response`` part (Pebble's JSON result) is the only part kept in memory.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TextIO, cast

from .pebble_types import PathError, ProtocolError

if TYPE_CHECKING:
    from collections.abc import Callable
    from http.client import HTTPResponse

__all__ = ['FilesParser', 'auth_fields', 'encode_multipart', 'raise_on_path_error',
           'read_single_file']

#: A ``response`` part larger than this is not a Pebble response.
MAX_RESPONSE = 8 * 1024 * 1024
#: Nor is a part whose headers run on longer than this.
MAX_HEADERS = 64 * 1024


def auth_fields(permissions: int | None, user_id: int | None, user: str | None,
                group_id: int | None, group: str | None) -> dict[str, Any]:
    """The ownership and mode fields of a file request, for the options that were given."""
    fields: dict[str, Any] = {}
    if permissions is not None:
        fields['permissions'] = format(permissions, '03o')
    for key, value in (('user-id', user_id), ('user', user), ('group-id', group_id),
                       ('group', group)):
        if value is not None:
            fields[key] = value
    return fields


def raise_on_path_error(resp: dict[str, Any], path: str) -> None:
    """Raise :class:`PathError` if Pebble's per-path result for *path* is an error."""
    items = {item['path']: item for item in resp.get('result') or []}
    if path not in items:
        raise ProtocolError(f'path not found in response metadata: {resp}')
    error = items[path].get('error')
    if error:
        raise PathError(error['kind'], error['message'])


def encode_multipart(metadata: dict[str, Any], path: str, source: Any, encoding: str,
                     chunk_size: int) -> tuple[Iterator[bytes], str]:
    """A push body (an iterator of chunks, sent chunked) and its Content-Type.

    *source* is ``str``, ``bytes`` or a readable file object giving either; text is encoded
    with *encoding*.
    """
    if isinstance(source, str):
        source = io.StringIO(source)
    elif isinstance(source, bytes):
        source = io.BytesIO(source)
    boundary = os.urandom(16).hex()
    filename = path.replace('"', '\\"')
    head = (
        f'--{boundary}\r\n'
        'Content-Type: application/json\r\n'
        'Content-Disposition: form-data; name="request"\r\n\r\n'
        f'{json.dumps(metadata)}\r\n'
        f'--{boundary}\r\n'
        'Content-Type: application/octet-stream\r\n'
        f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n\r\n'
    ).encode()
    tail = f'\r\n--{boundary}--\r\n'.encode()

    def chunks() -> Iterator[bytes]:
        yield head
        while chunk := source.read(chunk_size):
            yield chunk.encode(encoding) if isinstance(chunk, str) else chunk
        yield tail

    return chunks(), f'multipart/form-data; boundary="{boundary}"'


class FilesParser:
    """Parse a pull's multipart body fed in arbitrary chunks.

    Parts are found by their delimiter (CRLF, ``--``, boundary); the body before the first
    delimiter is ignored. Of each part's body, all but the last few bytes (which may be the
    start of a delimiter split across chunks) are handed on as soon as they arrive.
    """

    def __init__(self, boundary: str):
        self._delimiter = b'\r\n--' + boundary.encode()
        # Pebble's body starts with the boundary line itself; the CRLF makes it a delimiter.
        self._buffer = bytearray(b'\r\n')
        self._state = 'preamble'
        self._sink: Callable[[bytes], None] | None = None
        self._response = bytearray()
        self._response_done = False
        self._files: dict[str, IO[bytes]] = {}

    def feed(self, data: bytes) -> None:
        """Take the next chunk of the body."""
        self._buffer += data
        while self._step():
            pass

    def _step(self) -> bool:
        """Advance through the buffer as far as one state change; whether to go on."""
        buf = self._buffer
        if self._state in ('preamble', 'body'):
            at = buf.find(self._delimiter)
            if at < 0:
                keep = len(self._delimiter) - 1
                if len(buf) > keep:
                    self._emit(bytes(buf[:len(buf) - keep]))
                    del buf[:len(buf) - keep]
                return False
            self._emit(bytes(buf[:at]))
            self._end_part()
            del buf[:at + len(self._delimiter)]
            self._state = 'delimiter'
            return True
        if self._state == 'delimiter':  # the rest of the boundary line
            if buf.startswith(b'--'):
                self._state = 'epilogue'
                return True
            at = buf.find(b'\r\n')
            if at < 0:
                return False
            del buf[:at + 2]
            self._state = 'headers'
            return True
        if self._state == 'headers':
            at = buf.find(b'\r\n\r\n')
            if at < 0:
                if len(buf) > MAX_HEADERS:
                    raise ProtocolError('header terminator not found')
                return False
            self._start_part(bytes(buf[:at + 2]))
            del buf[:at + 4]
            self._state = 'body'
            return True
        buf.clear()  # the epilogue is ignored
        return False

    def _emit(self, data: bytes) -> None:
        if self._state == 'body' and self._sink is not None and data:
            self._sink(data)

    def _start_part(self, header_block: bytes) -> None:
        import email.parser
        import tempfile

        headers = email.parser.BytesHeaderParser().parsebytes(header_block)
        disposition = headers.get_content_disposition()
        if disposition != 'form-data':
            raise ProtocolError(f'unexpected content disposition: {disposition!r}')
        name = headers.get_param('name', header='content-disposition')
        if name == 'response':
            self._sink = self._add_response
        elif name == 'files':
            filename = headers.get_filename()
            if filename is None:
                raise ProtocolError('multipart "files" part missing filename')
            file = tempfile.TemporaryFile()
            self._files[filename] = file
            self._sink = file.write  # type: ignore[assignment]  # returns a count, unused
        else:
            raise ProtocolError(f'unexpected name in content-disposition header: {name!r}')

    def _add_response(self, data: bytes) -> None:
        self._response += data
        if len(self._response) > MAX_RESPONSE:
            raise ProtocolError('response end marker not found')

    def _end_part(self) -> None:
        if self._sink == self._add_response:
            self._response_done = True
        self._sink = None

    def response(self) -> dict[str, Any] | None:
        """Pebble's JSON result from the ``response`` part, if there was one."""
        if not self._response_done:
            return None
        return cast('dict[str, Any]', json.loads(self._response.decode()))

    def filenames(self) -> list[str]:
        """The paths of the files the body carried."""
        return list(self._files)

    def open_file(self, path: str, encoding: str | None) -> BinaryIO | TextIO:
        """The content of *path*, to read from its start: text if *encoding*, else bytes.

        Line endings are served as they are. The caller owns (and closes) the file.
        """
        file = self._files.pop(path)
        file.seek(0)
        if encoding is None:
            return cast('BinaryIO', file)
        return io.TextIOWrapper(cast('BinaryIO', file), encoding=encoding, newline='')

    def close(self) -> None:
        """Close (and so delete) the temporary files not handed out."""
        for file in self._files.values():
            file.close()
        self._files.clear()


def read_single_file(response: HTTPResponse, boundary: str, path: str, encoding: str | None,
                     chunk_size: int) -> BinaryIO | TextIO:
    """The file *path* from a pull's multipart *response*, which must carry just that file."""
    parser = FilesParser(boundary)
    try:
        while chunk := response.read(chunk_size):
            parser.feed(chunk)
        resp = parser.response()
        if resp is None:
            raise ProtocolError('no "response" field in multipart body')
        raise_on_path_error(resp, path)
        filenames = parser.filenames()
        if not filenames:
            raise ProtocolError('no file content in multipart response')
        if len(filenames) > 1:
            raise ProtocolError('single file request resulted in a multi-file response')
        if filenames[0] != path:
            raise ProtocolError(f'path not expected: {filenames[0]!r}')
        return parser.open_file(path, encoding)
    finally:
        parser.close()
