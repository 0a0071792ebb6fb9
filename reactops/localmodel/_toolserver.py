"""The running model answers its hooks' tool calls, as a Juju unit agent does.

A hook tool run as its own program pays for an interpreter with SQLite, JSON and regular
expressions loaded, and for opening the model file: about 27 ms of CPU per call, several
calls per hook. While a command runs hooks, :class:`ToolServer` listens on a Unix socket
(0600, in a 0700 folder) and runs each call the thin client (``_toolclient``) sends with
the very same code (``_tool.run``), on one SQLite connection kept open for the command.
Who is asking is still decided by the hook token in the call's environment.

Calls are answered one at a time, in the order they arrive (a hook makes its calls one
after the other; the model runs one hook at a time).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from pathlib import Path

from .._private.toolwire import PROTOCOL, decode, encode
from . import _tool

__all__ = ['ToolServer', 'socket_path_for']

SOCKET_NAME = 'tools.sock'

#: The most a call may send (arguments, environment and standard input together).
MAX_REQUEST = 64 * 1024 * 1024
#: How long a connected client may take to send its call.
CLIENT_TIMEOUT = 60.0


def socket_path_for(model_dir: Path) -> Path:
    """Where the model in *model_dir* listens: in its folder when the path fits a Unix
    socket address, else in the model's private folder in the temporary directory."""
    from . import _managers

    path = model_dir.resolve() / SOCKET_NAME
    if len(os.fsencode(path)) <= _managers.SOCKET_PATH_MAX:
        return path
    private = _managers.private_base(model_dir)
    _managers.make_private(private)
    return private / SOCKET_NAME


class ToolServer:
    """Answer hook-tool calls for the model file *db_path* on the socket *socket_path*."""

    def __init__(self, db_path: Path, socket_path: Path):
        self.db_path = db_path
        self.socket_path = socket_path
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Listen, and answer calls in a background thread until :meth:`stop`."""
        if self._thread is not None:
            return
        try:
            self.socket_path.unlink()  # left by a command that was killed
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(str(self.socket_path))
        finally:
            os.umask(old_umask)
        listener.listen(16)
        listener.settimeout(0.5)  # how soon the thread sees stop() at the latest
        self._listener = listener
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name='reactops-tool-server',
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening, wait for the call in progress, remove the socket."""
        thread, listener = self._thread, self._listener
        if thread is None or listener is None:
            return
        self._stopping.set()
        try:  # wake the accept() now rather than at its next timeout
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
                wake.connect(str(self.socket_path))
        except OSError:
            pass
        thread.join()
        listener.close()
        self._thread = self._listener = None
        try:
            self.socket_path.unlink()
        except FileNotFoundError:
            pass

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _serve(self) -> None:
        assert self._listener is not None
        db = _tool.connect(self.db_path)
        try:
            while not self._stopping.is_set():
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    if self._stopping.is_set():
                        return
                    self._answer(conn, db)
        finally:
            db.close()

    def _answer(self, conn: socket.socket, db: sqlite3.Connection) -> None:
        conn.settimeout(CLIENT_TIMEOUT)
        try:
            data = _receive(conn)
            argv, caller = _parse(data)
        except (OSError, ValueError, IndexError) as e:
            _send(conn, 1, b'', f'ERROR bad hook tool call: {e}\n'.encode())
            return
        try:
            code, out, err = _tool.run(argv, caller, db)
        except Exception as e:  # a bug in a tool: the hook sees it, the server lives on
            if db.in_transaction:
                db.execute('ROLLBACK')
            code, out, err = 1, '', f'ERROR {os.path.basename(argv[0])} failed: {e!r}\n'
        _send(conn, code, out.encode('utf-8', 'surrogateescape'),
              err.encode('utf-8', 'surrogateescape'))


def _receive(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return b''.join(chunks)
        size += len(chunk)
        if size > MAX_REQUEST:
            raise ValueError(f'more than {MAX_REQUEST} bytes')
        chunks.append(chunk)


def _parse(data: bytes) -> tuple[list[str], _tool.Caller]:
    items = list(decode(data))
    if not items or items[0] != PROTOCOL:
        raise ValueError('not a reactops hook tool client')
    at = 1
    argc = int(items[at])
    argv = [os.fsdecode(item) for item in items[at + 1:at + 1 + argc]]
    at += 1 + argc
    cwd = os.fsdecode(items[at])
    envc = int(items[at + 1])
    env: dict[str, str] = {}
    for item in items[at + 2:at + 2 + envc]:
        name, _, value = os.fsdecode(item).partition('=')
        env[name] = value
    stdin = items[at + 2 + envc]
    if not argv or len(items) != at + 3 + envc:
        raise ValueError('incomplete call')
    return argv, _tool.Caller(env, cwd, lambda: stdin.decode('utf-8', 'surrogateescape'))


def _send(conn: socket.socket, code: int, out: bytes, err: bytes) -> None:
    try:
        conn.sendall(encode([b'%d' % code, out, err]))
    except OSError:  # the client is gone (killed with its hook): nothing to tell it
        pass
