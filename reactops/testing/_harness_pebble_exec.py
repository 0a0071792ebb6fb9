"""What the Harness's in-memory Pebble does for ``exec`` (its files, and the arguments
``exec`` takes, are :mod:`._pebble_sim`'s).

``exec`` runs nothing: the handler a test registered with ``Harness.handle_exec`` for the
longest prefix of the command answers, and the process ``exec`` returns has already
finished.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Mapping
from typing import Any, BinaryIO, TextIO, cast

from .. import pebble
from ._harness_results import ExecArgs, ExecHandler, ExecResult
from ._pebble_sim import api_error, longest_prefix

__all__ = ['_TestingExecProcess', 'find_exec_handler', 'run_exec_handler']


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


def find_exec_handler(handlers: Mapping[tuple[str, ...], ExecHandler],
                      command: list[str]) -> ExecHandler:
    """The handler registered for the longest prefix of *command*; Pebble's error (as ops'
    Harness words it) if there is none."""
    handler = longest_prefix(handlers, command)
    if handler is None:
        raise api_error(500, 'execution handler not found, please register one using '
                             'Harness.handle_exec')
    return handler


def run_exec_handler(handler: ExecHandler, args: ExecArgs, stdout: TextIO | BinaryIO | None,
                     stderr: TextIO | BinaryIO | None) -> pebble.ExecProcess[Any]:
    """Answer the ``exec`` call *args* by *handler*: the finished process it returns (the
    handler's output copied to *stdout* and *stderr* when given)."""
    command, timeout, encoding = args.command, args.timeout, args.encoding
    proc_stdin = None if args.stdin is not None else _as_stream(b'', encoding)
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
    if args.combine_stderr and err.getvalue():
        raise ValueError('execution handler returned a non-empty stderr even though '
                         'combine_stderr is enabled.')
    if stdout is not None:
        shutil.copyfileobj(out, cast(Any, stdout))
        out = None
    if stderr is not None:
        shutil.copyfileobj(err, cast(Any, stderr))
        err = None
    process = _TestingExecProcess(command, timeout, result.exit_code, proc_stdin, out, err,
                                  is_timeout=False)
    return cast('pebble.ExecProcess[Any]', process)
