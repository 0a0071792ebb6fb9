"""The Harness drives a Kubernetes charm's containers with an in-memory Pebble: no daemon.

A small sidecar charm configures its workload on pebble-ready (a file pushed, a layer
added, a replan, ``exec`` for the version), waits while Pebble cannot be reached, and
reacts to notices and failed checks; the tests arrange the container (files under its
root, exec answers, connectivity) and assert on what the charm did to it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest

import reactops
from reactops import pebble
from reactops._private import harness as private_harness
from reactops.errors import ModelError
from reactops.testing import ExecArgs, ExecResult, Harness

pytestmark = pytest.mark.filterwarnings('ignore:Harness is deprecated')

META = """
    name: web
    containers:
      app:
        resource: app-image
        mounts:
          - storage: data
            location: /var/lib/app
    storage:
      data:
        type: filesystem
    resources:
      app-image: {type: oci-image}
"""
CONFIG = """
    options:
      port: {type: int, default: 8080}
"""

LAYER: pebble.LayerDict = {
    'summary': 'app',
    'services': {'app': {'override': 'replace', 'command': '/bin/app',
                         'startup': 'enabled', 'environment': {'MODE': 'prod'}}},
    'checks': {'up': {'override': 'replace', 'level': 'alive', 'threshold': 5,
                      'http': {'url': 'http://localhost:8080/'}}},
}


class SidecarCharm(reactops.CharmBase):
    """Runs ``/bin/app`` in the ``app`` container, configured from ``port``."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        self.notices: list[tuple[str, str, str]] = []
        self.failed_checks: list[str] = []
        framework.observe(self.on.app_pebble_ready, self._on_ready)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.app_pebble_custom_notice, self._on_notice)
        framework.observe(self.on.app_pebble_check_failed, self._on_check_failed)

    def _configure(self, container: reactops.Container) -> None:
        host = container.pull('/etc/hostname').read().strip() \
            if container.exists('/etc/hostname') else 'localhost'
        container.push('/etc/app/app.conf', f'host={host}\nport={self.config["port"]}\n',
                       make_dirs=True)
        container.add_layer('app', LAYER, combine=True)
        container.replan()
        version, _ = container.exec(['/bin/app', '--version']).wait_output()
        self.unit.set_workload_version(version.strip())
        self.unit.status = reactops.ActiveStatus()

    def _on_ready(self, event: reactops.PebbleReadyEvent) -> None:
        self._configure(event.workload)

    def _on_config_changed(self, event: reactops.ConfigChangedEvent) -> None:
        container = self.unit.get_container('app')
        if not container.can_connect():
            self.unit.status = reactops.WaitingStatus('waiting for Pebble')
            return
        self._configure(container)

    def _on_notice(self, event: reactops.PebbleCustomNoticeEvent) -> None:
        notice = event.notice
        self.notices.append((notice.id, notice.key, event.workload.name))

    def _on_check_failed(self, event: reactops.PebbleCheckFailedEvent) -> None:
        self.failed_checks.append(event.info.name)


@pytest.fixture
def harness() -> Iterator[Harness[SidecarCharm]]:
    h: Harness[SidecarCharm] = Harness(SidecarCharm, meta=META, config=CONFIG)
    h.handle_exec('app', ['/bin/app', '--version'], result='1.4.2\n')
    yield h
    h.cleanup()


def test_pebble_ready_configures_and_starts_the_workload(
        harness: Harness[SidecarCharm]) -> None:
    root = harness.get_filesystem_root('app')
    (root / 'etc').mkdir()
    (root / 'etc' / 'hostname').write_text('web-0.example\n')
    harness.begin_with_initial_hooks()
    plan = harness.get_container_pebble_plan('app')
    assert plan.services['app'].command == '/bin/app'
    container = harness.model.unit.get_container('app')
    assert container.get_service('app').is_running()
    assert (root / 'etc' / 'app' / 'app.conf').read_text() == \
        'host=web-0.example\nport=8080\n'
    assert harness.get_workload_version() == '1.4.2'
    assert harness.model.unit.status == reactops.ActiveStatus()
    assert container.get_check('up').threshold == 5


def test_pebble_is_unreachable_until_the_test_says_so(harness: Harness[SidecarCharm]) -> None:
    harness.begin()
    container = harness.model.unit.get_container('app')
    assert not container.can_connect()
    with pytest.raises(pebble.ConnectionError, match='set_can_connect'):
        container.get_plan()
    harness.update_config({'port': 9000})
    assert harness.model.unit.status == reactops.WaitingStatus('waiting for Pebble')
    harness.set_can_connect('app', True)
    harness.update_config({'port': 9001})
    assert harness.model.unit.status == reactops.ActiveStatus()
    root = harness.get_filesystem_root(container)
    assert 'port=9001' in (root / 'etc' / 'app' / 'app.conf').read_text()
    harness.set_can_connect(container, False)
    assert not container.can_connect()
    with pytest.raises(ModelError):
        harness.set_can_connect('db', True)


def test_initial_hooks_emit_pebble_ready_after_start() -> None:
    class Recorder(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            self.seen: list[tuple[str, bool]] = []
            for event in (self.on.install, self.on.start, self.on.app_pebble_ready):
                framework.observe(event, self._record)

        def _record(self, event: reactops.EventBase) -> None:
            reachable = self.unit.get_container('app').can_connect()
            self.seen.append((event.handle.kind, reachable))

    harness: Harness[Recorder] = Harness(Recorder, meta=META)
    try:
        harness.begin_with_initial_hooks()
        assert harness.charm.seen == [('install', False), ('start', False),
                                      ('app_pebble_ready', True)]
    finally:
        harness.cleanup()


def test_a_deferred_pebble_ready_finds_its_container_again() -> None:
    class Patient(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            self.ready_in: list[str] = []
            framework.observe(self.on.app_pebble_ready, self._on_ready)

        def _on_ready(self, event: reactops.PebbleReadyEvent) -> None:
            if not self.ready_in:
                self.ready_in.append('deferred')
                event.defer()
                return
            self.ready_in.append(event.workload.get_plan().to_yaml())

    harness: Harness[Patient] = Harness(Patient, meta=META)
    try:
        harness.begin()
        harness.container_pebble_ready('app')
        harness.framework.reemit()
        assert harness.charm.ready_in == ['deferred', '{}\n']
    finally:
        harness.cleanup()


def test_files_pushed_and_pulled_live_under_the_root(harness: Harness[SidecarCharm]) -> None:
    harness.set_can_connect('app', True)
    harness.begin()
    container = harness.model.unit.get_container('app')
    root = harness.get_filesystem_root('app')
    container.push('/srv/index.html', '<h1>hi</h1>', make_dirs=True, permissions=0o600)
    assert (root / 'srv' / 'index.html').read_text() == '<h1>hi</h1>'
    info, = container.list_files('/srv')
    assert (info.path, info.name, info.permissions) == ('/srv/index.html', 'index.html',
                                                        0o600)
    (root / 'srv' / 'data.bin').write_bytes(b'\x00\xff')
    assert container.pull('/srv/data.bin', encoding=None).read() == b'\x00\xff'
    assert [i.name for i in container.list_files('/srv', pattern='*.bin')] == ['data.bin']
    assert container.list_files('/', itself=True)[0].path == '/'
    with pytest.raises(pebble.PathError) as missing:
        container.pull('/srv/none')
    assert missing.value.kind == 'not-found'
    with pytest.raises(pebble.PathError) as relative:
        container.push('srv/x', 'x')
    assert relative.value.kind == 'generic-file-error'
    with pytest.raises(pebble.PathError):
        container.remove_path('/srv')  # not empty
    container.remove_path('/srv', recursive=True)
    assert not (root / 'srv').exists()


def test_storage_is_mounted_in_the_container(harness: Harness[SidecarCharm]) -> None:
    storage_id, = harness.add_storage('data', attach=True)
    harness.set_can_connect('app', True)
    harness.begin()
    container = harness.model.unit.get_container('app')
    container.push('/var/lib/app/state', 'kept')
    location = harness.model.storages['data'][0].location
    assert (location / 'state').read_text() == 'kept'
    harness.detach_storage(storage_id)
    assert not container.exists('/var/lib/app/state')
    harness.attach_storage(storage_id)
    assert container.pull('/var/lib/app/state').read() == 'kept'


def test_exec_is_answered_by_the_longest_registered_prefix(
        harness: Harness[SidecarCharm]) -> None:
    calls: list[ExecArgs] = []

    def handler(args: ExecArgs) -> ExecResult:
        calls.append(args)
        return ExecResult(stdout=f'ran {args.command[-1]}', stderr='warned')

    harness.handle_exec('app', [], result=0)
    harness.handle_exec('app', ['git'], handler=handler)
    harness.handle_exec('app', ['git', 'fail'], result=ExecResult(exit_code=3, stderr='no'))
    harness.set_can_connect('app', True)
    harness.begin()
    container = harness.model.unit.get_container('app')
    assert container.exec(['true']).wait_output() == ('', '')
    out, err = container.exec(['git', 'pull'], environment={'A': '1'},
                              stdin='input').wait_output()
    assert (out, err) == ('ran pull', 'warned')
    assert (calls[0].environment, calls[0].stdin) == ({'A': '1'}, 'input')
    with pytest.raises(pebble.ExecError) as failed:
        container.exec(['git', 'fail']).wait_output()
    assert (failed.value.exit_code, failed.value.stderr) == (3, 'no')
    harness.handle_exec('app', ['cat'], result=b'\x00raw')
    assert container.exec(['cat'], encoding=None).wait_output()[0] == b'\x00raw'
    with pytest.raises(ValueError, match='bytes'):  # text output, but bytes asked for
        container.exec(['/bin/app', '--version'], encoding=None)
    with pytest.raises(ValueError, match='combine_stderr'):
        container.exec(['git', 'x'], combine_stderr=True)
    sink = io.StringIO()
    process = container.exec(['git', 'log'], stdout=sink, stderr=io.StringIO())
    process.wait()
    assert sink.getvalue() == 'ran log'
    with pytest.raises(TypeError):
        harness.handle_exec('app', ['x'])
    with pytest.raises(TypeError):
        harness.handle_exec('app', ['x'], result=True)  # type: ignore[arg-type]


def test_exec_timeouts_and_service_context(harness: Harness[SidecarCharm]) -> None:
    def slow(args: ExecArgs) -> None:
        if args.timeout is None or args.timeout < 10:
            raise TimeoutError

    seen: list[ExecArgs] = []
    harness.handle_exec('app', ['sleep'], handler=slow)
    harness.handle_exec('app', ['env'], handler=lambda args: seen.append(args) or None)
    harness.set_can_connect('app', True)
    harness.begin()
    container = harness.model.unit.get_container('app')
    with pytest.raises(pebble.TimeoutError):
        container.exec(['sleep', '60'], timeout=1).wait()
    container.exec(['sleep', '1'], timeout=30).wait()
    with pytest.raises(RuntimeError):
        container.exec(['sleep', '1'])  # the handler timed out, but no timeout was given
    container.add_layer('app', LAYER)
    container.exec(['env'], service_context='app', environment={'EXTRA': '1'}).wait()
    assert seen[0].environment == {'MODE': 'prod', 'EXTRA': '1'}
    with pytest.raises(pebble.APIError):
        container.exec(['env'], service_context='nope')


def test_an_unanswered_exec_is_an_api_error() -> None:
    harness = Harness(reactops.CharmBase, meta=META)
    try:
        harness.set_can_connect('app', True)
        with pytest.raises(pebble.APIError) as error:
            harness.model.unit.get_container('app').exec(['ls'])
        assert error.value.code == 500
        assert 'handle_exec' in error.value.message
    finally:
        harness.cleanup()


def test_notices_reach_the_charm_when_new_or_repeated(harness: Harness[SidecarCharm]) -> None:
    early = harness.pebble_notify('app', 'example.com/early')  # before begin: recorded only
    harness.begin()
    first = harness.pebble_notify('app', 'example.com/backup', data={'size': '1'})
    again = harness.pebble_notify('app', 'example.com/backup', data={'size': '2'})
    quiet = harness.pebble_notify('app', 'example.com/once',
                                  repeat_after=datetime.timedelta(days=1))
    harness.pebble_notify('app', 'example.com/once', repeat_after=datetime.timedelta(days=1))
    assert first == again and first != early
    assert harness.charm.notices == [(first, 'example.com/backup', 'app'),
                                     (first, 'example.com/backup', 'app'),
                                     (quiet, 'example.com/once', 'app')]
    client = harness.model.unit.get_container('app').pebble
    notice = client.get_notice(first)
    assert (notice.occurrences, notice.last_data) == (2, {'size': '2'})
    assert [n.key for n in client.get_notices()] == [
        'example.com/early', 'example.com/backup', 'example.com/once']
    assert [n.key for n in client.get_notices(keys=['example.com/once'])] == \
        ['example.com/once']
    with pytest.raises(pebble.APIError):
        client.get_notice('999')


def test_a_failed_check_change_emits_check_failed(harness: Harness[SidecarCharm]) -> None:
    harness.begin_with_initial_hooks()
    container = harness.model.unit.get_container('app')
    change_id = container.get_check('up').change_id
    assert change_id
    change = container.pebble.get_change(change_id)
    assert (change.kind, change.status) == ('perform-check', 'Doing')
    harness.pebble_notify('app', change_id, type=pebble.NoticeType.CHANGE_UPDATE,
                          data={'kind': 'perform-check', 'check-name': 'up'})
    assert harness.charm.failed_checks == []  # still running: nothing failed
    change.status = pebble.ChangeStatus.ERROR.value  # what Pebble reports once it fails
    harness.pebble_notify('app', change_id, type=pebble.NoticeType.CHANGE_UPDATE,
                          data={'kind': 'perform-check', 'check-name': 'up'})
    assert harness.charm.failed_checks == ['up']


@pytest.fixture
def client() -> Iterator[Any]:
    harness = Harness(reactops.CharmBase, meta=META)
    harness.set_can_connect('app', True)
    yield harness.model.unit.get_container('app').pebble
    harness.cleanup()


def test_the_in_memory_pebble_is_the_ops_private_client(client: Any) -> None:
    assert isinstance(client, private_harness._TestingPebbleClient)
    client.add_layer('base', {'services': {'srv': {'override': 'replace', 'command': 'run',
                                                   'startup': 'enabled'}}})
    client.add_layer('base', {'services': {'srv': {'override': 'merge',
                                                   'environment': {'A': '1'}}}},
                     combine=True)
    with pytest.raises(RuntimeError, match='already exists'):
        client.add_layer('base', {})
    with pytest.raises(RuntimeError, match='override'):
        client.add_layer('base', {'services': {'srv': {'command': 'x'}}}, combine=True)
    assert client.get_plan().services['srv'].environment == {'A': '1'}
    assert client.get_services()[0].current == pebble.ServiceStatus.INACTIVE
    replan = client.replan_services()
    assert client.get_services(['srv'])[0].current == pebble.ServiceStatus.ACTIVE
    assert client.wait_change(replan).ready
    with pytest.raises(TypeError):
        client.start_services('srv')
    with pytest.raises(pebble.APIError):
        client.start_services([])
    with pytest.raises(pebble.APIError):
        client.stop_services(['srv', 'nope'])
    assert client.get_services(['srv'])[0].current == pebble.ServiceStatus.ACTIVE
    stop = client.stop_services(['srv'])
    assert client.get_change(stop).summary == 'Stop service srv'
    with pytest.raises(pebble.APIError, match='not running'):
        client.send_signal('SIGHUP', ['srv'])
    client.start_services(['srv'])
    client.send_signal('SIGHUP', ['srv'])
    with pytest.raises(pebble.APIError, match='invalid signal'):
        client.send_signal('SIGNOPE', ['srv'])


def test_checks_start_with_their_layer_and_stop_on_request(client: Any) -> None:
    client.add_layer('checks', {'checks': {
        'live': {'override': 'replace', 'level': 'alive', 'exec': {'command': 'true'}},
        'later': {'override': 'replace', 'startup': 'disabled',
                  'exec': {'command': 'true'}}}})
    live, later = sorted(client.get_checks(), key=lambda info: info.name, reverse=True)
    assert (live.status, live.threshold) == (pebble.CheckStatus.UP, 3)
    assert (later.status, later.change_id) == (pebble.CheckStatus.INACTIVE, '')
    assert [c.id for c in client.get_changes()] == [live.change_id]
    assert client.get_checks(level=pebble.CheckLevel.ALIVE) == [live]
    assert client.start_checks(['later', 'live']) == ['later']
    assert client.stop_checks(['live']) == ['live']
    assert live.status == pebble.CheckStatus.INACTIVE
    with pytest.raises(pebble.APIError):
        client.start_checks(['nope'])
    with pytest.raises(pebble.TimeoutError):
        client.wait_change(later.change_id, timeout=0.1)
    aborted = client.abort_change(later.change_id)
    assert aborted.status == 'Abort' and later.status == pebble.CheckStatus.INACTIVE


def test_identities_and_warnings(client: Any) -> None:
    assert client.get_warnings() == [] and client.ack_warnings(datetime.datetime.now()) == 0
    client.replace_identities({'bob': {'access': 'read', 'local': {'user-id': 42}}})
    assert client.get_identities()['bob'].local.user_id == 42
    client.replace_identities({'bob': None})
    assert client.get_identities() == {}
    with pytest.raises(pebble.APIError):
        client.remove_identities(['bob'])


class ReactiveSidecar(reactops.CharmBase):
    """The same workload, run by flag handlers on the ``container.app.*`` flags."""

    @reactops.when('container.app.ready')
    @reactops.when_not('app.configured')
    def configure(self) -> None:
        container = self.unit.get_container('app')
        container.add_layer('app', LAYER, combine=True)
        container.replan()
        reactops.set_flag('app.configured')

    @reactops.when('container.app.check.up.failed')
    def report_failing(self) -> None:
        self.unit.status = reactops.MaintenanceStatus('check up is failing')


def test_a_reactive_charm_sees_its_container_through_flags() -> None:
    harness: Harness[ReactiveSidecar] = Harness(ReactiveSidecar, meta=META)
    try:
        harness.begin()
        harness.update_config()
        assert 'app.configured' not in harness.flags  # Pebble is not reachable yet
        harness.container_pebble_ready('app')
        assert {'container.app.ready', 'app.configured'} <= set(harness.flags)
        container = harness.model.unit.get_container('app')
        assert container.get_service('app').is_running()
        change_id = container.get_check('up').change_id
        container.pebble.get_change(change_id).status = pebble.ChangeStatus.ERROR.value
        harness.pebble_notify('app', change_id, type=pebble.NoticeType.CHANGE_UPDATE,
                              data={'kind': 'perform-check', 'check-name': 'up'})
        assert 'container.app.check.up.failed' in harness.flags
        assert harness.model.unit.status == reactops.MaintenanceStatus('check up is failing')
    finally:
        harness.cleanup()
