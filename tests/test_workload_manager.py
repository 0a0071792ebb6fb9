"""The workload manager as the local model runs it: a daemon process on a Unix socket,
driven by a Pebble client as a charm would drive Pebble.

Each test starts ``python -m reactops.localmodel._workload --root DIR`` in its tmp folder
and acts through the client; services, checks and execs are real processes. The client is
:mod:`reactops.pebble` unless ``$REACTOPS_PEBBLE_CLIENT`` names another module:
``tests/compat/test_compat_workload.py`` runs this module under the real ops (where reactops
is not installed, so nothing here imports it; the daemon runs on the interpreter named by
``$REACTOPS_WORKLOAD_PYTHON`` with the repository on its path).
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

CLIENT_ENV = 'REACTOPS_PEBBLE_CLIENT'
PYTHON_ENV = 'REACTOPS_WORKLOAD_PYTHON'
REPO = Path(__file__).resolve().parents[1]

if TYPE_CHECKING:
    from reactops import pebble
else:
    pebble = importlib.import_module(os.environ.get(CLIENT_ENV) or 'reactops.pebble')

DAEMON_PYTHON = os.environ.get(PYTHON_ENV) or sys.executable
WAIT = 30.0  # generous: a loaded 2-core machine


def eventually(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll *condition* until it gives a true value; fail naming *what* after *timeout*."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'timed out waiting for {what}')
        time.sleep(0.02)


def processes_of(fs: Path) -> list[int]:
    """The live processes the manager started (each has PEBBLE_CONTAINER_ROOT=<fs>)."""
    marker = f'PEBBLE_CONTAINER_ROOT={fs}\0'.encode()
    found = []
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b'State:\tZ' in (entry / 'status').read_bytes():
                continue
            if marker in (entry / 'environ').read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@dataclass
class Manager:
    """One running workload manager and what a test needs of it."""

    root: Path
    process: subprocess.Popen[bytes]
    socket: str

    @property
    def fs(self) -> Path:
        return self.root / 'fs'

    def client(self) -> pebble.Client:
        return pebble.Client(socket_path=self.socket)

    def http(self, path: str, method: str = 'GET') -> tuple[int, bytes]:
        """A raw request: status and body."""
        connection = UnixHTTPConnection(self.socket)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(WAIT)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__('localhost', timeout=WAIT)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(WAIT)
        self.sock.connect(self.path)


@pytest.fixture
def sockets() -> Iterator[Path]:
    """A short folder for sockets: a Unix socket's path is limited to ~107 bytes, and
    pytest's tmp folders can be longer (as the local model, tests give ``--socket``)."""
    folder = Path(tempfile.mkdtemp(prefix='wm-'))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def start_manager(root: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, 'PYTHONPATH': str(REPO)}
    env.pop(CLIENT_ENV, None)
    return subprocess.Popen([DAEMON_PYTHON, '-m', 'reactops.localmodel._workload',
                             '--root', str(root), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_listening(root: Path, process: subprocess.Popen[bytes]) -> None:
    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f'the manager exited with {process.returncode}: '
                        f'{process.stderr.read().decode() if process.stderr else ""}')
        return (root / 'manager.pid').exists()
    eventually(ready, 'the manager to listen')


@pytest.fixture
def manager(tmp_path: Path, sockets: Path) -> Iterator[Manager]:
    root = tmp_path / 'c'
    process = start_manager(root, '--socket', str(sockets / 'pebble.socket'))
    try:
        wait_listening(root, process)
        yield Manager(root, process, str(sockets / 'pebble.socket'))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        code = process.wait(WAIT)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        assert code == 0, f'the manager exited with {code}'
        assert processes_of(root / 'fs') == []


@pytest.fixture
def client(manager: Manager) -> pebble.Client:
    return manager.client()


SERVER = 'import http.server, sys; http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), ' \
    'http.server.SimpleHTTPRequestHandler).serve_forever()'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# --- the daemon's life --------------------------------------------------------------------


def test_the_pid_file_names_the_daemon_and_the_socket_is_private(manager: Manager,
                                                                 client: pebble.Client) -> None:
    assert (manager.root / 'manager.pid').read_text().strip() == str(manager.process.pid)
    assert os.stat(manager.socket).st_mode & 0o777 == 0o600
    assert os.getsid(manager.process.pid) == manager.process.pid
    assert client.get_system_info().version
    assert manager.stop() == 0
    assert not (manager.root / 'manager.pid').exists()
    assert not Path(manager.socket).exists()


def test_a_second_manager_on_a_served_socket_is_refused(manager: Manager) -> None:
    second = start_manager(manager.root, '--socket', manager.socket)
    out, err = second.communicate(timeout=WAIT)
    assert second.returncode == 2
    assert b'another manager already serves' in err
    assert manager.client().get_system_info().version  # the first one still serves


def test_a_stale_socket_file_is_replaced(tmp_path: Path, sockets: Path) -> None:
    root, path = tmp_path / 'c', str(sockets / 'pebble.socket')
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(path)  # left behind; nobody listens
    process = start_manager(root, '--socket', path)
    try:
        wait_listening(root, process)
        assert pebble.Client(socket_path=path).get_system_info()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def test_sigterm_stops_every_service_and_exec(manager: Manager, client: pebble.Client) -> None:
    client.add_layer('l', {'services': {'sleeper': {
        'override': 'replace', 'command': 'sleep 600', 'startup': 'enabled'}}})
    client.replan_services()
    process = client.exec(['sleep', '600'])
    eventually(lambda: len(processes_of(manager.fs)) == 2, 'the service and the exec')
    assert manager.stop() == 0
    assert processes_of(manager.fs) == []
    with pytest.raises(Exception):  # noqa: B017 - the exec's change is gone with the daemon
        process.wait()


def test_the_daemon_exits_when_its_folder_disappears(manager: Manager,
                                                     client: pebble.Client) -> None:
    client.add_layer('l', {'services': {'sleeper': {
        'override': 'replace', 'command': 'sleep 600', 'startup': 'enabled'}}})
    client.replan_services()
    eventually(lambda: processes_of(manager.fs), 'the service')
    fs = manager.fs
    subprocess.run(['rm', '-rf', str(manager.root)], check=True)
    assert manager.process.wait(WAIT) == 0
    assert processes_of(fs) == []


# --- plan and services --------------------------------------------------------------------


def test_services_are_real_processes_started_stopped_and_restarted(
        manager: Manager, client: pebble.Client) -> None:
    client.add_layer('base', {'services': {
        'web': {'override': 'replace', 'command': 'sleep 600', 'startup': 'enabled'},
        'worker': {'override': 'replace', 'command': 'sleep 601'}}})
    assert 'sleep 601' in client.get_plan().to_yaml()
    client.replan_services()
    status = {s.name: s.is_running() for s in client.get_services()}
    assert status == {'web': True, 'worker': False}
    pids = processes_of(manager.fs)
    assert len(pids) == 1

    client.start_services(['worker'])
    assert len(processes_of(manager.fs)) == 2
    client.restart_services(['web'])
    after = processes_of(manager.fs)
    assert len(after) == 2 and pids[0] not in after
    client.stop_services(['web', 'worker'])
    assert not any(s.is_running() for s in client.get_services())
    eventually(lambda: processes_of(manager.fs) == [], 'the services to be gone')


def test_bad_layers_and_unknown_services_are_api_errors(client: pebble.Client) -> None:
    with pytest.raises(pebble.APIError) as excinfo:
        client.add_layer('bad', 'services: [not, a, map]')
    assert excinfo.value.code == 400
    with pytest.raises(pebble.APIError) as excinfo:
        client.start_services(['nope'])
    assert excinfo.value.code == 400
    assert 'nope' in excinfo.value.message
    with pytest.raises(pebble.APIError) as excinfo:
        client.get_change(pebble.ChangeID('999'))
    assert (excinfo.value.code, excinfo.value.message) == (
        404, 'cannot find change with id "999"')


def test_unknown_routes_get_pebbles_404(manager: Manager) -> None:
    status, body = manager.http('/v1/nothing-here')
    assert status == 404
    assert json.loads(body) == {'type': 'error', 'status-code': 404, 'status': 'Not Found',
                                'result': {'message': 'invalid API endpoint requested'}}


def test_a_closing_answer_still_reads_the_rest_of_a_chunked_body(manager: Manager) -> None:
    # A client that says "Connection: close" and sends its push in chunks may still be
    # sending the last, empty chunk when the answer is ready: it must not get EPIPE.
    meta = json.dumps({'action': 'write', 'files': [{'path': '/late.txt'}]})
    form = ('--B\r\nContent-Type: application/json\r\n'
            'Content-Disposition: form-data; name="request"\r\n\r\n' + meta + '\r\n'
            '--B\r\nContent-Type: application/octet-stream\r\n'
            'Content-Disposition: form-data; name="files"; filename="/late.txt"\r\n\r\n'
            'hello\r\n--B--\r\n').encode()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(WAIT)
        sock.connect(manager.socket)
        sock.sendall(b'POST /v1/files HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n'
                     b'Content-Type: multipart/form-data; boundary=B\r\n'
                     b'Transfer-Encoding: chunked\r\n\r\n'
                     + b'%x\r\n' % len(form) + form + b'\r\n')
        time.sleep(0.3)
        sock.sendall(b'0\r\n\r\n')  # EPIPE here if the server closed without reading
        answer = b''
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b'HTTP/1.1 200') or answer.startswith(b'HTTP/1.0 200'), answer
    assert (manager.fs / 'late.txt').read_text() == 'hello'


def test_service_logs_are_served_as_json_lines(manager: Manager,
                                               client: pebble.Client) -> None:
    client.add_layer('l', {'services': {'talker': {
        'override': 'replace', 'command': 'sh -c "echo one; echo two; sleep 600"'}}})
    client.start_services(['talker'])

    def lines() -> list[dict[str, Any]]:
        status, body = manager.http('/v1/logs?services=talker&n=10')
        assert status == 200
        return [json.loads(line) for line in body.splitlines()]
    found = eventually(lambda: len(lines()) == 2 and lines(), 'two log lines')
    assert [(e['service'], e['message']) for e in found] == [
        ('talker', 'one\n'), ('talker', 'two\n')]
    status, body = manager.http('/v1/logs?n=-5')
    assert status == 400
    assert json.loads(body)['result']['message'] == 'n must be -1, 0, or a positive integer'


# --- checks, health and notices -----------------------------------------------------------


def test_a_tcp_check_goes_down_when_its_service_stops(manager: Manager,
                                                      client: pebble.Client) -> None:
    port = free_port()
    client.add_layer('l', {
        'services': {'web': {'override': 'replace', 'startup': 'enabled',
                             'command': f"python3 -c '{SERVER}' {port}"}},
        'checks': {'up': {'override': 'replace', 'level': 'alive', 'period': '0.2s',
                          'timeout': '0.5s', 'threshold': 1,
                          'tcp': {'port': port, 'host': '127.0.0.1'}}}})
    client.replan_services()
    eventually(lambda: client.get_checks()[0].status == pebble.CheckStatus.UP
               and client.get_checks()[0].successes, 'the check to succeed')
    assert manager.http('/v1/health?level=alive')[0] == 200

    client.stop_services(['web'])
    eventually(lambda: client.get_checks()[0].status == pebble.CheckStatus.DOWN,
               'the check to go down')
    status, body = manager.http('/v1/health')
    assert (status, json.loads(body)['result']) == (502, {'healthy': False})
    changes = client.get_notices(types=[pebble.NoticeType.CHANGE_UPDATE])
    assert changes, 'a failing check changes its change, with a notice of it'


def test_custom_notices_are_recorded_filtered_and_waited_for(manager: Manager,
                                                            client: pebble.Client) -> None:
    first = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'k': 'v'})
    client.notify(pebble.NoticeType.CUSTOM, 'example.com/b')
    again = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a')
    assert again == first
    notice = client.get_notice(first)
    assert (notice.key, notice.occurrences) == ('example.com/a', 2)
    keys = [n.key for n in client.get_notices(keys=['example.com/b'])]
    assert keys == ['example.com/b']
    # Oldest repeat first: 'a' occurred again after 'b'.
    assert [n.key for n in client.get_notices(types=[pebble.NoticeType.CUSTOM])] == [
        'example.com/b', 'example.com/a']
    with pytest.raises(pebble.APIError) as excinfo:
        client.notify(pebble.NoticeType.CUSTOM, 'no-domain')
    assert excinfo.value.code == 400
    with pytest.raises(pebble.APIError) as excinfo:
        client.get_notice('12345')
    assert excinfo.value.code == 404

    started = time.monotonic()
    status, body = manager.http('/v1/notices?keys=example.com/c&timeout=0.3s')
    assert (status, json.loads(body)['result']) == (200, [])
    assert time.monotonic() - started >= 0.25


# --- exec ---------------------------------------------------------------------------------


def test_exec_feeds_stdin_and_returns_output(client: pebble.Client) -> None:
    process = client.exec(['cat'], stdin='hello\n')
    assert process.wait_output() == ('hello\n', '')
    process = client.exec(['sh', '-c', 'echo out; echo err >&2; exit 0'])
    assert process.wait_output() == ('out\n', 'err\n')
    process = client.exec(['sh', '-c', 'echo out; echo err >&2'], combine_stderr=True)
    out, _ = process.wait_output()
    assert sorted(out.splitlines()) == ['err', 'out']


def test_exec_streams_output_as_it_comes(client: pebble.Client) -> None:
    process = client.exec(['sh', '-c', 'for i in 1 2 3; do echo line $i; done'],
                          encoding='utf-8')
    assert process.stdout is not None
    assert [line for line in process.stdout] == ['line 1\n', 'line 2\n', 'line 3\n']
    process.wait()


def test_exec_exit_codes_timeouts_and_missing_programs(client: pebble.Client) -> None:
    with pytest.raises(pebble.ExecError) as excinfo:
        client.exec(['sh', '-c', 'echo why >&2; exit 3']).wait_output()
    assert (excinfo.value.exit_code, excinfo.value.stderr) == (3, 'why\n')
    with pytest.raises(pebble.ChangeError) as change_error:
        client.exec(['sleep', '10'], timeout=0.3).wait()
    assert 'timed out after 300ms' in change_error.value.err
    with pytest.raises(pebble.APIError) as excinfo:
        client.exec(['no-such-program-here'])
    assert excinfo.value.message == 'cannot find executable "no-such-program-here"'


def test_exec_environment_working_dir_and_service_context(manager: Manager,
                                                          client: pebble.Client) -> None:
    client.make_dir('/srv/app', make_parents=True)
    client.add_layer('l', {'services': {'app': {
        'override': 'replace', 'command': 'sleep 600', 'working-dir': '/srv/app',
        'environment': {'COLOUR': 'blue', 'SIZE': 'small'}}}})
    out, _ = client.exec(['sh', '-c', 'pwd; echo $COLOUR $SIZE'], service_context='app',
                         environment={'SIZE': 'big'}).wait_output()
    assert out == f'{manager.fs / "srv/app"}\nblue big\n'
    out, _ = client.exec(['sh', '-c', 'pwd; echo $PEBBLE_CONTAINER_ROOT']).wait_output()
    assert out == f'{manager.fs}\n{manager.fs}\n'
    with pytest.raises(pebble.APIError) as excinfo:
        client.exec(['true'], service_context='nope')
    assert excinfo.value.message == 'context service "nope" not found'


def test_exec_signals_reach_the_process(client: pebble.Client) -> None:
    process = client.exec(['sh', '-c', 'trap "echo got; exit 7" TERM; echo ready; '
                           'while :; do sleep 0.05; done'], encoding='utf-8')
    assert process.stdout is not None
    assert process.stdout.readline() == 'ready\n'
    process.send_signal(signal.SIGTERM)
    with pytest.raises(pebble.ExecError) as excinfo:
        process.wait_output()
    assert excinfo.value.exit_code == 7


# --- files --------------------------------------------------------------------------------


def test_push_and_pull_text_and_binary_files(manager: Manager, client: pebble.Client) -> None:
    client.push('/etc/app/config.yaml', 'port: 80\n', make_dirs=True, permissions=0o600)
    assert client.pull('/etc/app/config.yaml').read() == 'port: 80\n'
    host = manager.fs / 'etc/app/config.yaml'
    assert host.stat().st_mode & 0o777 == 0o600
    blob = bytes(range(256)) * 1000
    client.push('/bin.dat', blob)
    assert client.pull('/bin.dat', encoding=None).read() == blob
    with pytest.raises(pebble.PathError) as excinfo:
        client.pull('/missing')
    assert excinfo.value.kind == 'not-found'
    with pytest.raises(pebble.PathError) as excinfo:
        client.push('/no/such/dir/file', 'x')
    assert excinfo.value.kind == 'not-found'


def test_list_make_dir_and_remove(client: pebble.Client) -> None:
    client.make_dir('/data/a/b', make_parents=True, permissions=0o750)
    client.push('/data/one.txt', '1')
    client.push('/data/two.log', '22')
    names = [f.name for f in client.list_files('/data')]
    assert names == ['a', 'one.txt', 'two.log']
    [log] = client.list_files('/data', pattern='*.log')
    assert (log.path, log.size, log.type) == ('/data/two.log', 2, pebble.FileType.FILE)
    [itself] = client.list_files('/data/a', itself=True)
    assert (itself.type, itself.permissions) == (pebble.FileType.DIRECTORY, 0o750)
    with pytest.raises(pebble.PathError):
        client.make_dir('/data/a')  # exists already
    with pytest.raises(pebble.PathError):
        client.remove_path('/data/a')  # not empty
    client.remove_path('/data/a', recursive=True)
    assert [f.name for f in client.list_files('/data')] == ['one.txt', 'two.log']
    with pytest.raises(pebble.APIError) as excinfo:
        client.list_files('/nowhere')
    assert excinfo.value.code == 404


def test_paths_that_leave_the_container_are_refused(manager: Manager,
                                                    client: pebble.Client) -> None:
    outside = manager.root / 'secret.txt'
    outside.write_text('not yours')
    (manager.fs / 'link').symlink_to(outside)
    (manager.fs / 'dirlink').symlink_to(manager.root)
    with pytest.raises(pebble.PathError) as excinfo:
        client.pull('/link')
    assert excinfo.value.kind == 'permission-denied'
    with pytest.raises(pebble.PathError):
        client.push('/dirlink/secret.txt', 'overwritten')
    with pytest.raises(pebble.PathError):
        client.pull('/../secret.txt')
    with pytest.raises(pebble.APIError) as excinfo:
        client.list_files('/dirlink')
    assert excinfo.value.code == 403
    assert outside.read_text() == 'not yours'
    client.remove_path('/link')  # the link itself goes; what it points to stays
    assert outside.exists()
