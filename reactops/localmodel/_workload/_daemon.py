"""The workload manager's life as a daemon process: start, serve, and always clean up.

``python -m reactops.localmodel._workload --root DIR [--socket PATH] [--name NAME]``:

- puts itself in its own session, logs to ``DIR/manager.log``;
- refuses to start (exit 2, the reason on stderr) when another manager answers on the
  socket; a socket file nobody listens on is stale and replaced;
- listens (socket mode 0600), and only then writes its pid to ``DIR/manager.pid``;
- on SIGTERM or SIGINT, or when a service asks for a shutdown, stops every service and
  command, removes the socket and the pid file and exits (0, or the code the service's
  ``shutdown`` asked for);
- exits the same way on its own when DIR disappears (checked every second), so a deleted
  model or a test's removed tmp folder never leaves it running.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from pathlib import Path

from ._engine import Workload
from ._routes import Api
from ._server import Server

__all__ = ['main']

logger = logging.getLogger('reactops.localmodel.workload')

#: How often the daemon looks whether its folder still exists (seconds).
WATCH_PERIOD = 1.0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m reactops.localmodel._workload',
        description="Serve Pebble's API for one container of a local model's unit.")
    parser.add_argument('--root', required=True, type=Path,
                        help='the container folder (DIR/fs is its filesystem)')
    parser.add_argument('--socket', type=Path, default=None,
                        help='the Unix socket to serve on (default: DIR/pebble.socket)')
    parser.add_argument('--name', default='', help="the container's name, for the log")
    return parser.parse_args(argv)


def _someone_listens(path: Path) -> bool:
    """Whether a process accepts connections on the socket at *path*."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _write_pid(path: Path) -> None:
    """Write this process's pid to *path* all at once (a reader never sees half of it)."""
    temporary = path.with_name(f'.{path.name}.{os.getpid()}')
    temporary.write_text(f'{os.getpid()}\n')
    os.replace(temporary, path)


class Daemon:
    """One running workload manager: its workload, its server, and why it should stop."""

    def __init__(self, root: Path, socket_path: Path, name: str, stop: threading.Event):
        self.root = root
        self.socket_path = socket_path
        self.name = name or root.name
        self.pid_file = root / 'manager.pid'
        self.stop = stop
        self.exit_code = 0
        self.workload = Workload(root, on_shutdown=self._shutdown_requested)
        self.api = Api(self.workload, boot_id=str(uuid.uuid4()))
        self.server = Server(socket_path, self.api)

    def _shutdown_requested(self, code: int) -> None:
        logger.info('a service asked for a shutdown (exit code %d)', code)
        self.exit_code = code
        self.stop.set()

    def serve(self) -> int:
        """Serve until told to stop; then clean up; the exit code."""
        thread = threading.Thread(target=self.server.serve_forever, args=(0.2,),
                                  name='workload-server', daemon=True)
        thread.start()
        _write_pid(self.pid_file)
        logger.info('workload manager for %s serving on %s (pid %d)', self.name,
                    self.socket_path, os.getpid())
        try:
            while not self.stop.wait(WATCH_PERIOD):
                if not self.root.is_dir():
                    logger.info('%s is gone: shutting down', self.root)
                    break
        finally:
            self.close()
            thread.join(5.0)
        return self.exit_code

    def close(self) -> None:
        """Stop serving, stop services and commands, remove the socket and the pid file."""
        self.api.stopping.set()
        self.server.shutdown()
        self.workload.shutdown()
        self.api.execs.shutdown()
        self.server.close()
        try:
            if self.pid_file.read_text().strip() == str(os.getpid()):
                self.pid_file.unlink()
        except OSError:
            pass
        logger.info('workload manager for %s stopped', self.name)


def main(argv: list[str] | None = None) -> int:
    """Run the workload manager; its exit code (2 when it cannot start)."""
    args = _arguments(argv)
    root = args.root.resolve()
    socket_path = (args.socket or root / 'pebble.socket').absolute()
    stop = threading.Event()
    # Handlers first: a SIGTERM that comes while starting still ends in a clean shutdown.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f'workload manager: cannot use {root}: {e.strerror}', file=sys.stderr)
        return 2
    logging.basicConfig(filename=root / 'manager.log', level=logging.INFO,
                        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    if _someone_listens(socket_path):
        print(f'workload manager: another manager already serves {socket_path}; stop it '
              'first (its pid is in manager.pid)', file=sys.stderr)
        return 2
    if socket_path.exists() or socket_path.is_symlink():
        logger.info('replacing the stale socket %s', socket_path)
        socket_path.unlink()
    try:
        daemon = Daemon(root, socket_path, args.name, stop)
    except OSError as e:
        print(f'workload manager: cannot listen on {socket_path}: {e.strerror or e}',
              file=sys.stderr)
        return 2
    return daemon.serve()
