"""The multipart bodies of Pebble's file API: what ``push`` sends and what ``pull`` receives.

Both stream: a push reads its source a chunk at a time into the request, and a pull writes
each file part into an anonymous temporary file as it arrives, so neither holds a large file
in memory. The ``response`` part (Pebble's JSON result) is the only part kept in memory.
"""

from __future__ import annotations

import io
import os

from . import fastjson
from .pebble_types import PathError, ProtocolError
from .typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from http.client import HTTPResponse
    from pathlib import Path
    from typing import IO, Any, BinaryIO, TextIO

    from .pebble_http import Response
    from .pebble_infos import FileInfo

__all__ = ['FilesParser', 'MultipartReader', 'auth_fields', 'encode_multipart', 'file_info',
           'raise_on_path_error', 'read_single_file']

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


def file_info(local: Path, shown: str | None = None) -> FileInfo:
    """*local* (not followed if a symlink) described as Pebble describes a file.

    *shown* is the path to report (a simulated container's path for a file under its root
    directory); by default *local* itself. A uid or gid without a name on this machine gets
    no user or group name, and a warning on the ``reactops.model`` logger.
    """
    import datetime
    import stat

    from .pebble_enums import FileType
    from .pebble_infos import FileInfo

    if local.is_symlink():
        kind = FileType.SYMLINK
    elif local.is_dir():
        kind = FileType.DIRECTORY
    elif local.is_file():
        kind = FileType.FILE
    else:
        kind = FileType.UNKNOWN
    status = local.lstat()
    if shown is None:
        path, name = str(local), local.name
    else:
        path, name = shown, '/' if shown == '/' else local.name
    return FileInfo(
        path=path, name=name, type=kind, size=status.st_size,
        permissions=stat.S_IMODE(status.st_mode),
        last_modified=datetime.datetime.fromtimestamp(status.st_mtime),
        user_id=status.st_uid, user=_id_name('user', status.st_uid),
        group_id=status.st_gid, group=_id_name('group', status.st_gid))


def _id_name(kind: str, number: int) -> str | None:
    """The name of user or group (*kind*) *number*; ``None`` (with a warning) if it has
    none here, as happens for ids that only a container image knows."""
    import grp
    import pwd

    try:
        if kind == 'user':
            return pwd.getpwuid(number).pw_name
        return grp.getgrgid(number).gr_name
    except KeyError:
        from .lazylog import get_logger

        get_logger('reactops.model').warning(
            'no %s name for %s %s', kind, 'uid' if kind == 'user' else 'gid', number)
        return None


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
        f'{fastjson.dumps(metadata, separators=(", ", ": "))}\r\n'  # json.dumps' text
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


class MultipartReader:
    """Split a multipart body, fed in chunks of any size, into parts as they arrive.

    *on_headers* gets each part's header block (with its blank line); *on_body* gets the
    part's content in pieces, the last one with ``done=True``. A delimiter is CRLF, ``--``,
    *boundary*, optional spaces or tabs, then CRLF (next part) or ``--`` (the end); anything
    else that looks like one is content. Of content with no delimiter yet in sight, the
    last *max_boundary_length* bytes are held back, as they may be the start of one. The
    preamble and epilogue are ignored; a header block longer than *max_lookahead* is an
    error.
    """

    def __init__(self, boundary: bytes, on_headers: Callable[[bytes], None],
                 on_body: Callable[..., None], max_lookahead: int = 0,
                 max_boundary_length: int = 0):
        self._marker = b'\r\n--' + boundary
        self._on_headers = on_headers
        self._on_body = on_body
        self._max_lookahead = max_lookahead or MAX_HEADERS
        # The marker, some padding, and the two bytes that end the line.
        self._hold = max(max_boundary_length, len(self._marker) + 4)
        self._buffer = bytearray()
        self._state = 'preamble'

    def feed(self, data: bytes) -> None:
        """Take the next chunk of the body."""
        self._buffer += data
        while self._step():
            pass

    def _delimiter(self, start: int) -> tuple[int, int, bool] | None:
        """The first delimiter from *start*: (its offset, where what follows it starts,
        whether it is the closing one); offset -1 if one may be there but is cut short."""
        buf = self._buffer
        while (at := buf.find(self._marker, start)) >= 0:
            end = at + len(self._marker)
            while end < len(buf) and buf[end] in b' \t':
                end += 1
            tail = bytes(buf[end:end + 2])
            if tail in (b'\r\n', b'--'):
                return at, end + 2, tail == b'--'
            if len(tail) < 2 and (tail in (b'', b'\r', b'-')):
                return -1, at, False
            start = at + 1
        return None

    def _step(self) -> bool:
        """Advance as far as one change of state; whether there may be more to do."""
        buf = self._buffer
        if self._state == 'headers':
            at = buf.find(b'\r\n\r\n')
            if at < 0:
                if len(buf) > self._max_lookahead:
                    raise ProtocolError('header terminator not found')
                return False
            self._on_headers(bytes(buf[:at + 4]))
            del buf[:at + 4]
            self._state = 'body'
            return True
        if self._state == 'epilogue':
            buf.clear()
            return False
        found = self._delimiter(0)
        in_body = self._state == 'body'
        if found is None or found[0] < 0:
            # No delimiter (yet): hand on what cannot be the start of one.
            upto = len(buf) - self._hold if found is None else found[1]
            if upto > 0:
                if in_body:
                    self._on_body(bytes(buf[:upto]), done=False)
                del buf[:upto]
            return False
        at, after, closing = found
        if in_body:
            self._on_body(bytes(buf[:at]), done=True)
        del buf[:after]
        self._state = 'epilogue' if closing else 'headers'
        return True


class FilesParser:
    """Read a pull's multipart body, fed in arbitrary chunks.

    Each ``files`` part streams into an anonymous temporary file; the ``response`` part
    (Pebble's JSON result) is kept in memory.
    """

    def __init__(self, boundary: str):
        self._sink: Callable[[bytes], object] | None = None
        self._response = bytearray()
        self._response_done = False
        self._files: dict[str, IO[bytes]] = {}
        self._reader = MultipartReader(boundary.encode(), self._start_part, self._body)
        # Pebble's body starts with the boundary line itself; the CRLF makes it a delimiter.
        self._reader.feed(b'\r\n')

    def feed(self, data: bytes) -> None:
        """Take the next chunk of the body."""
        self._reader.feed(data)

    def _body(self, data: bytes, done: bool = False) -> None:
        if self._sink is not None and data:
            self._sink(data)
        if done:
            if self._sink == self._add_response:
                self._response_done = True
            self._sink = None

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
            self._sink = file.write
        else:
            raise ProtocolError(f'unexpected name in content-disposition header: {name!r}')

    def _add_response(self, data: bytes) -> None:
        self._response += data
        if len(self._response) > MAX_RESPONSE:
            raise ProtocolError('response end marker not found')

    def response(self) -> dict[str, Any] | None:
        """Pebble's JSON result from the ``response`` part, if there was one."""
        if not self._response_done:
            return None
        return cast('dict[str, Any]', fastjson.loads(self._response.decode()))

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


def read_single_file(response: HTTPResponse | Response, boundary: str, path: str,
                     encoding: str | None, chunk_size: int) -> BinaryIO | TextIO:
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
