"""A unit's workload containers, driven through a Pebble-speaking server on a Unix socket.

The server (tests/pebbleserver.py) stands where Juju mounts each container's socket;
``REACTOPS_CONTAINERS_DIR`` points the model there. The last tests dispatch a Kubernetes
charm's workload hooks as real processes, with fake hook tools.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from charmrun import CharmUnit
from pebbleserver import PebbleServer

from reactops import pebble
from reactops._private.backend import ModelBackend
from reactops.errors import ModelError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import (
    CheckInfoMapping,
    Container,
    LazyCheckInfo,
    LazyNotice,
    Model,
    MultiPushPullError,
    ServiceInfoMapping,
)

META = CharmMeta.from_yaml("""
name: web
containers:
  web: {resource: web-image}
  sidecar: {resource: sidecar-image}
resources:
  web-image: {type: oci-image}
  sidecar-image: {type: oci-image}
""")

LAYER = """
summary: web
services:
  web:
    override: replace
    command: sleep 1000
    startup: enabled
checks:
  up:
    override: replace
    level: alive
    exec: {command: "true"}
"""


def _model(juju_version: str = '3.6.0') -> Model:
    context = JujuContext._from_dict({'JUJU_UNIT_NAME': 'web/0', 'JUJU_MODEL_NAME': 'm',
                                      'JUJU_VERSION': juju_version})
    return Model(META, ModelBackend(context))


@pytest.fixture
def containers_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / 'containers'
    where.mkdir()
    monkeypatch.setenv('REACTOPS_CONTAINERS_DIR', str(where))
    return where


@pytest.fixture
def server(containers_dir: Path) -> Iterator[PebbleServer]:
    with PebbleServer(containers_dir / 'web') as srv:
        yield srv


@pytest.fixture
def web(server: PebbleServer) -> Container:
    return _model().unit.get_container('web')


def test_the_unit_lists_its_containers_from_metadata() -> None:
    unit = _model().unit
    assert sorted(unit.containers) == ['sidecar', 'web']
    assert len(unit.containers) == 2
    assert unit.get_container('web') is unit.containers['web']
    assert unit.get_container('web').name == 'web'
    with pytest.raises(ModelError, match="container 'db' not found"):
        unit.get_container('db')


def test_another_units_containers_cannot_be_reached() -> None:
    other = _model().get_unit('web/1')
    with pytest.raises(RuntimeError, match='remote unit'):
        other.containers  # noqa: B018


def test_the_socket_is_where_juju_mounts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('REACTOPS_CONTAINERS_DIR', raising=False)
    container = _model().unit.get_container('web')
    assert container.pebble.socket_path == '/charm/containers/web/pebble.socket'


def test_the_containers_dir_setting_moves_every_socket(containers_dir: Path) -> None:
    container = _model().unit.get_container('sidecar')
    assert container.pebble.socket_path == str(containers_dir / 'sidecar' / 'pebble.socket')


def test_can_connect_is_false_without_pebble_and_true_with_it(server: PebbleServer) -> None:
    unit = _model().unit
    assert unit.get_container('web').can_connect()
    assert not unit.get_container('sidecar').can_connect()  # nothing serves its socket


def test_a_layer_and_replan_start_the_enabled_service(web: Container,
                                                       server: PebbleServer) -> None:
    web.add_layer('web', LAYER, combine=True)
    assert web.get_plan().services['web'].command == 'sleep 1000'

    web.replan()

    services = web.get_services()
    assert isinstance(services, ServiceInfoMapping)
    assert list(services) == ['web']
    assert web.get_service('web').is_running()
    assert server.running == {'web'}


def test_stop_start_and_restart_name_at_least_one_service(web: Container,
                                                          server: PebbleServer) -> None:
    web.add_layer('web', LAYER)
    web.start('web')
    web.stop('web')
    assert not web.get_service('web').is_running()
    web.restart('web')
    assert web.get_service('web').is_running()
    for method in (web.start, web.stop, web.restart):
        with pytest.raises(TypeError, match='at least 1'):
            method()


def test_a_service_or_check_not_in_the_plan_is_a_model_error(web: Container) -> None:
    web.add_layer('web', LAYER)
    with pytest.raises(ModelError, match="service 'db' not found"):
        web.get_service('db')
    with pytest.raises(ModelError, match="check 'down' not found"):
        web.get_check('down')


@pytest.mark.filterwarnings('ignore:JujuLogHandler is not set up')
def test_checks_are_read_stopped_and_started(web: Container) -> None:
    web.add_layer('web', LAYER)
    checks = web.get_checks()
    assert isinstance(checks, CheckInfoMapping)
    assert checks['up'].level == pebble.CheckLevel.ALIVE
    assert web.stop_checks('up') == ['up']
    assert web.start_checks('up') == ['up']
    with pytest.raises(TypeError):
        web.stop_checks()


def test_files_are_pushed_read_listed_and_removed(web: Container,
                                                  server: PebbleServer) -> None:
    web.push('/etc/web/web.conf', 'port = 8080\n', make_dirs=True, permissions=0o600)
    assert (server.fs / 'etc/web/web.conf').read_text() == 'port = 8080\n'
    with web.pull('/etc/web/web.conf') as stream:
        assert stream.read() == 'port = 8080\n'
    with web.pull('/etc/web/web.conf', encoding=None) as binary:
        assert binary.read() == b'port = 8080\n'
    [info] = web.list_files('/etc/web', pattern='*.conf')
    assert (info.name, info.permissions) == ('web.conf', 0o600)
    assert web.exists('/etc/web/web.conf') and not web.isdir('/etc/web/web.conf')
    assert web.isdir('/etc/web')
    assert not web.exists('/etc/missing')

    web.make_dir('/srv/data/cache', make_parents=True)
    assert web.isdir('/srv/data/cache')
    web.remove_path('/srv', recursive=True)
    assert not web.exists('/srv')
    with pytest.raises(pebble.PathError):
        web.remove_path('/srv')


def test_push_path_and_pull_path_copy_trees(web: Container, server: PebbleServer,
                                            tmp_path: Path) -> None:
    source = tmp_path / 'site'
    (source / 'static').mkdir(parents=True)
    (source / 'index.html').write_text('<h1>hi</h1>')
    (source / 'static' / 'app.js').write_text('run()')

    web.push_path(source, '/srv')                 # the directory under its own name
    web.push_path(f'{source}/*', '/www')          # only its contents
    assert (server.fs / 'srv/site/static/app.js').read_text() == 'run()'
    assert (server.fs / 'www/index.html').read_text() == '<h1>hi</h1>'

    back = tmp_path / 'back'
    web.pull_path(['/srv/site/index.html', '/www/static'], back)
    assert (back / 'index.html').read_text() == '<h1>hi</h1>'
    assert (back / 'static' / 'app.js').read_text() == 'run()'


def test_a_failed_copy_names_every_failure(web: Container, tmp_path: Path) -> None:
    (tmp_path / 'ok.txt').write_text('ok')
    with pytest.raises(MultiPushPullError) as caught:
        web.push_path([tmp_path / 'missing', tmp_path / 'ok.txt'], '/dst')
    assert [path for path, _ in caught.value.errors] == [str(tmp_path / 'missing')]
    assert web.exists('/dst/ok.txt')  # the copy went on past the failure
    assert 'failed to push one or more files (1 errors)' in str(caught.value)


def test_exec_runs_the_command_and_reports_failure(web: Container) -> None:
    out, err = web.exec(['sh', '-c', 'echo out; echo err >&2']).wait_output()
    assert (out, err) == ('out\n', 'err\n')
    process = web.exec(['cat'], stdin=io.BytesIO(b'raw'), encoding=None)
    assert process.wait_output() == (b'raw', b'')
    with pytest.raises(pebble.ExecError) as caught:
        web.exec(['sh', '-c', 'exit 3']).wait_output()
    assert caught.value.exit_code == 3


def test_exec_in_a_service_context_needs_a_recent_juju(server: PebbleServer) -> None:
    old = Model(META, ModelBackend(JujuContext._from_dict(
        {'JUJU_UNIT_NAME': 'web/0', 'JUJU_VERSION': '3.1.5'}))).unit.get_container('web')
    with pytest.raises(RuntimeError, match='service_context not supported on Juju version'):
        old.exec(['true'], service_context='web')


def test_notices_are_found_by_id_and_lazily(web: Container) -> None:
    notice_id = web.pebble.notify(pebble.NoticeType.CUSTOM, 'example.com/reload',
                                  data={'why': 'config'})
    assert web.get_notice(notice_id).key == 'example.com/reload'
    assert [n.id for n in web.get_notices(keys=['example.com/reload'])] == [notice_id]
    with pytest.raises(ModelError, match="notice '999' not found"):
        web.get_notice('999')

    lazy = LazyNotice(web, notice_id, 'custom', 'example.com/reload')
    assert lazy.type is pebble.NoticeType.CUSTOM
    assert repr(lazy) == (f"LazyNotice(id={notice_id!r}, type=NoticeType.CUSTOM, "
                          f"key='example.com/reload')")
    assert lazy.last_data == {'why': 'config'}  # fetched from Pebble only now
    assert lazy.occurrences == 1


def test_a_lazy_check_reads_pebble_on_first_use(web: Container) -> None:
    web.add_layer('web', LAYER)
    info = LazyCheckInfo(web, 'up')
    assert repr(info) == "LazyCheckInfo(name='up')"
    assert info.level == pebble.CheckLevel.ALIVE


K8S_CHARM = """\
import ops


class WebCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.web_pebble_ready, self._on_ready)
        framework.observe(self.on.web_pebble_custom_notice, self._on_notice)
        framework.observe(self.on.web_pebble_check_failed, self._on_check_failed)

    def _on_ready(self, event):
        event.workload.add_layer('web', LAYER, combine=True)
        event.workload.replan()
        self.unit.status = ops.ActiveStatus(
            'serving ' + ','.join(event.workload.get_services()))

    def _on_notice(self, event):
        self.unit.status = ops.MaintenanceStatus(
            f'{event.notice.key}: {event.notice.last_data["why"]}')

    def _on_check_failed(self, event):
        self.unit.status = ops.BlockedStatus(f'{event.info.name} is {event.info.status}')


LAYER = {LAYER!r}

if __name__ == '__main__':
    ops.main(WebCharm)
"""


@pytest.fixture
def k8s_unit(tmp_path: Path) -> CharmUnit:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'src' / 'charm.py').write_text(K8S_CHARM.replace('{LAYER!r}', repr(LAYER)))
    (source / 'metadata.yaml').write_text(textwrap.dedent("""\
        name: web
        containers:
          web: {resource: web-image}
        resources:
          web-image: {type: oci-image}
        """))
    return CharmUnit(tmp_path / 'unit', source, 'web/0')


def _statuses(argvs: list[list[str]]) -> list[list[str]]:
    return [argv[1:] for argv in argvs if argv[0] == 'status-set']


def test_a_pebble_ready_hook_gets_its_container(k8s_unit: CharmUnit, tmp_path: Path) -> None:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        argvs = k8s_unit.ok('hooks/web-pebble-ready', JUJU_WORKLOAD_NAME='web',
                            REACTOPS_CONTAINERS_DIR=str(tmp_path / 'containers'))
    assert server.running == {'web'}
    assert _statuses(argvs) == [['--application=false', 'active', '--', 'serving web']]


def test_a_custom_notice_hook_reads_the_notice(k8s_unit: CharmUnit, tmp_path: Path) -> None:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        client = pebble.Client(socket_path=server.socket_path)
        notice_id = client.notify(pebble.NoticeType.CUSTOM, 'example.com/reload',
                                  data={'why': 'rotated'})
        argvs = k8s_unit.ok('hooks/web-pebble-custom-notice', JUJU_WORKLOAD_NAME='web',
                            JUJU_NOTICE_ID=notice_id, JUJU_NOTICE_TYPE='custom',
                            JUJU_NOTICE_KEY='example.com/reload',
                            REACTOPS_CONTAINERS_DIR=str(tmp_path / 'containers'))
    assert _statuses(argvs) == [['--application=false', 'maintenance', '--',
                                 'example.com/reload: rotated']]


def test_a_check_failed_hook_reads_the_check(k8s_unit: CharmUnit, tmp_path: Path) -> None:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        pebble.Client(socket_path=server.socket_path).add_layer('web', LAYER)
        argvs = k8s_unit.ok('hooks/web-pebble-check-failed', JUJU_WORKLOAD_NAME='web',
                            JUJU_PEBBLE_CHECK_NAME='up',
                            REACTOPS_CONTAINERS_DIR=str(tmp_path / 'containers'))
    [status] = _statuses(argvs)
    assert status[:3] == ['--application=false', 'blocked', '--']
    assert status[3].startswith('up is ')


def test_a_machine_charm_has_no_containers() -> None:
    context = JujuContext._from_dict({'JUJU_UNIT_NAME': 'db/0'})
    unit = Model(CharmMeta.from_yaml('name: db\n'), ModelBackend(context)).unit
    assert dict(unit.containers) == {}
    assert 'db' not in unit.containers
    with pytest.raises(ModelError, match="container 'db' not found"):
        unit.get_container('db')
