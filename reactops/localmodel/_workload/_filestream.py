"""The two files requests whose bodies are multipart forms: push (a request form, file
contents streamed to disk) and pull (an answer form, file contents streamed from disk).

JSON file requests (list, make-dirs, remove) and the file operations themselves are in
``_files``; this module only reads and writes the forms, as Pebble's daemon does.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
from collections.abc import Iterator
from typing import Any, BinaryIO

from ._body import Multipart, Part
from ._errors import APIError
from ._files import FileError, Files, file_result
from ._server import Request, json_bytes

__all__ = ['pull_files', 'push_files']


def _chunks(part: Part) -> Iterator[bytes]:
    while chunk := part.read():
        yield chunk


def _write_form(files: Files, form: Multipart) -> list[dict[str, Any]]:
    parts = form.parts()
    first = next(parts, None)
    if first is None:
        raise APIError(400, 'cannot read request metadata: EOF')
    if first.name != 'request':
        raise APIError(400, f'metadata field name must be "request", got "{first.name}"')
    try:
        payload = json.loads(b''.join(_chunks(first)))
    except ValueError as e:
        raise APIError(400, f'cannot decode request metadata: {e}') from None
    action = payload.get('action', '') if isinstance(payload, dict) else ''
    if action != 'write':
        raise APIError(400, f'multipart action must be "write", got "{action}"')
    items = payload.get('files') or []
    if not isinstance(items, list) or not items or \
            not all(isinstance(item, dict) for item in items):
        raise APIError(400, 'must specify one or more files')
    wanted = {str(item.get('path') or ''): item for item in items}
    results: dict[str, dict[str, Any]] = {}
    for part in parts:
        if part.name != 'files':
            raise APIError(400, f'field name must be "files", got "{part.name}"')
        path = part.filename or ''
        if path not in wanted:
            raise APIError(400, f'no metadata for path "{path}"')
        results[path] = file_result(path, functools.partial(files.write, wanted[path],
                                                            _chunks(part)))
    return [results.get(path) or {'path': path, 'error': {
        'message': f'no file content for path "{path}"', 'kind': 'generic-file-error'}}
        for path in (str(item.get('path') or '') for item in items)]


def push_files(files: Files, request: Request) -> Any:
    """``POST /v1/files``: a multipart push, or a JSON make-dirs or remove."""
    if request.media_type == 'multipart/form-data':
        boundary = request.params.get('boundary', '')
        if len(boundary) < 1 or len(boundary) > 70:
            raise APIError(400, f'invalid boundary "{boundary}"')
        return _write_form(files, Multipart(request.body, boundary))
    if request.media_type != 'application/json':
        raise APIError(400, f'invalid media type "{request.media_type}"')
    body = request.json_object()
    action = body.get('action') or ''
    if action == 'make-dirs':
        return [file_result(str(item.get('path') or ''), functools.partial(files.make_dir, item))
                for item in _items(body, 'dirs')]
    if action == 'remove':
        return [file_result(str(item.get('path') or ''), functools.partial(files.remove, item))
                for item in _items(body, 'paths')]
    if action == 'write':
        raise APIError(400, 'must use multipart with "write" action')
    raise APIError(400, f'invalid action "{action}"')


def _items(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise APIError(400, f'cannot decode request body: "{key}" must be a list of objects')
    return items


def _header(boundary: str, name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        quoted = filename.replace('\\', '\\\\').replace('"', '\\"')
        disposition += f'; filename="{quoted}"'
        kind = 'application/octet-stream'
    else:
        kind = 'application/json'
    return (f'--{boundary}\r\nContent-Disposition: {disposition}\r\n'
            f'Content-Type: {kind}\r\n\r\n').encode()


def pull_files(files: Files, request: Request, paths: list[str]) -> None:
    """``GET /v1/files?action=read``: each file's content as a ``files`` part, then the
    ``response`` part with a result per path (and its error, when it could not be read)."""
    boundary = secrets.token_hex(30)
    opened: list[tuple[str, BinaryIO]] = []
    results: list[dict[str, Any]] = []
    try:
        for path in paths:
            try:
                opened.append((path, files.open_for_read(path)))
                results.append({'path': path})
            except FileError as e:
                results.append({'path': path, 'error': {'message': e.message,
                                                        'kind': e.kind}})
        heads = [_header(boundary, 'files', path) for path, _ in opened]
        sizes = [os.fstat(f.fileno()).st_size for _, f in opened]
        tail = _header(boundary, 'response') + json_bytes(
            {'type': 'sync', 'status-code': 200, 'status': 'OK', 'result': results}) + \
            f'\n\r\n--{boundary}--\r\n'.encode()
        length = sum(len(h) + s + 2 for h, s in zip(heads, sizes, strict=True)) + len(tail)
        handler = request.handler
        handler.send_response(200)
        handler.send_header('Content-Type', f'multipart/form-data; boundary={boundary}')
        handler.send_header('Content-Length', str(length))
        handler.end_headers()
        for head, size, (_, f) in zip(heads, sizes, opened, strict=True):
            handler.wfile.write(head)
            left = size  # a file that grows meanwhile is cut at the size announced
            while left and (chunk := f.read(min(left, 65536))):
                handler.wfile.write(chunk)
                left -= len(chunk)
            handler.wfile.write(b'\0' * left + b'\r\n')
        handler.wfile.write(tail)
    finally:
        for _, f in opened:
            f.close()
