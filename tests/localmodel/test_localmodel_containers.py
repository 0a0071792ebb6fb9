"""The local model runs a Kubernetes charm's containers: a workload manager per container
(a real daemon, real services), pebble-ready after the setup hooks, workload events from
the managers' notices, the containers in the status, and nothing left running once the
model is stopped or destroyed."""

from __future__ import annotations

import importlib.util
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from leftovers import processes_under

import reactops
from reactops import pebble
from reactops.localmodel import LocalModel, LocalModelError, _managers, load_bundle

ROOT = Path(reactops.__file__).resolve().parents[1]

METADATA = """\
name: box
summary: a Kubernetes test charm with one container
containers:
  work:
    resource: work-image
resources:
  work-image:
    type: oci-image
    upstream-source: ubuntu:24.04
  notes:
    type: file
    filename: notes.txt
"""

CHARM = '''\
#!/usr/bin/env python3
"""Runs a sleeper service and a check that fails while /srv/broken exists; logs events."""
import logging

import reactops

logger = logging.getLogger('box')
LAYER = {
    'services': {'sleeper': {
        'override': 'replace', 'startup': 'enabled',
        'command': 'python3 -c "import time; time.sleep(600)"'}},
    'checks': {'sound': {
        'override': 'replace', 'period': '0.2s', 'threshold': 1,
        'exec': {'command': 'test ! -e /srv/broken'}}},
}


class Box(reactops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.work_pebble_ready, self._on_ready)
        framework.observe(self.on.work_pebble_custom_notice, self._on_notice)
        framework.observe(self.on.work_pebble_check_failed, self._on_failed)
        framework.observe(self.on.work_pebble_check_recovered, self._on_recovered)

    def _on_start(self, event):
        logger.info('start: can_connect=%s', self.unit.get_container('work').can_connect())

    def _on_ready(self, event):
        container = event.workload
        logger.info('ready: %s can_connect=%s', container.name, container.can_connect())
        container.add_layer('box', LAYER, combine=True)
        container.replan()
        self.unit.status = reactops.ActiveStatus('sleeping')

    def _on_notice(self, event):
        logger.info('notice: %s %s %s', event.notice.id, event.notice.type.value,
                    event.notice.key)

    def _on_failed(self, event):
        logger.info('check failed: %s', event.info.name)
        self.unit.status = reactops.MaintenanceStatus(f'check {event.info.name} fails')

    def _on_recovered(self, event):
        logger.info('check recovered: %s', event.info.name)
        self.unit.status = reactops.ActiveStatus('sleeping')


if __name__ == '__main__':
    reactops.main(Box)
'''


@pytest.fixture(scope='module', autouse=True)
def manager_daemon() -> None:
    """These tests need the workload manager; its absence is a failure, never a skip."""
    assert importlib.util.find_spec('reactops.localmodel._workload.__main__') is not None, \
        'the workload manager (python -m reactops.localmodel._workload) is missing'


@pytest.fixture(scope='module')
def charm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp('charms') / 'box'
    (path / 'src').mkdir(parents=True)
    (path / 'metadata.yaml').write_text(METADATA)
    (path / 'src' / 'charm.py').write_text(CHARM)
    (path / 'dispatch').write_text('#!/bin/sh\nJUJU_DISPATCH_PATH="${JUJU_DISPATCH_PATH:-$0}" '
                                   'PYTHONPATH=lib exec /usr/bin/env python3 ./src/charm.py\n')
    (path / 'dispatch').chmod(0o755)
    return path


@pytest.fixture
def model(tmp_path: Path, charm: Path) -> Iterator[LocalModel]:
    """box/0 deployed and settled; its workloads stopped at the end, whatever happens."""
    with LocalModel(tmp_path / 'model', hook_timeout=60) as model:
        model.create()
        model.deploy('box', charm)
        model.settle()
        yield model
    assert processes_under(tmp_path) == {}


def logs(model: LocalModel, unit: str = 'box/0') -> list[tuple[str, list[str]]]:
    """Each hook *unit* ran, with its juju-log messages."""
    return [(run.hook, [message for _, message in lines])
            for run, lines in model.hook_runs(unit)]


def client(model: LocalModel) -> pebble.Client:
    (container,) = model.state.containers('box/0')
    return pebble.Client(socket_path=str(Path(container.sockets) / 'work' / 'pebble.socket'))


def reactops_cmd(model_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env.update(PYTHONPATH=str(ROOT), REACTOPS_MODEL_DIR=str(model_dir))
    result = subprocess.run([sys.executable, '-m', 'reactops.cli', *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_pebble_ready_follows_the_setup_hooks_and_the_service_runs(model: LocalModel) -> None:
    ran = logs(model)
    assert [hook for hook, _ in ran] == ['install', 'leader-elected', 'config-changed',
                                         'start', 'work-pebble-ready']
    assert ran[3][1] == ['start: can_connect=True']  # the manager is up before any hook
    assert ran[4][1] == ['ready: work can_connect=True']
    (view,) = model.containers('box/0')
    assert view.pid is not None
    assert (view.resource, view.image) == ('work-image', 'ubuntu:24.04')
    assert view.services == (('sleeper', 'active'),)
    assert [check[:2] for check in view.checks] == [('sound', 'up')]
    assert (model.dir / 'units' / 'box-0' / 'containers' / 'work' / 'fs').is_dir()
    (container,) = model.state.containers('box/0')
    assert (Path(container.sockets) / 'work' / 'pebble.socket').is_socket()

    out = reactops_cmd(model.dir, 'status').stdout
    assert f'container work: manager up (pid {view.pid}), image ubuntu:24.04 (work-image)' \
        in out
    assert 'service sleeper: active' in out
    assert 'check sound: up (0/1 failures)' in out
    assert 'not pulled' in out


def test_notices_and_checks_become_workload_events(model: LocalModel) -> None:
    notice_id = client(model).notify(pebble.NoticeType.CUSTOM, 'example.com/wake')
    model.settle()
    assert logs(model)[-1] == ('work-pebble-custom-notice',
                               [f'notice: {notice_id} custom example.com/wake'])
    model.settle()
    assert logs(model)[-1][0] == 'work-pebble-custom-notice'  # seen once, not again

    broken = model.dir / 'units' / 'box-0' / 'containers' / 'work' / 'fs' / 'srv' / 'broken'
    broken.parent.mkdir(parents=True)
    broken.touch()
    model.watch(20, lambda m: m.state.unit('box/0').status == 'maintenance', interval=0.1)
    assert logs(model)[-1] == ('work-pebble-check-failed', ['check failed: sound'])
    (view,) = model.containers('box/0')
    assert view.checks[0][:2] == ('sound', 'down')

    broken.unlink()
    model.watch(20, lambda m: m.state.unit('box/0').status == 'active', interval=0.1)
    assert logs(model)[-1] == ('work-pebble-check-recovered', ['check recovered: sound'])


def test_a_killed_manager_is_started_again_with_pebble_ready(model: LocalModel) -> None:
    (before,) = model.containers('box/0')
    assert before.pid is not None
    sleeper = [pid for pid, cmd in processes_under(model.dir).items() if 'sleep' in cmd]
    assert len(sleeper) == 1
    os.kill(before.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _managers.running_pid(model.dir / 'units' / 'box-0' / 'containers' / 'work'):
        assert time.monotonic() < deadline, 'the killed manager did not go'
        time.sleep(0.02)
    assert model.containers('box/0')[0].pid is None  # down: shown so, not faked

    model.settle()
    (after,) = model.containers('box/0')
    assert after.pid not in (None, before.pid)
    hooks = [hook for hook, _ in logs(model)]
    assert hooks[-1] == 'work-pebble-ready' and hooks.count('work-pebble-ready') == 2
    assert after.services == (('sleeper', 'active'),)
    # The service the killed manager left running went with it; one sleeper runs.
    now = [pid for pid, cmd in processes_under(model.dir).items() if 'sleep' in cmd]
    assert len(now) == 1 and now != sleeper


def test_a_manager_that_cannot_start_is_an_error_naming_its_log(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['PYTHONPATH'] = str(ROOT)
    first = _managers.Manager(tmp_path / 'a', tmp_path / 's.socket', 'container a')
    second = _managers.Manager(tmp_path / 'b', tmp_path / 's.socket', 'container b')
    _managers.start([first], env)
    try:
        with pytest.raises(LocalModelError) as error:
            _managers.start([second], env)
        message = str(error.value)
        assert 'the workload manager of container b exited (status 2) before it ' \
               'listened' in message
        assert f'see its log {tmp_path / "b" / "manager.log"}' in message
        assert 'another manager already serves' in message
    finally:
        assert len(_managers.stop([first.root, second.root])) == 1
    assert processes_under(tmp_path) == {}


def test_long_model_paths_stop_and_destroy(tmp_path: Path, charm: Path) -> None:
    """A model too deep for Unix socket paths keeps its sockets in a private folder;
    ``reactops stop`` stops everything, the next settle starts it again, and
    ``reactops destroy`` leaves nothing, neither process nor folder."""
    model_dir = tmp_path / ('deep-' * 12) / 'model'
    bundle = tmp_path / 'bundle.yaml'
    bundle.write_text(f'applications:\n  box:\n    charm: {charm}\n'
                      f'    resources: {{work-image: "registry.example/box:1"}}\n')
    out = reactops_cmd(model_dir, 'run', str(bundle)).stdout
    assert 'box/0            work-pebble-ready' in out
    assert 'image registry.example/box:1 (work-image)' in out
    private = _managers.private_base(model_dir)
    try:
        assert private.is_dir() and stat.S_IMODE(private.stat().st_mode) == 0o700
        socket = private / 'box-0' / 'work' / 'pebble.socket'
        assert socket.is_socket()
        assert len(processes_under(tmp_path)) == 2  # the manager and its sleeper

        assert 'Stopped 1 workload manager(s)' in reactops_cmd(model_dir, 'stop').stdout
        assert processes_under(tmp_path) == {}
        assert 'manager down' in reactops_cmd(model_dir, 'status').stdout
        out = reactops_cmd(model_dir, 'settle').stdout
        assert 'box/0            work-pebble-ready' in out
        assert 'service sleeper: active' in out

        help_text = reactops_cmd(model_dir, '--help').stdout
        assert 'stop' in help_text and 'destroy' in help_text
        assert 'removed the local model' in reactops_cmd(model_dir, 'destroy').stdout
        assert not model_dir.exists() and not private.exists()
        assert processes_under(tmp_path) == {}
    finally:
        _managers.stop(_managers.find_roots(model_dir))
        _managers.remove_private_base(model_dir)


def test_creating_a_model_again_stops_the_old_ones_workloads(tmp_path: Path,
                                                               charm: Path) -> None:
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('box', charm)
        (old,) = model.containers('box/0')
        assert old.pid is not None
        model.create()
        assert processes_under(tmp_path) == {}
        assert model.state.units() == []
    assert processes_under(tmp_path) == {}


def test_bundle_resources_name_images_of_declared_oci_resources(tmp_path: Path,
                                                                 charm: Path) -> None:
    def bundle(resources: str) -> Path:
        path = tmp_path / 'bundle.yaml'
        path.write_text(f'applications:\n  box:\n    charm: {charm}\n'
                        f'    resources: {resources}\n')
        return path

    (app,) = load_bundle(bundle('{work-image: "python:3.12", }')).applications
    assert app.resources == {'work-image': 'python:3.12'}
    with pytest.raises(LocalModelError, match=r"application 'box': application 'box' has no "
                                              r"resource 'web-image' \(its oci-image "
                                              r'resources: work-image\)'):
        load_bundle(bundle('{web-image: x}'))
    with pytest.raises(LocalModelError, match="resource 'notes' of application 'box' is a "
                                              'file; the local model provides no file '
                                              'resources'):
        load_bundle(bundle('{notes: ./notes.txt}'))
    with pytest.raises(LocalModelError, match='must be an image reference or a revision '
                                              'number'):
        load_bundle(bundle('{work-image: [a]}'))


def test_sockets_live_in_the_model_unless_their_paths_are_too_long() -> None:
    short = Path('/m')
    assert _managers.sockets_dir(short / 'units' / 'box-0', short, ['work']) == \
        Path('/m/units/box-0/containers')
    deep = Path('/m') / ('d' * 80)
    assert _managers.sockets_dir(deep / 'units' / 'box-0', deep, ['work']) == \
        _managers.private_base(deep) / 'box-0'
    with pytest.raises(LocalModelError, match="the socket of container 'w+' would be longer "
                                              'than Unix allows'):
        _managers.sockets_dir(short / 'units' / 'box-0', short, ['w' * 120])


def test_the_socket_folder_in_the_temporary_directory_must_be_private(tmp_path: Path) -> None:
    model_dir = tmp_path / ('deep-' * 20) / 'model'
    private = _managers.private_base(model_dir)
    private.mkdir(mode=0o755)
    private.chmod(0o755)
    try:
        manager = _managers.Manager(tmp_path / 'c', private / 'box-0' / 'c' / 'pebble.socket',
                                    'container c')
        with pytest.raises(LocalModelError, match='is not a private folder of yours'):
            _managers.start([manager], dict(os.environ))
    finally:
        private.rmdir()
    assert Path(tempfile.gettempdir()) in private.parents
    assert processes_under(tmp_path) == {}
