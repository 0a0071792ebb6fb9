"""The Pebble client against a Pebble-speaking server on a Unix socket (tests/pebbleserver.py).

Each test arranges the workload's Pebble, acts through :class:`reactops.pebble.Client` as a
charm would, and asserts on what Pebble then holds or answered.
"""

from __future__ import annotations

import datetime
import io
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pebbleserver import PebbleServer

from reactops import pebble


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PebbleServer]:
    with PebbleServer(tmp_path) as srv:
        yield srv


@pytest.fixture
def client(server: PebbleServer) -> pebble.Client:
    return pebble.Client(socket_path=server.socket_path)


LAYER = """
summary: web
services:
  web:
    override: replace
    command: python3 -m http.server
    startup: enabled
    environment: {PORT: "8080"}
  worker:
    override: replace
    command: sleep 1000
checks:
  up:
    override: replace
    level: alive
    http: {url: "http://localhost:8080/"}
"""


def test_a_missing_socket_is_a_connection_error(tmp_path: Path) -> None:
    client = pebble.Client(socket_path=str(tmp_path / 'gone.socket'))
    with pytest.raises(pebble.ConnectionError, match='Could not connect to Pebble'):
        client.get_system_info()


def test_system_info(client: pebble.Client) -> None:
    assert client.get_system_info().version == '1.99.0-test'


def test_a_layer_added_shows_in_the_plan_and_replan_starts_enabled_services(
        client: pebble.Client) -> None:
    client.add_layer('web', LAYER)

    plan = client.get_plan()
    assert plan.services['web'].command == 'python3 -m http.server'
    assert plan.services['web'].environment == {'PORT': '8080'}
    assert plan.checks['up'].level == pebble.CheckLevel.ALIVE

    change_id = client.replan_services()
    assert client.get_change(change_id).ready
    running = {s.name: s.is_running() for s in client.get_services()}
    assert running == {'web': True, 'worker': False}


def test_combine_lays_a_layer_over_the_one_of_that_label(client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    override = pebble.Layer({'services': {'web': {'override': 'replace', 'command': 'true'}}})
    with pytest.raises(pebble.APIError) as excinfo:
        client.add_layer('web', override)
    assert excinfo.value.code == 400

    client.add_layer('web', override, combine=True)
    assert client.get_plan().services['web'].command == 'true'
    assert 'worker' in client.get_plan().services


def test_services_start_stop_restart_and_unknown_names(client: pebble.Client,
                                                       server: PebbleServer) -> None:
    client.add_layer('web', LAYER)
    client.start_services(['worker'])
    assert client.get_services(['worker'])[0].current == pebble.ServiceStatus.ACTIVE
    client.restart_services(['worker'])
    client.stop_services(['worker'])
    assert not client.get_services(['worker'])[0].is_running()

    with pytest.raises(pebble.APIError) as excinfo:
        client.start_services(['nope'])
    assert (excinfo.value.code, excinfo.value.status) == (400, 'Bad Request')
    assert excinfo.value.message == 'service "nope" does not exist'
    with pytest.raises(TypeError):
        client.start_services('worker')


def test_changes_are_listed_and_waited_for(client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    change_id = client.start_services(['web'], timeout=0)
    change = client.wait_change(change_id, timeout=5)
    assert change.ready and change.err is None
    assert change.tasks[0].status == 'Done'
    assert change_id in [c.id for c in client.get_changes(pebble.ChangeState.ALL)]
    assert client.get_changes(pebble.ChangeState.IN_PROGRESS) == []


def test_signals_reach_running_services_only(client: pebble.Client,
                                            server: PebbleServer) -> None:
    client.add_layer('web', LAYER)
    client.start_services(['web'])
    client.send_signal(signal.SIGHUP, ['web'])
    assert server.signals == [('SIGHUP', ['web'])]
    with pytest.raises(pebble.APIError):
        client.send_signal('SIGTERM', ['worker'])


def test_checks_report_and_stop_and_start(client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    [info] = client.get_checks()
    assert (info.name, info.status, info.level) == ('up', pebble.CheckStatus.UP,
                                                    pebble.CheckLevel.ALIVE)
    assert info.has_run

    assert client.stop_checks(['up']) == ['up']
    assert client.stop_checks(['up']) == []  # Pebble says null: nothing changed
    assert client.get_checks(names=['up'])[0].status == pebble.CheckStatus.INACTIVE
    assert client.start_checks(['up']) == ['up']


def test_notices_are_recorded_and_found(client: pebble.Client) -> None:
    notice_id = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'k': 'v'},
                              repeat_after=datetime.timedelta(minutes=1))
    again = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a')
    assert again == notice_id

    notice = client.get_notice(notice_id)
    assert notice.type == pebble.NoticeType.CUSTOM
    assert notice.occurrences == 2
    assert notice.repeat_after == datetime.timedelta(minutes=1)
    assert notice.expire_after == datetime.timedelta(days=7)
    assert [n.key for n in client.get_notices(keys=['example.com/a'])] == ['example.com/a']
    assert client.get_notices(types=['change-update']) == []
    with pytest.raises(pebble.APIError) as excinfo:
        client.get_notice('999')
    assert excinfo.value.code == 404


def test_identities_are_replaced_and_removed(client: pebble.Client) -> None:
    client.replace_identities({
        'alice': pebble.Identity(access='admin', local=pebble.LocalIdentity(user_id=1000)),
        'bob': {'access': 'read', 'basic': {'password': 'hash'}},
    })
    identities = client.get_identities()
    assert identities['alice'].access == pebble.IdentityAccess.ADMIN
    assert identities['alice'].local == pebble.LocalIdentity(1000)
    assert identities['bob'].basic == pebble.BasicIdentity('*****')

    client.remove_identities(['alice'])
    client.replace_identities({'bob': None})
    assert client.get_identities() == {}


def test_files_round_trip_as_text_and_bytes(client: pebble.Client,
                                            server: PebbleServer) -> None:
    text = 'line one 😀\r\nline two\n' * 5000  # larger than a chunk, both line endings
    client.push('/etc/app/config.txt', text, make_dirs=True, permissions=0o600)
    assert (server.fs / 'etc/app/config.txt').read_bytes() == text.encode()
    with client.pull('/etc/app/config.txt') as f:
        assert f.read() == text

    blob = bytes(range(256)) * 100
    client.push('/etc/app/blob', io.BytesIO(blob))
    with client.pull('/etc/app/blob', encoding=None) as f:
        assert f.read() == blob


def test_file_errors_name_the_path(client: pebble.Client) -> None:
    with pytest.raises(pebble.PathError) as excinfo:
        client.pull('/missing')
    assert excinfo.value.kind == 'not-found'
    with pytest.raises(pebble.PathError):
        client.push('/no/such/dir/file', 'x')
    with pytest.raises(pebble.PathError):
        client.remove_path('/missing')
    client.remove_path('/missing', recursive=True)  # like rm -rf: nothing to do


def test_directories_are_made_listed_and_removed(client: pebble.Client) -> None:
    client.make_dir('/srv/data/cache', make_parents=True, permissions=0o750)
    client.push('/srv/data/a.txt', 'a')
    client.push('/srv/data/b.log', 'bb')

    listing = {f.name: f for f in client.list_files('/srv/data')}
    assert sorted(listing) == ['a.txt', 'b.log', 'cache']
    assert listing['cache'].type == pebble.FileType.DIRECTORY
    assert listing['cache'].permissions == 0o750
    assert listing['b.log'].size == 2
    assert [f.name for f in client.list_files('/srv/data', pattern='*.txt')] == ['a.txt']
    [itself] = client.list_files('/srv/data', itself=True)
    assert itself.path == '/srv/data'

    with pytest.raises(pebble.PathError):
        client.make_dir('/srv/data')  # exists, and make_parents was not asked for
    client.remove_path('/srv/data', recursive=True)
    with pytest.raises(pebble.APIError):
        client.list_files('/srv/data')


PYTHON = sys.executable


def test_exec_collects_output_and_exit_code(client: pebble.Client) -> None:
    process = client.exec([PYTHON, '-c', 'import sys; print("out"); print("err", '
                                         'file=sys.stderr)'])
    assert process.wait_output() == ('out\n', 'err\n')

    process = client.exec([PYTHON, '-c', 'import sys; print("partial"); sys.exit(3)'])
    with pytest.raises(pebble.ExecError) as excinfo:
        process.wait_output()
    assert excinfo.value.exit_code == 3
    assert excinfo.value.stdout == 'partial\n'


def test_exec_feeds_stdin_and_combines_stderr(client: pebble.Client) -> None:
    upper = 'import sys; sys.stdout.write(sys.stdin.read().upper()); print("!", file=sys.stderr)'
    process = client.exec([PYTHON, '-c', upper], stdin='hello\n', combine_stderr=True)
    out, err = process.wait_output()
    assert err is None
    assert sorted(out.splitlines()) == ['!', 'HELLO']

    process = client.exec([PYTHON, '-c', upper], stdin=b'bytes', encoding=None)
    assert process.wait_output() == (b'BYTES', b'!\n')


def test_exec_streams_to_files_and_from_the_process_stdin(client: pebble.Client) -> None:
    out, err = io.StringIO(), io.StringIO()
    process = client.exec([PYTHON, '-c', 'print(input()[::-1])'], stdin=io.StringIO('abc\n'),
                          stdout=out, stderr=err)
    process.wait()
    assert out.getvalue() == 'cba\n'

    process = client.exec([PYTHON, '-c', 'import sys; print(sys.stdin.read().strip())'])
    assert process.stdin is not None
    process.stdin.write('streamed')
    process.stdin.close()
    assert process.wait_output()[0] == 'streamed\n'


def test_exec_environment_and_working_dir(client: pebble.Client, tmp_path: Path) -> None:
    script = 'import os; print(os.environ["GREETING"], os.getcwd())'
    process = client.exec([PYTHON, '-c', script], environment={'GREETING': 'hi'},
                          working_dir=tmp_path)
    out, _ = process.wait_output()
    assert out.split() == ['hi', str(tmp_path)]


def test_exec_of_a_missing_command_is_a_change_error(client: pebble.Client) -> None:
    process = client.exec(['/no/such/command'])
    with pytest.raises(pebble.ChangeError, match='cannot start command'):
        process.wait()


def test_exec_process_receives_signals(client: pebble.Client) -> None:
    process = client.exec([PYTHON, '-c', 'import time; print("up", flush=True); '
                                         'time.sleep(30)'])
    assert process.stdout is not None
    assert process.stdout.readline() == 'up\n'
    process.send_signal('SIGTERM')
    with pytest.raises(pebble.ExecError) as excinfo:
        process.wait_output()
    assert excinfo.value.exit_code == -signal.SIGTERM


class _Opener:
    """A urllib opener that answers from a table instead of a socket."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        self.answers = answers
        self.urls: list[str] = []

    def open(self, request: Any, timeout: float) -> Any:
        import urllib.error
        from email.message import Message

        self.urls.append(request.full_url)
        code, body = self.answers[request.selector.split('?')[0]]
        headers = Message()
        headers['Content-Type'] = 'application/json'
        if code >= 400:
            raise urllib.error.HTTPError(request.full_url, code, 'Not Found', headers,
                                         io.BytesIO(body))
        response = io.BytesIO(body)
        response.headers = headers  # type: ignore[attr-defined]
        return response


def test_a_urllib_opener_replaces_the_socket() -> None:
    opener = _Opener({
        '/v1/system-info': (200, b'{"result": {"version": "9"}}'),
        '/v1/notices/1': (404, b'{"result": {"message": "no notice 1"}}'),
    })
    client = pebble.Client('/unused', opener=opener,  # type: ignore[arg-type]
                           base_url='http://pebble')
    assert client.get_system_info().version == '9'
    with pytest.raises(pebble.APIError) as excinfo:
        client.get_notice('1')
    assert (excinfo.value.code, excinfo.value.message) == (404, 'no notice 1')
    assert opener.urls == ['http://pebble/v1/system-info', 'http://pebble/v1/notices/1']
