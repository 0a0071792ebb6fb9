"""The exec side of tests/pebbleserver.py: the processes that websockets feed and read.

A command starts once the client has opened all its websockets (control, stdio and, unless
stderr is combined, stderr), runs as a real process, and its change finishes when it exits
or outlives its timeout, as in Pebble.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The websocket end is the workload manager's own; where the real ops runs these tests,
# reactops is not installed, so the repository goes on the path.
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
from reactops.localmodel._workload._websocket import Websocket  # noqa: E402

if TYPE_CHECKING:
    from pebbleserver import PebbleServer

def seconds(duration: str) -> float:
    """A duration as the clients send it ('1.500s') in seconds."""
    return float(duration.rstrip('s'))


class Exec:
    """One exec change: the process starts once the client has opened its websockets."""

    def __init__(self, server: PebbleServer, change_id: str, body: dict[str, Any]):
        self.server = server
        self.change_id = change_id
        self.body = body
        self.wanted = {'control', 'stdio'} | ({'stderr'} if body['split-stderr'] else set())
        self.sockets: dict[str, Websocket] = {}
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.started = threading.Event()
        self.finished = threading.Event()
        self.timed_out = False
        self.aborted = False

    def attach(self, name: str, ws: Websocket) -> None:
        with self.lock:
            self.sockets[name] = ws
            ready = set(self.sockets) == self.wanted
        if ready:
            self.start()
        self.started.wait(10)
        if name == 'control':
            self.serve_control(ws)
        elif name == 'stdio':
            self.serve_stdin(ws)
        else:  # stderr only carries output: keep its connection open until the end
            self.finished.wait(60)

    def start(self) -> None:
        body = self.body
        service = {}
        if body.get('service-context'):  # the service's environment and directory, overridable
            service = self.server.plan().get('services', {}).get(body['service-context'], {})
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
               **(service.get('environment') or {}), **body['environment']}
        error = None
        with self.lock:
            if self.aborted:  # before its websockets were all open
                error = self.aborted_error()
            else:
                try:
                    self.process = subprocess.Popen(
                        body['command'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE if body['split-stderr'] else subprocess.STDOUT,
                        cwd=body['working-dir'] or service.get('working-dir') or None, env=env)
                except OSError as e:
                    error = f'cannot start command: {e}'
        if error is not None:
            self.server.finish(self.change_id, err=error)
            self.started.set()
            self.finished.set()
            return
        self.started.set()
        if body.get('timeout'):
            killer = threading.Timer(seconds(body['timeout']), self.time_out)
            killer.daemon = True
            killer.start()
        pumps = [threading.Thread(target=self.pump, args=(self.process.stdout, 'stdio'))]
        if body['split-stderr']:
            pumps.append(threading.Thread(target=self.pump, args=(self.process.stderr, 'stderr')))
        for pump in pumps:
            pump.start()
        threading.Thread(target=self.reap, args=(pumps,), daemon=True).start()

    def pump(self, stream: Any, name: str) -> None:
        while chunk := stream.read1(4096):
            self.sockets[name].send(chunk)
        self.sockets[name].send('{"command":"end"}')

    def abort(self) -> None:
        """Kill the command of an aborted change (or keep it from starting)."""
        with self.lock:
            self.aborted = True
            if self.process is None:
                return
        self.process.kill()

    def aborted_error(self) -> str:
        return ('cannot perform the following tasks:\n- Execute command '
                f'"{self.body["command"][0]}" (task aborted)')

    def time_out(self) -> None:
        """Pebble kills a command that outlives its timeout; the change then fails."""
        assert self.process is not None
        if self.process.poll() is None:
            self.timed_out = True
            self.process.kill()

    def reap(self, pumps: list[threading.Thread]) -> None:
        assert self.process is not None
        code = self.process.wait()
        for pump in pumps:
            pump.join()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        if self.aborted:
            self.server.finish(self.change_id, err=self.aborted_error())
        elif self.timed_out:
            self.server.finish(self.change_id, err=(
                'cannot perform the following tasks:\n- Execute command '
                f'"{self.body["command"][0]}" (timed out after '
                f'{seconds(self.body["timeout"]):g}s: context deadline exceeded)'))
        else:
            self.server.finish(self.change_id, data={'exit-code': code})
        self.finished.set()

    def serve_stdin(self, ws: Websocket) -> None:
        while (message := ws.recv()) is not None:
            if self.process is None or self.process.stdin is None:
                continue
            if isinstance(message, str):
                if json.loads(message).get('command') == 'end':
                    self.process.stdin.close()
                continue
            try:
                self.process.stdin.write(message)
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

    def serve_control(self, ws: Websocket) -> None:
        import signal

        while (message := ws.recv()) is not None:
            command = json.loads(message)
            if command.get('command') == 'signal' and self.process is not None:
                self.process.send_signal(getattr(signal, command['signal']['name']))
