"""The workload manager's engine (reactops' own Pebble) driven directly, with real processes.

Each scenario arranges a plan, acts through :class:`Workload` as the HTTP front would, and
asserts on what Pebble's API would answer. Delays come from the layers' own fields (and a
short okay delay), so the file runs in seconds; every workload is shut down at the end and
its processes must be gone.
"""

from __future__ import annotations

import os
import socket
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from reactops.localmodel._workload._engine import Workload
from reactops.localmodel._workload._errors import APIError
from reactops.pebble import Change, CheckInfo, Notice, ServiceInfo, Warning

PY = sys.executable
OKAY = 0.2  # the okay delay of these tests' workloads (Pebble's is 1 s)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = '') -> Any:
    """Poll *predicate* until it is truthy (returned) or fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out waiting for {what or predicate}')
        time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def layer(text: str) -> str:
    return textwrap.dedent(text)


def layer_of(**sections: Any) -> str:
    """A layer's YAML from its sections as dicts (commands need no YAML quoting then)."""
    return yaml.safe_dump({key.replace('_', '-'): value for key, value in sections.items()})


@pytest.fixture
def make_workload(tmp_path: Path) -> Iterator[Callable[..., Workload]]:
    made: list[Workload] = []

    def make(**kwargs: Any) -> Workload:
        kwargs.setdefault('okay_delay', OKAY)
        workload = Workload(tmp_path / f'w{len(made)}', **kwargs)
        made.append(workload)
        return workload

    yield make
    for workload in made:
        pids = workload.service_pids()
        workload.shutdown()
        assert not [pid for pid in pids if alive(pid)], 'a service outlived shutdown'
    leftover = [t.name for t in threading.enumerate() if t.name.startswith('workload-')
                and t.is_alive() and t.name != 'workload-shutdown-request']
    assert not leftover, f'threads left running: {leftover}'


@pytest.fixture
def workload(make_workload: Callable[..., Workload]) -> Workload:
    return make_workload()


def service(w: Workload, name: str) -> dict[str, Any]:
    return next(s for s in w.services([name]))


def run(w: Workload, action: str, names: list[str], timeout: float = 15.0) -> dict[str, Any]:
    return w.wait_change(w.service_action(action, names), timeout)


# --- plan -------------------------------------------------------------------------------

def test_layers_combine_by_label_and_the_plan_is_written_as_pebble_writes_it(
        workload: Workload) -> None:
    workload.add_layer('base', layer("""
        services:
          web:
            override: replace
            command: sleep 10
            startup: enabled
            environment: {A: one}
            backoff-delay: 1000ms
        checks:
          up:
            override: replace
            tcp: {port: 8080}
        """), combine=False)
    workload.add_layer('base', layer("""
        services:
          web:
            override: merge
            environment: {B: two}
            after: [db]
          db:
            override: replace
            command: sleep 20
        """), combine=True)
    with pytest.raises(APIError) as exc:
        workload.add_layer('base', 'services: {}', combine=False)
    assert (exc.value.status, exc.value.message) == (400, 'layer "base" already exists')

    text = workload.plan_yaml()
    assert '\n    web:\n        startup: enabled\n' in text  # Go's 4-space indentation
    assert yaml.safe_load(text) == {
        'services': {
            'db': {'override': 'replace', 'command': 'sleep 20'},
            'web': {'startup': 'enabled', 'override': 'replace', 'command': 'sleep 10',
                    'after': ['db'], 'environment': {'A': 'one', 'B': 'two'},
                    'backoff-delay': '1s'},
        },
        'checks': {'up': {'override': 'replace', 'threshold': 3, 'tcp': {'port': 8080}}},
    }
    assert [s['name'] for s in workload.services([])] == ['db', 'web']


@pytest.mark.parametrize(('text', 'message'), [
    ('services: {a: {command: x}}', 'layer "L" must define "override" for service "a"'),
    ('services: {a: {override: over, command: x}}',
     'layer "L" has invalid "override" value for service "a"'),
    ('services: {a: {override: replace}}', 'plan must define "command" for service "a"'),
    ('services: {a: {override: replace, command: x, kill-delay: soon}}',
     'cannot parse layer YAML: cannot parse layer "L" section "services": '
     'invalid duration "soon"'),
    ('services: {a: {override: replace, command: x, on-failure: reboot}}',
     'cannot parse layer YAML: plan service "a" on-failure action "reboot" invalid'),
    ('services: {a: {override: replace, command: x, on-check-failure: {c: success}}}',
     'cannot parse layer YAML: plan service "a" on-check-failure action "success" invalid'),
    ('services: {a: {override: replace, command: x, requires: [ghost]}}',
     'service "ghost" does not exist'),
    ('services: {a: {override: replace, command: x, after: [b]},'
     ' b: {override: replace, command: y, after: [a]}}',
     'services in before/after loop: a, b'),
    ('services: {a: {override: replace, command: "x [ y ] z"}}',
     'cannot parse layer YAML: plan service "a" command invalid: cannot parse service "a" '
     'command: cannot have any arguments after [ ... ] group'),
    ('checks: {c: {override: replace}}',
     'plan must specify one of "http", "tcp", or "exec" for check "c"'),
    ('checks: {c: {override: replace, tcp: {port: 1}, exec: {command: x}}}',
     'plan must specify one of "http", "tcp", or "exec" for check "c"'),
    ('checks: {c: {override: replace, level: deep, tcp: {port: 1}}}',
     'cannot parse layer YAML: plan check "c" level must be "alive" or "ready"'),
    ('checks: {c: {override: replace, startup: later, tcp: {port: 1}}}',
     'cannot parse layer YAML: plan check "c" startup must be "enabled" or "disabled"'),
    ('checks: {c: {override: replace, period: 0s, tcp: {port: 1}}}',
     'cannot parse layer YAML: plan check "c" period must not be zero'),
    ('checks: {c: {override: replace, http: {}}}', 'plan must set "url" for http check "c"'),
    ('nonsense: 1', 'cannot parse layer YAML: cannot parse layer "L": unknown section '
                    '"nonsense"'),
])
def test_a_bad_layer_is_refused_with_pebbles_message(workload: Workload, text: str,
                                                     message: str) -> None:
    with pytest.raises(APIError) as exc:
        workload.add_layer('L', text, combine=False)
    assert (exc.value.status, exc.value.message) == (400, message)
    assert workload.plan_yaml() == '{}\n'  # nothing of a refused layer is kept


# --- services ---------------------------------------------------------------------------

def test_a_service_runs_in_its_working_dir_with_its_environment_and_stops(
        workload: Workload) -> None:
    (workload.fs / 'srv').mkdir()
    code = ("import os, time; print(os.getcwd(), os.environ['GREETING'], "
            "os.environ['PEBBLE_CONTAINER_ROOT'], flush=True); time.sleep(60)")
    workload.add_layer('base', layer(f"""
        services:
          app:
            override: replace
            command: {PY} -c "{code}"
            working-dir: /srv
            environment: {{GREETING: hello}}
        """), combine=False)
    assert service(workload, 'app')['current'] == 'inactive'
    change = run(workload, 'start', ['app'])
    assert (change['kind'], change['summary'], change['status']) == \
        ('start', 'Start service "app"', 'Done')
    assert [t['summary'] for t in change['tasks']] == ['Start service "app"']
    Change.from_dict(change)  # ops' client reads it
    info = service(workload, 'app')
    assert info['current'] == 'active' and ServiceInfo.from_dict(info).is_running()
    line = wait_for(lambda: workload.logs(['app'], None), what='the output line')[0]
    assert line['service'] == 'app'
    assert line['message'] == f'{workload.fs / "srv"} hello {workload.fs}\n'
    [pid] = workload.service_pids()

    change = run(workload, 'stop', ['app'])
    assert change['status'] == 'Done' and change['summary'] == 'Stop service "app"'
    assert service(workload, 'app')['current'] == 'inactive'
    assert not alive(pid)
    again = run(workload, 'stop', ['app'])
    assert again['tasks'][0]['log'][0].endswith('INFO Service "app" already stopped.')


def test_a_start_that_exits_within_the_okay_delay_fails_with_the_last_output_and_backs_off(
        workload: Workload) -> None:
    workload.add_layer('base', layer(f"""
        services:
          flaky:
            override: replace
            command: {PY} -c "print('no config'); raise SystemExit(3)"
            backoff-delay: 50ms
            backoff-limit: 200ms
        """), combine=False)
    change = run(workload, 'start', ['flaky'])
    assert change['status'] == 'Error'
    assert change['err'] == ('cannot perform the following tasks:\n- Start service "flaky" '
                             '(service start attempt: exited quickly with code 3, will restart)')
    log = change['tasks'][0]['log']
    assert 'INFO Most recent service output:\n    no config' in log[0]
    assert log[1].endswith('ERROR service start attempt: exited quickly with code 3, '
                           'will restart')
    # Pebble goes on restarting it after a backoff: the output repeats
    wait_for(lambda: len(workload.logs(['flaky'], -1)) >= 3, what='restarts')
    assert service(workload, 'flaky')['current'] in ('backoff', 'active')
    assert run(workload, 'stop', ['flaky'])['status'] == 'Done'
    assert service(workload, 'flaky')['current'] == 'inactive'


def test_exit_actions_ignore_and_shutdown(make_workload: Callable[..., Workload]) -> None:
    codes: list[int] = []
    workload = make_workload(on_shutdown=codes.append)
    workload.add_layer('base', layer(f"""
        services:
          done:
            override: replace
            command: {PY} -c "import time; time.sleep(0.4)"
            on-success: ignore
          broken:
            override: replace
            command: {PY} -c "import time; time.sleep(0.4); raise SystemExit(2)"
            on-failure: shutdown
        """), combine=False)
    run(workload, 'start', ['done', 'broken'])
    wait_for(lambda: service(workload, 'done')['current'] == 'inactive', what='done ends')
    wait_for(lambda: codes, what='the shutdown request')
    assert codes == [10]  # Pebble's exit code for a service failure
    assert service(workload, 'broken')['current'] == 'error'


def test_stop_sends_sigterm_to_the_group_then_sigkill_after_the_kill_delay(
        workload: Workload, tmp_path: Path) -> None:
    pidfile = tmp_path / 'child.pid'
    code = ('import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); '
            f'child = subprocess.Popen(["sleep", "60"]); open("{pidfile}", "w")'
            '.write(str(child.pid)); print("ready", flush=True); time.sleep(60)')
    workload.add_layer('base', layer(f"""
        services:
          stubborn:
            override: replace
            command: {PY} -c '{code}'
            kill-delay: 300ms
        """), combine=False)
    run(workload, 'start', ['stubborn'])
    wait_for(lambda: workload.logs(['stubborn'], None), what='the child started')
    child = int(pidfile.read_text())
    [pid] = workload.service_pids()
    began = time.monotonic()
    change = run(workload, 'stop', ['stubborn'])
    assert change['status'] == 'Done'
    assert time.monotonic() - began >= 0.3  # SIGTERM was ignored until the kill delay
    wait_for(lambda: not alive(pid) and not alive(child), what='the group to die')


def test_replan_starts_enabled_services_in_dependency_order_and_restarts_only_changed(
        workload: Workload) -> None:
    workload.add_layer('base', layer("""
        services:
          web:
            override: replace
            command: sleep 60
            startup: enabled
            requires: [db]
            after: [db]
          db:
            override: replace
            command: sleep 61
            startup: enabled
        """), combine=False)
    change = run(workload, 'replan', [])
    assert change['summary'] == 'Replan service "db" and 1 more'
    assert [t['summary'] for t in change['tasks']] == ['Start service "db"',
                                                       'Start service "web"']
    db_pid = {s: p for s, p in zip(('db', 'web'), workload.service_pids(), strict=True)}['db']
    workload.add_layer('base', layer("""
        services:
          web:
            override: merge
            command: sleep 62
        """), combine=True)
    change = run(workload, 'replan', [])
    assert [t['summary'] for t in change['tasks']] == ['Stop service "web"',
                                                       'Start service "db"',
                                                       'Start service "web"']
    assert change['tasks'][1]['log'][0].endswith('Service "db" already started.')
    assert alive(db_pid)
    nothing = run(workload, 'stop', ['db', 'web'])
    assert [t['summary'] for t in nothing['tasks']] == ['Stop service "web"',
                                                        'Stop service "db"']
    assert run(workload, 'autostart', [])['status'] == 'Done'
    with pytest.raises(APIError) as exc:
        workload.service_action('start', ['ghost'])
    assert exc.value.message == 'cannot start services: service "ghost" does not exist'


def test_a_change_with_nothing_to_do_is_done_at_once(workload: Workload) -> None:
    workload.add_layer('base', 'services: {a: {override: replace, command: sleep 1}}',
                       combine=False)
    change = workload.change(workload.service_action('replan', []))
    assert (change['summary'], change['status'], change['ready']) == \
        ('Replan - no services', 'Done', True)
    with pytest.raises(APIError) as exc:
        workload.service_action('autostart', [])
    assert (exc.value.message, exc.value.kind) == ('no default services', 'no-default-services')


def test_signals_reach_the_service_and_errors_name_the_cause(workload: Workload) -> None:
    code = ('import signal, time; signal.signal(signal.SIGUSR1, lambda *a: print("got it", '
            'flush=True)); print("up", flush=True); time.sleep(60)')
    workload.add_layer('base', layer_of(services={
        'listener': {'override': 'replace', 'command': f"{PY} -c '{code}'"},
        'idle': {'override': 'replace', 'command': 'sleep 60'},
    }), combine=False)
    run(workload, 'start', ['listener'])
    wait_for(lambda: workload.logs(['listener'], None), what='the handler')
    workload.send_signal('SIGUSR1', ['listener'])
    wait_for(lambda: any(e['message'] == 'got it\n' for e in workload.logs(['listener'], None)),
             what='the signal')
    with pytest.raises(APIError) as exc:
        workload.send_signal('SIGWHAT', ['listener', 'idle'])
    assert exc.value.status == 500
    assert exc.value.message == ('cannot send signal to "listener": invalid signal name '
                                 '"SIGWHAT"; cannot send signal to "idle": service is not '
                                 'running')


# --- checks -----------------------------------------------------------------------------

def test_checks_probe_for_real_fail_after_the_threshold_and_recover(workload: Workload) -> None:
    port = free_port()
    flag = workload.fs / 'healthy'
    workload.add_layer('base', layer(f"""
        services:
          web:
            override: replace
            command: {PY} -m http.server {port} --bind 127.0.0.1
            startup: enabled
        checks:
          http-up:
            override: replace
            level: ready
            period: 100ms
            http: {{url: 'http://127.0.0.1:{port}/'}}
          tcp-up:
            override: replace
            period: 100ms
            tcp: {{port: {port}, host: 127.0.0.1}}
          file:
            override: replace
            level: alive
            period: 100ms
            threshold: 2
            exec: {{command: "test -e /healthy"}}
        """), combine=False)
    run(workload, 'replan', [])
    wait_for(lambda: all(c['successes'] > 0 for c in workload.checks('', ['http-up', 'tcp-up'])),
             what='the http and tcp checks to pass')
    wait_for(lambda: workload.checks('', ['file'])[0]['status'] == 'down', what='file down')
    [file] = workload.checks('alive', [])
    assert file['failures'] >= 2 and file['threshold'] == 2
    CheckInfo.from_dict(file)
    recover = workload.change(file['change-id'])
    assert (recover['kind'], recover['summary'], recover['status']) == \
        ('recover-check', 'Recover exec check "file"', 'Doing')
    failed = workload.change(file['prev-change-id'])
    assert (failed['kind'], failed['status']) == ('perform-check', 'Error')
    # each failure logs an error: the change's err lists both, as Pebble's does
    assert failed['err'] == ('cannot perform the following tasks:\n'
                             '- Perform exec check "file" (exit status 1)\n'
                             '- Perform exec check "file" (exit status 1)')
    assert not workload.healthy('alive', []) and not workload.healthy('ready', [])
    assert workload.healthy('ready', ['http-up'])

    flag.write_text('ok')  # the command's /healthy is the container's file
    wait_for(lambda: workload.checks('', ['file'])[0]['status'] == 'up', what='recovery')
    [file] = workload.checks('', ['file'])
    assert workload.change(file['change-id'])['kind'] == 'perform-check'
    assert workload.change(file['prev-change-id'])['status'] == 'Done'
    assert workload.healthy('', [])


def test_a_failed_check_restarts_or_shuts_down_as_the_services_ask(
        make_workload: Callable[..., Workload]) -> None:
    codes: list[int] = []
    workload = make_workload(on_shutdown=codes.append)
    workload.add_layer('base', layer_of(services={'app': {
        'override': 'replace', 'command': 'sleep 60', 'on-check-failure': {'probe': 'restart'},
        'backoff-delay': '50ms', 'kill-delay': '1s'}}), combine=False)
    run(workload, 'start', ['app'])  # running (past its okay delay) when the check fails
    [first] = workload.service_pids()
    workload.add_layer('guard', layer_of(services={'guard': {
        'override': 'replace', 'command': 'sleep 60',
        'on-check-failure': {'probe': 'shutdown'}}}), combine=False)
    run(workload, 'start', ['guard'])
    workload.add_layer('probe', layer_of(checks={'probe': {
        'override': 'replace', 'period': '100ms', 'threshold': 1,
        'exec': {'command': f'{PY} -c "raise SystemExit(1)"'}}}), combine=False)
    wait_for(lambda: len(workload.service_pids()) == 2 and first not in workload.service_pids(),
             what='the restart')
    assert not alive(first)
    assert codes == [11]  # Pebble's exit code for a check failure
    assert len(workload.service_pids()) == 2


def test_a_layer_in_a_sub_directory_goes_after_its_siblings_only_when_inner(
        workload: Workload) -> None:
    def add(label: str, command: str, inner: bool = False) -> None:
        workload.add_layer(label, layer_of(services={'s': {
            'override': 'replace', 'command': command}}), combine=False, inner=inner)

    add('base', 'sleep 1')
    add('lib/one', 'sleep 2')
    add('top', 'sleep 3')
    with pytest.raises(APIError) as exc:
        add('lib/two', 'sleep 4')
    assert exc.value.message == "cannot insert sub-directory layer without 'inner' attribute set"
    add('lib/two', 'sleep 4', inner=True)  # goes before 'top', which still wins
    assert yaml.safe_load(workload.plan_yaml())['services']['s']['command'] == 'sleep 3'


def test_checks_start_and_stop_and_a_disabled_check_is_inactive(workload: Workload) -> None:
    workload.add_layer('base', layer("""
        checks:
          later:
            override: replace
            startup: disabled
            period: 100ms
            exec: {command: "true"}
        """), combine=False)
    [later] = workload.checks('', [])
    assert (later['status'], later['startup'], 'change-id' in later) == \
        ('inactive', 'disabled', False)
    assert workload.checks_action('start', ['later']) == ['later']
    assert workload.checks_action('start', ['later']) == []
    wait_for(lambda: workload.checks('', [])[0]['successes'] > 0, what='a success')
    change_id = workload.checks('', [])[0]['change-id']
    assert workload.checks_action('stop', ['later']) == ['later']
    assert workload.checks('', [])[0]['status'] == 'inactive'
    wait_for(lambda: workload.change(change_id)['ready'], what='the change to end')
    with pytest.raises(APIError) as exc:
        workload.checks_action('start', ['ghost', 'later'])
    assert exc.value.message == 'cannot start checks: cannot find checks in plan: ghost'


# --- changes and notices ----------------------------------------------------------------

def test_change_updates_are_notices_and_waiting_times_out_as_pebble(workload: Workload) -> None:
    workload.add_layer('base', 'services: {a: {override: replace, command: sleep 60}}',
                       combine=False)
    change_id = workload.service_action('start', ['a'])
    with pytest.raises(APIError) as exc:
        workload.wait_change(change_id, 0.01)
    assert (exc.value.status, exc.value.message) == \
        (504, 'timed out waiting for change after 10ms')
    workload.wait_change(change_id, 10)
    [notice] = workload.notices(types=['change-update'], keys=[change_id], after=None,
                                user_id=None, all_users=True)
    assert notice['occurrences'] == 3  # spawned, Doing, Done
    assert notice['last-data'] == {'kind': 'start'} and notice['user-id'] is None
    Notice.from_dict(notice)
    with pytest.raises(APIError) as exc:
        workload.change('999')
    assert (exc.value.status, exc.value.message) == (404, 'cannot find change with id "999"')
    with pytest.raises(APIError) as exc:
        workload.abort_change(change_id)
    assert exc.value.message == f'cannot abort change {change_id} with nothing pending'
    assert [c['id'] for c in workload.changes('all', 'a')] == [change_id]
    assert workload.changes('in-progress', '') == []


def test_front_changes_finish_with_data_and_abort_calls_back(workload: Workload) -> None:
    change_id = workload.new_change('exec', 'Execute command "ls"', data={'x': 1})
    assert workload.change(change_id)['status'] == 'Doing'
    aborted: list[bool] = []
    workload.on_abort(change_id, lambda: aborted.append(True))
    assert workload.abort_change(change_id)['status'] == 'Abort'
    assert aborted == [True]
    workload.finish_change(change_id, data={'exit-code': -1})
    change = workload.change(change_id)
    assert change['status'] == 'Done' and change['tasks'][0]['data'] == {'x': 1, 'exit-code': -1}
    failing = workload.new_change('exec', 'Execute command "x"')
    workload.finish_change(failing, error='boom')
    assert workload.change(failing)['err'] == ('cannot perform the following tasks:\n'
                                               '- Execute command "x" (boom)')


def test_custom_notices_repeat_filter_and_wait(workload: Workload) -> None:
    with pytest.raises(APIError) as exc:
        workload.add_notice('custom', 'not a key')
    assert exc.value.message == 'invalid key "not a key" (must be in "example.com/path" format)'
    with pytest.raises(APIError) as exc:
        workload.add_notice('warning', 'example.com/x')
    assert exc.value.message == 'invalid type "warning" (can only add "custom" notices)'

    first = workload.add_notice('custom', 'example.com/a', data={'n': '1'}, repeat_after=60)
    seen = workload.notices(types=['custom'], keys=[], after=None, user_id=None, all_users=True)
    assert [n['id'] for n in seen] == [first]
    again = workload.add_notice('custom', 'example.com/a', data={'n': '2'}, repeat_after=60)
    [notice] = workload.notices(types=['custom'], keys=['example.com/a'], after=None,
                                user_id=None, all_users=False)
    assert again == first and notice['occurrences'] == 2 and notice['last-data'] == {'n': '2'}
    assert notice['repeat-after'] == '1m0s' and notice['expire-after'] == '168h0m0s'
    # a repeat within repeat-after does not move last-repeated: a reader waiting after it
    # sees nothing new
    after = seen[0]['last-repeated']
    assert workload.wait_notices(types=['custom'], keys=[], after=after, user_id=None,
                                 all_users=True, timeout=0.05) == []
    mine = workload.add_notice('custom', 'example.com/b', user_id=1000)
    assert workload.notices(types=[], keys=['example.com/b'], after=None, user_id=42,
                            all_users=False) == []
    assert workload.notice(mine)['user-id'] == 1000
    assert workload.notices(types=['bogus'], keys=[], after=None, user_id=None,
                            all_users=True) == []

    threading.Timer(0.1, workload.add_notice, ('custom', 'example.com/c')).start()
    woken = workload.wait_notices(types=['custom'], keys=['example.com/c'], after=None,
                                  user_id=None, all_users=True, timeout=10)
    assert [n['key'] for n in woken] == ['example.com/c']
    with pytest.raises(APIError) as exc:
        workload.notice('12345')
    assert exc.value.status == 404


def test_warnings_are_listed_and_acknowledged(workload: Workload) -> None:
    workload.add_warning('disk almost full')
    [warning] = workload.warnings('pending')
    assert warning['message'] == 'disk almost full' and warning['repeat-after'] == '24h0m0s'
    Warning.from_dict(warning)
    assert workload.ack_warnings(warning['last-added']) == 1
    assert workload.warnings('pending') == []
    assert len(workload.warnings('all')) == 1


# --- logs and shutdown ------------------------------------------------------------------

def test_logs_keep_the_last_lines_and_follow_new_ones(workload: Workload) -> None:
    code = ('import sys, time\nfor i in range(40): print(i)\nsys.stdout.flush()\n'
            'for line in iter(sys.stdin.readline, ""): pass\ntime.sleep(60)')
    (workload.fs / 'talk.py').write_text(code)
    ticker = "import time\nwhile True: print('tick'); time.sleep(0.05)"
    workload.add_layer('base', layer_of(services={
        'talker': {'override': 'replace', 'command': f'{PY} /talk.py'},
        'ticker': {'override': 'replace', 'command': f'{PY} -u -c "{ticker}"'},
    }), combine=False)
    run(workload, 'start', ['talker'])
    wait_for(lambda: len(workload.logs(['talker'], -1)) == 40, what='40 lines')
    default = workload.logs(['talker'], None)
    assert [e['message'] for e in default] == [f'{i}\n' for i in range(10, 40)]
    assert [e['message'] for e in workload.logs(['talker'], 2)] == ['38\n', '39\n']
    assert workload.logs(['talker'], 0) == []

    stop = threading.Event()
    followed = workload.follow_logs(['ticker'], stop)
    run(workload, 'start', ['ticker'])
    first = next(followed)
    assert (first['service'], first['message']) == ('ticker', 'tick\n')
    stop.set()
    assert {e['service'] for e in followed} <= {'ticker'}  # and the generator ends


def test_shutdown_stops_every_service_and_is_idempotent(workload: Workload) -> None:
    code = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'
    workload.add_layer('base', layer_of(
        services={
            'a': {'override': 'replace', 'command': 'sleep 60', 'startup': 'enabled'},
            'b': {'override': 'replace', 'command': f"{PY} -c '{code}'", 'startup': 'enabled',
                  'kill-delay': '200ms'},
        },
        checks={'c': {'override': 'replace', 'period': '100ms', 'exec': {'command': 'true'}}},
    ), combine=False)
    run(workload, 'replan', [])
    pids = workload.service_pids()
    assert len(pids) == 2
    workload.shutdown()
    assert not [pid for pid in pids if alive(pid)]
    assert workload.service_pids() == []
    workload.shutdown()  # again: nothing to do (the fixture checks the threads ended)
