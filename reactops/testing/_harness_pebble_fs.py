"""Files and ``exec`` of the Harness's in-memory Pebble (a mixin of
:class:`~reactops.testing._harness_pebble._TestingPebbleClient`).

A container's root filesystem is a directory on the test machine: a Pebble path ``/x/y``
is ``<root>/x/y``. Ownership arguments are accepted but not applied (an unprivileged test
cannot give files to other users), so files belong to whoever runs the tests. ``exec``
runs nothing: the handler registered for the longest prefix of the command answers.
"""

from __future__ import annotations

import datetime
import fnmatch
import http
import io
import os
import shutil
import stat
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, cast

from .. import pebble
from ._harness_results import ExecArgs, ExecHandler, ExecResult, ReadableBuffer

__all__ = ['_PebbleFilesAndExec', '_TestingExecProcess', '_api_error']


def _api_error(code: int, message: str) -> pebble.APIError:
    """The error Pebble's HTTP API answers with *code* and *message*."""
    status = http.HTTPStatus(code).phrase
    body = {'type': 'error', 'status-code': code, 'status': status,
            'result': {'message': message}}
    return pebble.APIError(body, code, status, message)


def _file_info(local: Path, shown: str) -> pebble.FileInfo:
    """What ``list_files`` reports for *local*, named by its Pebble path *shown*."""
    import grp
    import pwd

    if local.is_symlink():
        kind = pebble.FileType.SYMLINK
    elif local.is_dir():
        kind = pebble.FileType.DIRECTORY
    elif local.is_file():
        kind = pebble.FileType.FILE
    else:
        kind = pebble.FileType.UNKNOWN
    info = local.lstat()
    try:
        user: str | None = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:  # a uid without a name (in a container image, say)
        user = None
    try:
        group: str | None = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = None
    return pebble.FileInfo(
        path=shown, name='/' if shown == '/' else PurePath(shown).name, type=kind,
        size=info.st_size, permissions=stat.S_IMODE(info.st_mode),
        last_modified=datetime.datetime.fromtimestamp(info.st_mtime),
        user_id=info.st_uid, user=user, group_id=info.st_gid, group=group)


class _TestingExecProcess:
    """A simulated process, finished before ``exec`` returned: its exit code and output
    (``stdout``/``stderr`` are ``None`` when they were copied to the caller's streams)."""

    def __init__(self, command: list[str], timeout: float | None, exit_code: int | None,
                 stdin: TextIO | BinaryIO | None, stdout: TextIO | BinaryIO | None,
                 stderr: TextIO | BinaryIO | None, is_timeout: bool):
        if exit_code is None and not is_timeout:
            raise ValueError('a finished process needs an exit code (is_timeout is False)')
        self._command = command
        self._timeout = timeout
        self._exit_code = exit_code
        self._is_timeout = is_timeout
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr

    def _raise_timeout(self) -> None:
        if self._is_timeout:
            raise pebble.TimeoutError(f'timed out waiting for change ({self._timeout} '
                                      f'seconds)')

    def wait(self) -> None:
        """Return if the process succeeded; :class:`~reactops.pebble.ExecError` if it
        exited non-zero, :class:`~reactops.pebble.TimeoutError` if it timed out."""
        self._raise_timeout()
        if self._exit_code != 0:
            raise pebble.ExecError[str](self._command, cast(int, self._exit_code), None, None)

    def wait_output(self) -> tuple[Any, Any]:
        """Its stdout and stderr (``None`` for a stream not kept); :class:`ExecError`
        carrying them if it exited non-zero."""
        self._raise_timeout()
        out = self.stdout.read() if self.stdout is not None else None
        err = self.stderr.read() if self.stderr is not None else None
        if self._exit_code != 0:
            raise pebble.ExecError[Any](self._command, cast(int, self._exit_code), out, err)
        return out, err

    def send_signal(self, sig: int | str) -> None:
        """The process has already ended, so the signal cannot reach it."""
        raise BrokenPipeError('[Errno 32] Broken pipe')


def _as_stream(data: str | bytes, encoding: str | None) -> io.BytesIO | io.StringIO:
    """Handler output as the stream ``exec`` gives: text when *encoding* is set."""
    if isinstance(data, bytes):
        return io.BytesIO(data) if encoding is None else io.StringIO(data.decode(encoding))
    if encoding is None:
        raise ValueError(f'an exec handler must return bytes when encoding is None, not '
                         f'{type(data).__name__}')
    return io.StringIO(data)


def _check_permissions(permissions: int | None) -> None:
    if permissions is not None and not 0 <= permissions <= 0o777:
        raise pebble.PathError('generic-file-error',
                               f'permissions not within 0o000 to 0o777: {permissions:#o}')


class _PebbleFilesAndExec:
    """The file and exec calls of the in-memory Pebble, on the container's root folder."""

    _root: Path
    _exec_handlers: dict[tuple[str, ...], ExecHandler]

    if TYPE_CHECKING:  # the client class provides these
        def _check_connection(self) -> None: ...

        def get_plan(self) -> pebble.Plan: ...

    def _local(self, path: str | PurePath) -> tuple[str, Path]:
        """*path* as text, and where it lives under the root (it must be absolute)."""
        text = str(path)
        if not text.startswith('/'):
            raise pebble.PathError('generic-file-error',
                                   f'paths must be absolute, got {text!r}')
        return text, self._root / text[1:]

    # -- files -----------------------------------------------------------------------------

    def pull(self, path: str | PurePath, *,
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        self._check_connection()
        text, local = self._local(path)
        try:
            if encoding is None:
                return local.open('rb')
            return local.open('r', encoding=encoding)
        except FileNotFoundError:
            raise pebble.PathError('not-found',
                                   f'stat {text}: no such file or directory') from None
        except IsADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'can only read a regular file: "{text}"') from None

    def push(self, path: str | PurePath, source: ReadableBuffer, *, encoding: str = 'utf-8',
             make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        text, local = self._local(path)
        if make_dirs and not local.parent.exists():
            self.make_dir(os.path.dirname(text), make_parents=True)
        try:
            if isinstance(source, str):
                local.write_text(source, encoding=encoding)
            elif isinstance(source, bytes):
                local.write_bytes(source)
            else:
                binary = isinstance(source.read(0), bytes)
                with local.open('wb' if binary else 'w',
                                encoding=None if binary else encoding) as target:
                    shutil.copyfileobj(cast(Any, source), target)
            local.chmod(0o644 if permissions is None else permissions)
        except FileNotFoundError as error:
            raise pebble.PathError('not-found',
                                   f'parent directory not found: {error.args[0]}') from None
        except NotADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'open {text}.~: not a directory') from None

    def list_files(self, path: str | PurePath, *, pattern: str | None = None,
                   itself: bool = False) -> list[pebble.FileInfo]:
        self._check_connection()
        text, local = self._local(path)
        if not local.exists():
            raise _api_error(404, f'stat {text}: no such file or directory')
        found = [local]
        if not itself and local.is_dir():
            found = [local / name for name in os.listdir(local)]
        if pattern is not None:
            found = [item for item in found if fnmatch.fnmatch(item.name, pattern)]
        infos = []
        for item in found:
            # The path as the container sees it: not resolved, so a storage mount (a
            # symlink under the root) keeps its place in the tree.
            relative = os.path.relpath(item, self._root)
            infos.append(_file_info(item, '/' if relative == '.' else '/' + relative))
        return infos

    def make_dir(self, path: str | PurePath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        text, local = self._local(path)
        if not local.parent.exists():
            if not make_parents:
                raise pebble.PathError('not-found', f'parent directory not found: {text}')
            self.make_dir(os.path.dirname(text), make_parents=True, permissions=permissions)
        try:
            local.mkdir()
            local.chmod(permissions or 0o755)
        except FileExistsError:
            if not make_parents:
                raise pebble.PathError('generic-file-error',
                                       f'mkdir {text}: file exists') from None
        except NotADirectoryError as error:
            raise pebble.PathError('generic-file-error',
                                   f'not a directory: {error.args[0]}') from None

    def remove_path(self, path: str | PurePath, *, recursive: bool = False) -> None:
        self._check_connection()
        text, local = self._local(path)
        if not local.exists():
            if recursive:
                return
            raise pebble.PathError('not-found', f'remove {text}: no such file or directory')
        if not local.is_dir():
            local.unlink()
        elif recursive:
            shutil.rmtree(local)
        else:
            try:
                local.rmdir()
            except OSError as error:
                raise pebble.PathError(
                    'generic-file-error',
                    'cannot remove non-empty directory without recursive=True') from error

    # -- exec ------------------------------------------------------------------------------

    def _exec_handler(self, command: list[str]) -> ExecHandler | None:
        """The handler registered for the longest prefix of *command*."""
        for length in range(len(command), -1, -1):
            handler = self._exec_handlers.get(tuple(command[:length]))
            if handler is not None:
                return handler
        return None

    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None,
             stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: TextIO | BinaryIO | None = None, stderr: TextIO | BinaryIO | None = None,
             encoding: str | None = 'utf-8',
             combine_stderr: bool = False) -> pebble.ExecProcess[Any]:
        self._check_connection()
        handler = self._exec_handler(command)
        if handler is None:
            raise _api_error(500, 'execution handler not found, please register one using '
                                  'Harness.handle_exec')
        environment = {} if environment is None else environment
        if service_context is not None:
            # As Pebble does: the service's environment, directory and identity are the
            # defaults the call's own arguments override.
            services = self.get_plan().services
            if service_context not in services:
                raise _api_error(500, f'context service "{service_context}" not found')
            service = services[service_context]
            environment = {**service.environment, **environment}
            working_dir = service.working_dir if working_dir is None else working_dir
            user = service.user if user is None else user
            user_id = service.user_id if user_id is None else user_id
            group = service.group if group is None else group
            group_id = service.group_id if group_id is None else group_id
        if stdin is not None and not isinstance(stdin, (str, bytes)):
            stdin = stdin.read()
        args = ExecArgs(command=command, environment=environment,
                        working_dir=None if working_dir is None else str(working_dir),
                        timeout=timeout, user_id=user_id, user=user, group_id=group_id,
                        group=group, stdin=stdin,
                        encoding=encoding, combine_stderr=combine_stderr)
        proc_stdin = None if stdin is not None else _as_stream(b'', encoding)
        try:
            result = handler(args)
        except TimeoutError:
            if timeout is None:
                raise RuntimeError('the exec handler raised TimeoutError, but the exec call '
                                   'gave no timeout') from None
            process = _TestingExecProcess(command, timeout, None, proc_stdin,
                                          _as_stream(b'', encoding),
                                          _as_stream(b'', encoding), is_timeout=True)
            return cast('pebble.ExecProcess[Any]', process)
        if result is None:
            result = ExecResult()
        elif not isinstance(result, ExecResult):
            raise TypeError(f'execution handler returned an unexpected type: '
                            f'{type(result)!r}.')
        out: Any = _as_stream(result.stdout, encoding)
        err: Any = _as_stream(result.stderr, encoding)
        if combine_stderr and err.getvalue():
            raise ValueError('execution handler returned a non-empty stderr even though '
                             'combine_stderr is enabled.')
        if stdout is not None:
            shutil.copyfileobj(out, cast(Any, stdout))
            out = None
        if stderr is not None:
            shutil.copyfileobj(err, cast(Any, stderr))
            err = None
        process = _TestingExecProcess(command, timeout, result.exit_code, proc_stdin, out,
                                      err, is_timeout=False)
        return cast('pebble.ExecProcess[Any]', process)
