"""Running a command in the workload container: :meth:`Client.exec` and :class:`ExecProcess`.

Pebble runs the command as a change with one task, and streams its input and output over
websockets on the same Unix socket: ``stdio`` (binary frames, both ways), ``stderr`` (unless
combined into stdout) and ``control`` (signals). A text frame ``{"command":"end"}`` marks
the end of a stream. Streams the caller handed in are pumped by daemon threads, so a process
never waited for cannot keep the interpreter alive.

This module imports the ``websocket`` library (websocket-client), so it is loaded only when
a command is run.
"""

from __future__ import annotations

import io
import json
import logging
import os
import select
import shutil
import socket
import threading
import warnings
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, AnyStr, Generic, Protocol, cast

import websocket

from .pebble_types import ChangeError, ChangeID, ConnectionError, ExecError

if TYPE_CHECKING:
    import pathlib

    from ..pebble import Client

__all__ = ['ExecProcess', 'connect_websocket', 'start_exec']

logger = logging.getLogger('reactops.pebble')

_END = '{"command":"end"}'


class _WebSocket(Protocol):
    """What the client uses of a websocket-client ``WebSocket``."""

    sock: socket.socket | None

    def connect(self, url: str, socket: socket.socket) -> None: ...
    def shutdown(self) -> None: ...
    def send(self, payload: str) -> None: ...
    def send_binary(self, payload: bytes) -> None: ...
    def recv(self) -> str | bytes: ...


def connect_websocket(client: Client, task_id: str, websocket_id: str) -> _WebSocket:
    """Open one websocket of an exec task over the client's Unix socket."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(client.timeout)
    sock.connect(client.socket_path)
    ws = websocket.WebSocket(skip_utf8_validation=True)
    ws.connect(client._websocket_url(task_id, websocket_id),  # type: ignore[no-untyped-call]
               socket=sock)
    sock.settimeout(None)  # output may be a long time coming
    return cast('_WebSocket', ws)


def _daemon(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _hard_close(ws: _WebSocket) -> None:
    """Close *ws* so that threads blocked reading or writing on it wake up.

    Closing a socket's descriptor does not wake a thread blocked in ``recv`` on it; shutting
    the connection down does. websocket-client has no public call for that, so this reaches
    its ``sock``.
    """
    if ws.sock is not None:
        try:
            ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone
    ws.shutdown()


def _end_of_stream(message: str) -> bool:
    """Whether a text frame is the end marker; other commands are logged and skipped."""
    try:
        payload = json.loads(message)
    except ValueError:
        logger.warning('Cannot decode I/O command (invalid JSON)')
        return False
    command = payload.get('command') if isinstance(payload, dict) else None
    if command != 'end':
        logger.warning('Invalid I/O command %r', command)
        return False
    return True


class _WebsocketWriter(io.BufferedIOBase):
    """A binary file whose writes go to the websocket; closing it sends end-of-input."""

    def __init__(self, ws: _WebSocket):
        self.ws = ws

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        if not isinstance(chunk, bytes):
            raise TypeError(f'value to write must be bytes, not {type(chunk).__name__}')
        self.ws.send_binary(chunk)
        return len(chunk)

    def close(self) -> None:
        # Safe to repeat, and after the websocket is gone (the process was waited for).
        if self.closed:
            return
        try:
            self.ws.send(_END)
        except websocket.WebSocketConnectionClosedException:
            pass
        super().close()


class _WebsocketReader(io.BufferedIOBase):
    """A binary file read from the websocket's frames until the end marker.

    A websocket closed underneath it (the process failed and was torn down) reads as EOF.
    """

    def __init__(self, ws: _WebSocket):
        self.ws = ws
        self.remaining = b''
        self.eof = False

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        while not self.remaining and not self.eof:
            try:
                frame = self.ws.recv()
            except (websocket.WebSocketException, OSError) as e:
                logger.debug('exec output stream closed: %s', e)
                self.eof = True
                break
            if isinstance(frame, str):
                self.eof = _end_of_stream(frame)
            else:
                self.remaining = frame
        if n is None or n < 0:
            n = len(self.remaining)
        chunk, self.remaining = self.remaining[:n], self.remaining[n:]
        return chunk

    def read1(self, n: int = -1) -> bytes:
        return self.read(n)


def _websocket_to_writer(ws: _WebSocket, writer: IO[Any], encoding: str | None) -> None:
    """Copy the websocket's frames to *writer* until the end marker (or the socket closes)."""
    while True:
        try:
            frame = ws.recv()
        except (websocket.WebSocketException, OSError) as e:
            logger.debug('exec output forwarder stopped: %s', e)
            return
        if isinstance(frame, str):
            if _end_of_stream(frame):
                return
            continue
        writer.write(frame.decode(encoding) if encoding is not None else frame)


def _reader_to_websocket(reader: IO[Any], ws: _WebSocket, encoding: str | None,
                         cancel_reader: int | None = None, bufsize: int = 16 * 1024) -> None:
    """Send *reader*'s content to the websocket, then the end marker.

    With *cancel_reader* (a pipe), stop early once something is written to the pipe, after
    sending what *reader* already has ready.
    """
    try:
        while True:
            if cancel_reader is not None:
                ready, _, _ = select.select([cancel_reader, cast('Any', reader)], [], [])
                if reader not in ready:
                    break
            chunk = reader.read(bufsize)
            if not chunk:
                break
            ws.send_binary(chunk.encode(encoding or 'utf-8') if isinstance(chunk, str)
                           else chunk)
        ws.send(_END)
    except (websocket.WebSocketException, OSError) as e:
        logger.debug('exec stdin forwarder stopped: %s', e)


def _has_fileno(f: Any) -> bool:
    try:
        f.fileno()
    except Exception:  # io.UnsupportedOperation, or a fileno that is not there at all
        return False
    return True


class ExecProcess(Generic[AnyStr]):
    """A command started by :meth:`Client.exec`.

    ``stdin``/``stdout``/``stderr`` are the streams the caller did not pass to ``exec``
    (``None`` for those it did, and ``stderr`` is ``None`` when combined into stdout). Read
    and write them yourself, or let :meth:`wait_output` collect the output (which avoids
    deadlocks). Always finish with :meth:`wait` or :meth:`wait_output`.
    """

    stdin: IO[AnyStr] | None
    stdout: IO[AnyStr] | None
    stderr: IO[AnyStr] | None

    def __init__(self, stdin: IO[AnyStr] | None, stdout: IO[AnyStr] | None,
                 stderr: IO[AnyStr] | None, client: Client, timeout: float | None,
                 control_ws: _WebSocket, stdio_ws: _WebSocket, stderr_ws: _WebSocket | None,
                 command: list[str], encoding: str | None, change_id: ChangeID,
                 cancel_stdin: Callable[[], None] | None, cancel_reader: int | None,
                 threads: list[threading.Thread]):
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self._client = client
        self._timeout = timeout
        self._control_ws = control_ws
        self._stdio_ws = stdio_ws
        self._stderr_ws = stderr_ws
        self._command = command
        self._encoding = encoding
        self._change_id = change_id
        self._cancel_stdin = cancel_stdin
        self._cancel_reader = cancel_reader
        self._threads = threads
        self._waited = False

    def __del__(self) -> None:
        if not self._waited:
            warnings.warn('ExecProcess instance garbage collected without call to wait() or '
                          'wait_output()', ResourceWarning, stacklevel=2)

    def wait(self) -> None:
        """Wait for the command to finish (at most its timeout, if ``exec`` had one).

        Raises :class:`ChangeError` if it could not run, :class:`ExecError` if it exited
        non-zero.
        """
        with self._client._start_span('pebble wait'):
            exit_code = self._wait()
            if exit_code != 0:
                raise ExecError(self._command, exit_code, None, None)

    def wait_output(self) -> tuple[AnyStr, AnyStr | None]:
        """Wait for the command to finish; return its (stdout, stderr).

        stderr is ``None`` if it was combined into stdout. A TypeError if ``exec`` was given
        a stdout; :class:`ExecError` (carrying the output) on a non-zero exit.
        """
        with self._client._start_span('pebble wait_output'):
            if self.stdout is None:
                raise TypeError("can't use wait_output() when exec was called with the stdout "
                                'argument; use wait() instead')
            new: Callable[[], IO[Any]] = io.StringIO if self._encoding is not None \
                else io.BytesIO
            out = new()
            self._threads.append(_daemon(shutil.copyfileobj, self.stdout, out))
            err = None
            if self.stderr is not None:
                err = new()
                self._threads.append(_daemon(shutil.copyfileobj, self.stderr, err))
            exit_code = self._wait()
            out_value = cast('AnyStr', cast('Any', out).getvalue())
            err_value = cast('AnyStr', cast('Any', err).getvalue()) if err is not None else None
            if exit_code != 0:
                raise ExecError[AnyStr](self._command, exit_code, out_value, err_value)
            return out_value, err_value

    def send_signal(self, sig: int | str) -> None:
        """Send a signal (``'SIGHUP'``, ``1`` or ``signal.SIGHUP``) to the running command."""
        with self._client._start_span('pebble send_signal') as span:
            if isinstance(sig, int):
                import signal

                sig = signal.Signals(sig).name
            span.set_attribute('signal', sig)
            self._control_ws.send(json.dumps({'command': 'signal', 'signal': {'name': sig}},
                                             sort_keys=True))

    def _stop_stdin(self) -> None:
        if self._cancel_stdin is not None:
            self._cancel_stdin()
            self._cancel_stdin = None

    def _close_cancel_pipe(self) -> None:
        if self._cancel_reader is not None:
            os.close(self._cancel_reader)
            self._cancel_reader = None

    def _wait(self) -> int:
        """Wait for the change; tidy up the streams; return the exit code (-1 if unknown)."""
        self._waited = True
        # A second more than the command's own timeout, so that Pebble's kill comes first.
        timeout = self._timeout + 1 if self._timeout is not None else None
        try:
            change = self._client.wait_change(self._change_id, timeout=timeout)
        except BaseException:
            self._teardown_after_error()
            raise
        self._stop_stdin()
        for thread in self._threads:
            thread.join()
        self._close_cancel_pipe()
        for ws in (self._control_ws, self._stdio_ws, self._stderr_ws):
            if ws is not None:
                ws.shutdown()
        if change.err:
            raise ChangeError(change.err, change)
        exit_code: int = change.tasks[0].data.get('exit-code', -1) if change.tasks else -1
        return exit_code

    def _teardown_after_error(self) -> None:
        """The wait failed: close the websockets first, so the pumping threads can finish."""
        self._stop_stdin()
        for ws in (self._control_ws, self._stdio_ws, self._stderr_ws):
            if ws is not None:
                _hard_close(ws)
        for thread in self._threads:
            thread.join(timeout=1.0)
            if thread.is_alive():
                logger.warning('exec I/O thread did not finish after error in wait')
        self._close_cancel_pipe()


def _exec_body(command: list[str], service_context: str | None,
               environment: dict[str, str] | None, working_dir: str | pathlib.PurePath | None,
               timeout: float | None, user_id: int | None, user: str | None,
               group_id: int | None, group: str | None, combine_stderr: bool) -> dict[str, Any]:
    return {
        'command': command,
        'service-context': service_context,
        'environment': environment or {},
        'working-dir': str(working_dir) if working_dir is not None else None,
        'timeout': f'{timeout:.3f}s' if timeout is not None else None,
        'user-id': user_id,
        'user': user,
        'group-id': group_id,
        'group': group,
        'split-stderr': not combine_stderr,
    }


def _stdin_source(stdin: Any, encoding: str | None) -> Any:
    """*stdin* as a readable file (data becomes an in-memory one), or ``None``."""
    if stdin is None or (not isinstance(stdin, (str, bytes)) and hasattr(stdin, 'read')):
        return stdin
    if isinstance(stdin, str):
        if encoding is None:
            raise ValueError('encoding must be set if stdin is str')
        return io.BytesIO(stdin.encode(encoding))
    if isinstance(stdin, bytes):
        if encoding is not None:
            raise ValueError('encoding must be None if stdin is bytes')
        return io.BytesIO(stdin)
    raise TypeError('stdin must be str, bytes, or a readable file-like object')


def _connect_all(client: Client, task_id: str, change_id: ChangeID,
                 combine_stderr: bool) -> list[_WebSocket]:
    """The control, stdio and (unless combined) stderr websockets of the task.

    If one cannot be opened, those already open are closed and the change's own error (the
    command could not start) is raised if it has one.
    """
    names = ['control', 'stdio'] if combine_stderr else ['control', 'stdio', 'stderr']
    opened: list[_WebSocket] = []
    try:
        for name in names:
            opened.append(client._connect_websocket(task_id, name))
    except websocket.WebSocketException as e:
        for ws in opened:
            ws.shutdown()
        change = client.wait_change(change_id)
        if change.err:
            raise ChangeError(change.err, change) from e
        raise ConnectionError(f'unexpected error connecting to websockets: {e}') from e
    return opened


def start_exec(client: Client, span: Any, command: list[str], *,
               service_context: str | None, environment: dict[str, str] | None,
               working_dir: str | pathlib.PurePath | None, timeout: float | None,
               user_id: int | None, user: str | None, group_id: int | None, group: str | None,
               stdin: Any, stdout: Any, stderr: Any, encoding: str | None,
               combine_stderr: bool) -> ExecProcess[Any]:
    """Start *command* through *client* (see :meth:`Client.exec`) and wire up its streams."""
    if not isinstance(command, list) or not all(isinstance(arg, str) for arg in command):
        raise TypeError(f'command must be a list of str, not {type(command).__name__}')
    if not command:
        raise ValueError('command must contain at least one item')
    span.set_attribute('executable', command[0])
    stdin = _stdin_source(stdin, encoding)
    if combine_stderr and stderr is not None:
        raise ValueError('stderr must be None if combine_stderr is True')
    body = _exec_body(command, service_context, environment, working_dir, timeout, user_id,
                      user, group_id, group, combine_stderr)
    resp = client._request('POST', '/v1/exec', body=body)
    change_id = ChangeID(resp['change'])
    sockets = _connect_all(client, resp['result']['task-id'], change_id, combine_stderr)
    control_ws, stdio_ws = sockets[0], sockets[1]
    stderr_ws = sockets[2] if len(sockets) > 2 else None

    def text(stream: io.BufferedIOBase) -> IO[Any]:
        if encoding is None:
            return cast('IO[bytes]', stream)
        return io.TextIOWrapper(cast('IO[bytes]', stream), encoding=encoding, newline='')

    threads: list[threading.Thread] = []
    cancel_stdin: Callable[[], None] | None = None
    cancel_reader: int | None = None
    process_stdin = process_stdout = process_stderr = None
    if stdin is not None:
        if _has_fileno(stdin):
            cancel_reader, cancel_writer = os.pipe()

            def cancel() -> None:
                os.write(cancel_writer, b'x')
                os.close(cancel_writer)

            cancel_stdin = cancel

        threads.append(_daemon(_reader_to_websocket, stdin, stdio_ws, encoding, cancel_reader))
    else:
        process_stdin = text(_WebsocketWriter(stdio_ws))
    if stdout is not None:
        threads.append(_daemon(_websocket_to_writer, stdio_ws, stdout, encoding))
    else:
        process_stdout = text(_WebsocketReader(stdio_ws))
    if stderr_ws is not None:
        if stderr is not None:
            threads.append(_daemon(_websocket_to_writer, stderr_ws, stderr, encoding))
        else:
            process_stderr = text(_WebsocketReader(stderr_ws))
    return ExecProcess[Any](
        stdin=process_stdin, stdout=process_stdout, stderr=process_stderr, client=client,
        timeout=timeout, control_ws=control_ws, stdio_ws=stdio_ws, stderr_ws=stderr_ws,
        command=command, encoding=encoding, change_id=change_id, cancel_stdin=cancel_stdin,
        cancel_reader=cancel_reader, threads=threads,
    )
