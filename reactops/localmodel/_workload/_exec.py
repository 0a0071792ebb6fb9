"""``exec``: a command run as a real process, its input and output on websockets.

``POST /v1/exec`` makes an exec change and answers at once with its task ID; the client then
opens the task's websockets (``control``, ``stdio`` and, with ``split-stderr``, ``stderr``).
The process starts when its I/O websockets are open, as in Pebble; its output is sent as
binary messages followed by ``{"command":"end"}``; the change finishes once the process has
exited and all its output is sent, with the exit code in the task's data (``exit-code``),
where clients read it. A ``timeout`` kills the process and fails the change. Without a pty,
a ``terminal`` exec runs like one with stderr combined into stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from ..._private import yaml as safe_yaml
from ._errors import APIError
from ._files import FileError, ownership
from ._timefmt import go_duration, parse_go_duration
from ._websocket import Websocket

if TYPE_CHECKING:
    from ._engine import Workload

__all__ = ['Execs']

#: How long Pebble waits for the client to open the I/O websockets of a new exec.
CONNECT_TIMEOUT = 10.0
_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def _context(workload: Workload, body: Mapping[str, Any]) -> dict[str, Any]:
    """The request merged over its ``service-context`` service (environment, working
    directory, user and group), as Pebble merges them."""
    name = body.get('service-context') or ''
    merged: dict[str, Any] = {'environment': {}}
    if name:
        plan = safe_yaml.safe_load(workload.plan_yaml()) or {}
        service = (plan.get('services') or {}).get(name)
        if service is None:
            raise APIError(400, f'context service "{name}" not found')
        merged['environment'].update(service.get('environment') or {})
        for key in ('working-dir', 'user', 'user-id', 'group', 'group-id'):
            if service.get(key) not in (None, ''):
                merged[key] = service[key]
    merged['environment'].update(body.get('environment') or {})
    for key in ('working-dir', 'user', 'group'):
        if body.get(key):
            merged[key] = body[key]
    for key in ('user-id', 'group-id'):
        if body.get(key) is not None:
            merged[key] = body[key]
    return merged


class Exec:
    """One exec: its change and task, its websockets, and (once started) its process."""

    def __init__(self, workload: Workload, change_id: str, task_id: str,
                 body: Mapping[str, Any], argv: list[str], env: dict[str, str], cwd: str,
                 owner: tuple[int, int] | None, timeout: float | None):
        self.workload = workload
        self.change_id = change_id
        self.task_id = task_id
        self.command = list(body['command'])
        self.split = bool(body.get('split-stderr'))
        self.argv, self.env, self.cwd, self.owner, self.timeout = argv, env, cwd, owner, timeout
        self.sockets: dict[str, Websocket] = {}
        self.lock = threading.Lock()
        self.io_ready = threading.Event()
        self.finished = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.aborted = False

    @property
    def names(self) -> set[str]:
        return {'control', 'stdio'} | ({'stderr'} if self.split else set())

    def attach(self, name: str, ws: Websocket) -> None:
        """Serve websocket *name* until the exec is over (on the request's thread)."""
        with self.lock:
            self.sockets[name] = ws
            if {'stdio', 'stderr'} & self.names <= set(self.sockets):
                self.io_ready.set()
        if name == 'control':
            self._serve_control(ws)
        elif name == 'stdio':
            self._serve_stdin(ws)
        self.finished.wait()

    def run(self) -> None:
        """The exec's own thread: wait for the websockets, run, report, close."""
        try:
            self.workload.on_abort(self.change_id, self.abort)
            if not self.io_ready.wait(CONNECT_TIMEOUT):
                self._finish(f'exec {self.task_id}: timeout waiting for websocket '
                             'connections: context deadline exceeded', -1)
                return
            self._run_process()
        finally:
            for ws in list(self.sockets.values()):
                ws.close()
            self.finished.set()

    def _finish(self, error: str, code: int) -> None:
        self.workload.finish_change(self.change_id, error=error, data={'exit-code': code})

    def _run_process(self) -> None:
        with self.lock:
            if self.aborted:
                self._finish('task aborted', -1)
                return
            try:
                self.process = subprocess.Popen(
                    self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE if self.split else subprocess.STDOUT,
                    cwd=self.cwd, env=self.env, start_new_session=True,
                    user=self.owner[0] if self.owner else None,
                    group=self.owner[1] if self.owner else None)
            except OSError as e:
                self._finish(f'cannot start command: {e.strerror or e}', -1)
                return
        process = self.process
        assert process.stdout is not None
        pumps = [threading.Thread(target=self._pump, args=(process.stdout, 'stdio'),
                                  daemon=True)]
        if self.split:
            assert process.stderr is not None
            pumps.append(threading.Thread(target=self._pump, args=(process.stderr, 'stderr'),
                                          daemon=True))
        for pump in pumps:
            pump.start()
        timed_out = False
        try:
            code = process.wait(self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill()
            code = process.wait()
        for pump in pumps:
            pump.join()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        if self.aborted:
            self._finish('task aborted', -1)
        elif timed_out:
            assert self.timeout is not None
            self._finish(f'timed out after {go_duration(self.timeout)}: context deadline '
                         'exceeded', -1)
        else:
            self._finish('', code)

    def _pump(self, stream: IO[bytes], name: str) -> None:
        ws = self.sockets[name]
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            ws.send(chunk)
        ws.send('{"command":"end"}')

    def _kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass

    def abort(self) -> None:
        """The change was aborted: kill the process (or keep it from starting)."""
        with self.lock:
            self.aborted = True
        self.io_ready.set()
        self._kill()

    def _serve_stdin(self, ws: Websocket) -> None:
        while (message := ws.recv()) is not None:
            process = self.process
            if isinstance(message, str):
                if _command(message).get('command') == 'end' and process and process.stdin:
                    process.stdin.close()
                continue
            if process is None:
                self._wait_started()
                process = self.process
            if process is None or process.stdin is None or process.stdin.closed:
                continue
            try:
                process.stdin.write(message)
                process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

    def _wait_started(self) -> None:
        # stdin can arrive before stderr's websocket opens; it waits for the process.
        self.io_ready.wait(CONNECT_TIMEOUT)
        for _ in range(100):
            if self.process is not None or self.finished.wait(0.01):
                return

    def _serve_control(self, ws: Websocket) -> None:
        while (message := ws.recv()) is not None:
            command = _command(message if isinstance(message, str) else message.decode())
            name = (command.get('signal') or {}).get('name', '')
            process = self.process
            if command.get('command') != 'signal' or process is None:
                continue  # terminal resizes have no terminal to resize here
            number = getattr(signal, name, None) if name.startswith('SIG') else None
            if isinstance(number, signal.Signals):
                try:
                    process.send_signal(number)
                except OSError:
                    pass


def _command(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class Execs:
    """The execs of one workload manager, by task ID."""

    def __init__(self, workload: Workload):
        self.workload = workload
        self._execs: dict[str, Exec] = {}
        self._lock = threading.Lock()

    def start(self, body: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Check an exec request and make its change; the change ID and Pebble's result."""
        command = body.get('command')
        if not isinstance(command, list) or not command or \
                not all(isinstance(a, str) for a in command):
            raise APIError(400, 'must specify command')
        timeout = None
        if body.get('timeout'):
            try:
                timeout = parse_go_duration(str(body['timeout']))
            except ValueError as e:
                raise APIError(400, f'invalid timeout: {e}') from None
        context = _context(self.workload, body)
        try:
            owner = ownership(context)
        except FileError as e:
            raise APIError(400, e.message) from None
        env = self.workload.host_env(context['environment'])
        env.setdefault('PATH', _DEFAULT_PATH)
        env.setdefault('LANG', 'C.UTF-8')
        argv = self.workload.host_command(command)
        if shutil.which(argv[0], path=env['PATH']) is None:
            raise APIError(400, f'cannot find executable "{command[0]}"')
        working_dir = context.get('working-dir') or ''
        cwd = str(self.workload.container_path(working_dir) if working_dir
                  else self.workload.fs)
        change_id = self.workload.new_change('exec', f'Execute command "{command[0]}"')
        task_id = self.workload.change(change_id)['tasks'][0]['id']
        run = Exec(self.workload, change_id, task_id, body, argv, env, cwd, owner, timeout)
        with self._lock:
            self._execs[task_id] = run
        threading.Thread(target=run.run, name=f'exec-{task_id}', daemon=True).start()
        return change_id, {'environment': env, 'task-id': task_id,
                           'working-dir': working_dir}

    def connect(self, task_id: str, name: str) -> Exec:
        """The exec whose websocket *name* a client opens (404s as Pebble's)."""
        with self._lock:
            run = self._execs.get(task_id)
        if run is None:
            raise APIError(404, f'cannot find task "{task_id}"', 'not-found')
        if name not in run.names:
            raise APIError(404, f'cannot find {name} websocket for task "{task_id}"',
                           'not-found')
        if name in run.sockets:
            raise APIError(500, f'{name} websocket already connected')
        return run

    def shutdown(self) -> None:
        """Kill every running command and wait (briefly) for their changes to finish."""
        with self._lock:
            runs = list(self._execs.values())
        for run in runs:
            run.abort()
        for run in runs:
            run.finished.wait(5)
