"""The Pebble client against a Pebble-speaking server on a Unix socket (tests/pebbleserver.py).

Each test arranges the workload's Pebble, acts through the client as a charm would, and
asserts on what Pebble then holds or answered. The client is :mod:`reactops.pebble` unless
``$REACTOPS_PEBBLE_CLIENT`` names another module: ``tests/compat/test_compat_pebble.py`` runs
this module under the real ops with ``ops.pebble`` (where reactops is not installed, so
nothing here may import it), and compares what the two clients sent, request by request, as
written to ``$REACTOPS_PEBBLE_WIRE_LOG`` with what each exec websocket carried.
"""

from __future__ import annotations

import datetime
import importlib
import io
import json
import os
import pathlib
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from pebbleserver import PebbleServer

CLIENT_ENV = 'REACTOPS_PEBBLE_CLIENT'
WIRE_LOG_ENV = 'REACTOPS_PEBBLE_WIRE_LOG'

if TYPE_CHECKING:
    from reactops import pebble
else:
    pebble = importlib.import_module(os.environ.get(CLIENT_ENV) or 'reactops.pebble')

PYTHON = sys.executable


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[PebbleServer]:
    with PebbleServer(tmp_path) as srv:
        yield srv
    log = os.environ.get(WIRE_LOG_ENV)
    if log:
        # What differs from run to run (the folder, the interpreter) gets a fixed name.
        websockets = {name: [m if isinstance(m, str) else {'binary': m.decode('latin-1')}
                             for m in ws.received] for name, ws in srv.websockets.items()}
        line = json.dumps({'test': request.node.name, 'requests': srv.requests,
                           'websockets': websockets})
        line = line.replace(str(tmp_path), '<tmp>').replace(PYTHON, '<python>')
        with open(log, 'a') as f:
            f.write(line + '\n')


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


def test_a_socket_nobody_listens_on_is_a_connection_error(tmp_path: Path) -> None:
    path = tmp_path / 'stale.socket'
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the file stays; no Pebble answers on it
    client = pebble.Client(socket_path=str(path))
    with pytest.raises(pebble.ConnectionError) as excinfo:
        client.get_services()
    assert isinstance(excinfo.value, pebble.Error)


def test_an_api_error_carries_pebbles_answer(client: pebble.Client) -> None:
    with pytest.raises(pebble.APIError) as excinfo:
        client.get_change(pebble.ChangeID('42'))
    error = excinfo.value
    assert (error.code, error.status) == (404, 'Not Found')
    assert error.message == 'cannot find change with id "42"'
    assert error.body['result'] == {'message': 'cannot find change with id "42"'}
    assert str(error) == error.message


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


def test_autostart_starts_the_enabled_services_and_get_services_filters(
        client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    change_id = client.autostart_services()
    assert client.get_change(change_id).kind == 'autostart'

    services = {s.name: s for s in client.get_services()}
    assert services['web'].startup == pebble.ServiceStartup.ENABLED
    assert services['web'].current == pebble.ServiceStatus.ACTIVE
    assert services['worker'].startup == pebble.ServiceStartup.DISABLED
    assert not services['worker'].is_running()
    assert [s.name for s in client.get_services(names=['worker'])] == ['worker']
    assert client.get_services(['nope']) == []


def test_restart_starts_a_stopped_service_and_replan_leaves_disabled_ones(
        client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    client.restart_services(['worker'])
    assert client.get_services(['worker'])[0].is_running()
    client.stop_services(['web', 'worker'])
    client.replan_services()
    running = {s.name: s.is_running() for s in client.get_services()}
    assert running == {'web': True, 'worker': False}


def test_a_service_that_fails_to_start_is_a_change_error(client: pebble.Client) -> None:
    client.add_layer('bad', {'services': {'bad': {'override': 'replace', 'command': 'false'}}})
    with pytest.raises(pebble.ChangeError) as excinfo:
        client.start_services(['bad'])
    error = excinfo.value
    assert error.err == ('cannot perform the following tasks:\n- Start service "bad" '
                         '(cannot start service: exited quickly with code 1)')
    assert (error.change.kind, error.change.status, error.change.ready) == (
        'start', 'Error', True)
    # The message ends with the task's log.
    assert str(error).startswith(error.err + '\n----- Logs from task 0 -----\n')
    assert str(error).endswith(' ERROR cannot start service: exited quickly with code 1'
                               '\n-----')
    assert not client.get_services(['bad'])[0].is_running()

    # Not waiting (timeout=0) hands back the change; its error is then the caller's to read.
    change_id = client.start_services(['bad'], timeout=0)
    assert 'exited quickly' in (client.wait_change(change_id).err or '')


def test_waiting_too_long_for_a_change_is_a_timeout_error(client: pebble.Client) -> None:
    process = client.exec([PYTHON, '-c', 'import time; time.sleep(30)'])
    [change] = client.get_changes()  # in progress: the exec
    assert (change.kind, change.ready) == ('exec', False)
    with pytest.raises(pebble.TimeoutError) as excinfo:
        client.wait_change(change.id, timeout=0.3)
    assert isinstance(excinfo.value, TimeoutError)  # the builtin one too
    assert isinstance(excinfo.value, pebble.Error)
    process.send_signal(signal.SIGKILL)
    with pytest.raises(pebble.ExecError):
        process.wait()


def test_changes_are_listed_and_waited_for(client: pebble.Client) -> None:
    client.add_layer('web', LAYER)
    change_id = client.start_services(['web'], timeout=0)
    change = client.wait_change(change_id, timeout=5)
    assert change.ready and change.err is None
    assert change.tasks[0].status == 'Done'
    assert change_id in [c.id for c in client.get_changes(pebble.ChangeState.ALL)]
    assert client.get_changes(pebble.ChangeState.IN_PROGRESS) == []


def test_aborting_a_change_stops_its_command(client: pebble.Client) -> None:
    process = client.exec([PYTHON, '-c', 'import time; time.sleep(30)'])
    [change] = client.get_changes()
    assert client.abort_change(change.id).id == change.id
    with pytest.raises(pebble.ChangeError) as excinfo:
        process.wait()
    assert excinfo.value.err.endswith('(task aborted)')
    with pytest.raises(pebble.APIError) as api:
        client.abort_change(change.id)  # nothing pending any more
    assert api.value.code == 400


def test_warnings_are_listed_until_acknowledged(client: pebble.Client,
                                                server: PebbleServer) -> None:
    server.warn('disk almost full')
    [warning] = client.get_warnings()
    assert warning.message == 'disk almost full'
    assert isinstance(warning.first_added, datetime.datetime)
    assert (warning.last_shown, warning.repeat_after) == (None, '24h0m0s')
    # Everything added up to the time given (fixed, so both clients' requests compare).
    assert client.ack_warnings(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)) == 0
    assert client.ack_warnings(datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)) == 1
    assert client.get_warnings() == []
    assert [w.message for w in client.get_warnings(pebble.WarningState.ALL)] == [
        'disk almost full']


def test_a_pebble_without_the_wait_endpoint_is_polled(client: pebble.Client,
                                                      server: PebbleServer) -> None:
    server.without_wait_endpoint = True
    client.add_layer('web', LAYER)
    change_id = client.start_services(['web'], delay=0.01)
    assert client.get_services(['web'])[0].is_running()
    paths = [r['path'] for r in server.requests]
    assert paths[-3:] == [f'/v1/changes/{change_id}/wait', f'/v1/changes/{change_id}',
                          '/v1/services']

    process = client.exec([PYTHON, '-c', 'import time; time.sleep(30)'])
    [change] = client.get_changes()
    with pytest.raises(pebble.TimeoutError):
        client.wait_change(change.id, timeout=0.2, delay=0.05)
    process.send_signal(signal.SIGKILL)
    with pytest.raises(pebble.ExecError):
        process.wait()


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


def test_checks_are_filtered_by_level_and_name(client: pebble.Client) -> None:
    client.add_layer('checks', {'checks': {
        'up': {'override': 'replace', 'level': 'alive', 'http': {'url': 'http://localhost/'}},
        'ready': {'override': 'replace', 'level': 'ready', 'exec': {'command': 'true'}},
        'plain': {'override': 'replace', 'tcp': {'port': 7}, 'threshold': 5},
    }})
    assert [c.name for c in client.get_checks(level=pebble.CheckLevel.READY)] == ['ready']
    assert sorted(c.name for c in client.get_checks(names=['up', 'plain'])) == ['plain', 'up']
    [plain] = client.get_checks(names=['plain'])
    assert plain.level == pebble.CheckLevel.UNSET
    assert plain.startup == pebble.CheckStartup.ENABLED
    assert (plain.threshold, plain.failures, plain.successes) == (5, 0, 1)
    assert plain.change_id == '1'
    with pytest.raises(TypeError):
        client.start_checks('plain')


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


def test_notices_are_filtered_by_user_type_and_key(client: pebble.Client) -> None:
    first = client.notify(pebble.NoticeType.CUSTOM, 'example.com/a', data={'n': '1'})
    second = client.notify(pebble.NoticeType.CUSTOM, 'example.com/b')
    uid = os.getuid()
    assert [n.id for n in client.get_notices(user_id=uid)] == [first, second]
    assert client.get_notices(user_id=uid + 1) == []
    found = client.get_notices(users=pebble.NoticesUsers.ALL, types=[pebble.NoticeType.CUSTOM],
                               keys=['example.com/b'])
    assert [n.id for n in found] == [second]

    notice = client.get_notice(first)
    assert (notice.key, notice.last_data, notice.user_id) == ('example.com/a', {'n': '1'}, uid)
    assert isinstance(notice.first_occurred, datetime.datetime)
    assert notice.repeat_after is None


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


def test_layers_are_yaml_dicts_or_layer_objects_and_merge(client: pebble.Client) -> None:
    client.add_layer('base', LAYER)
    client.add_layer('extra', {'summary': 'extra', 'services': {
        'web': {'override': 'merge', 'environment': {'DEBUG': '1'}, 'after': ['worker']}}})
    client.add_layer('more', pebble.Layer({'services': {
        'cron': {'override': 'replace', 'command': 'crond -f', 'startup': 'enabled'}}}))

    plan = client.get_plan()
    web = plan.services['web']
    assert web.command == 'python3 -m http.server'
    assert web.environment == {'PORT': '8080', 'DEBUG': '1'}
    assert web.after == ['worker']
    assert sorted(plan.services) == ['cron', 'web', 'worker']
    assert yaml.safe_load(plan.to_yaml())['services']['cron']['command'] == 'crond -f'

    with pytest.raises(TypeError):
        client.add_layer('bad', 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.add_layer(42, LAYER)  # type: ignore[arg-type]


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


def test_files_carry_the_permissions_and_owner_asked_for(client: pebble.Client) -> None:
    client.push(pathlib.PurePosixPath('/srv/app.conf'), 'x', make_dirs=True,
                permissions=0o640, user='app', group='staff')
    client.make_dir('/srv/cache', user_id=1000, permissions=0o700)
    client.push('/srv/plain', b'\x00\x01')

    listing = {f.name: f for f in client.list_files('/srv')}
    conf, cache, plain = listing['app.conf'], listing['cache'], listing['plain']
    assert (conf.type, conf.permissions, conf.size) == (pebble.FileType.FILE, 0o640, 1)
    assert (conf.user_id, conf.user, conf.group_id, conf.group) == (1000, 'app', 50, 'staff')
    # A user without a group gets the user's own group.
    assert (cache.permissions, cache.user_id, cache.group_id) == (0o700, 1000, 1000)
    assert plain.permissions == 0o644  # Pebble's default
    assert isinstance(plain.last_modified, datetime.datetime)
    [conf_alone] = client.list_files('/srv/app.conf')
    assert conf_alone.path == '/srv/app.conf'

    with pytest.raises(pebble.PathError) as excinfo:
        client.push('/srv/x', 'x', user='nobody')
    assert excinfo.value.kind == 'generic-file-error'
    with pytest.raises(pebble.PathError):
        client.make_dir('/srv/y', group='staff')  # a group alone is refused


def test_reading_a_directory_or_removing_a_full_one_is_a_path_error(
        client: pebble.Client) -> None:
    client.push('/srv/full/file', 'x', make_dirs=True)
    with pytest.raises(pebble.PathError) as excinfo:
        client.pull('/srv/full')
    assert excinfo.value.kind == 'generic-file-error'
    with pytest.raises(pebble.PathError) as excinfo:
        client.remove_path('/srv/full')
    assert excinfo.value.kind == 'generic-file-error'
    client.remove_path('/srv/full', recursive=True)
    assert client.list_files('/srv') == []


def test_text_is_encoded_and_decoded_as_asked(client: pebble.Client) -> None:
    client.push('/latin', 'café', encoding='latin-1')
    with client.pull('/latin', encoding=None) as raw:
        assert raw.read() == b'caf\xe9'
    with client.pull('/latin', encoding='latin-1') as text:
        assert text.read() == 'café'
    client.push('/from-file', io.StringIO('streamed text'))
    with client.pull('/from-file') as f:
        assert f.read() == 'streamed text'


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


def test_exec_runs_in_a_services_context_as_the_user_asked(client: pebble.Client,
                                                          server: PebbleServer) -> None:
    client.add_layer('web', LAYER)
    process = client.exec([PYTHON, '-c', 'import os; print(os.environ["PORT"])'],
                          service_context='web', user='app', group='staff')
    assert process.wait_output() == ('8080\n', '')
    [body] = [r['body'] for r in server.requests if r['path'] == '/v1/exec']
    assert (body['service-context'], body['user'], body['group']) == ('web', 'app', 'staff')

    with pytest.raises(pebble.APIError) as excinfo:
        client.exec(['true'], user='nobody')
    assert excinfo.value.code == 400


def test_exec_timeout_kills_the_command_and_is_a_change_error(client: pebble.Client,
                                                              server: PebbleServer) -> None:
    process = client.exec([PYTHON, '-c', 'import time; time.sleep(30)'], timeout=0.5)
    with pytest.raises(pebble.ChangeError) as excinfo:
        process.wait_output()
    assert 'timed out after 0.5s' in excinfo.value.err
    [body] = [r['body'] for r in server.requests if r['path'] == '/v1/exec']
    assert body['timeout'] == '0.500s'


def test_exec_error_says_what_ran_and_what_it_wrote(client: pebble.Client) -> None:
    command = [PYTHON, '-c', 'import sys; print("o"); print("e", file=sys.stderr); sys.exit(2)']
    with pytest.raises(pebble.ExecError) as excinfo:
        client.exec(command).wait_output()
    error = excinfo.value
    assert (error.command, error.exit_code, error.stdout, error.stderr) == (command, 2, 'o\n',
                                                                            'e\n')
    assert str(error) == f"non-zero exit code 2 executing {PYTHON!r}, stdout='o\\n', " \
        "stderr='e\\n'"

    # wait() reads no output, so the error has none.
    process = client.exec(command, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(pebble.ExecError) as excinfo:
        process.wait()
    assert (excinfo.value.stdout, excinfo.value.stderr) == (None, None)
    with pytest.raises(TypeError):
        process.wait_output()  # the output went to the streams given


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
