"""One simulated Pebble filesystem for both testing styles: a charm's container answers the
same file calls the same way under the Harness and under a Context run, and the model's
push_path describes local files with the same builder."""

from __future__ import annotations

import getpass
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import reactops
from reactops import pebble
from reactops._private.pebble_files import file_info
from reactops.testing import Container, Context, ExecResult, Harness, State
from reactops.testing._pebble_sim import longest_prefix, parse_layer, place_layer

META = {'name': 'web', 'containers': {'app': {}}}
META_YAML = 'name: web\ncontainers:\n  app: {}\n'


class Idle(reactops.CharmBase):
    """A charm that does nothing: the tests drive its container directly."""


@pytest.fixture(params=['harness', 'scenario'])
def workload(request: pytest.FixtureRequest) -> Iterator[tuple[reactops.Container, Path]]:
    """The charm's container ``app`` (Pebble reachable) and the directory standing for its
    root, under the Harness or inside a Context run."""
    if request.param == 'harness':
        harness: Harness[Idle] = Harness(Idle, meta=META_YAML)
        harness.set_can_connect('app', True)
        harness.begin()
        yield harness.model.unit.get_container('app'), harness.get_filesystem_root('app')
        harness.cleanup()
        return
    ctx = Context(Idle, meta=META)
    state_container = Container('app', can_connect=True)
    with ctx(ctx.on.update_status(), State(containers={state_container})) as mgr:
        yield mgr.charm.unit.get_container('app'), state_container.get_filesystem(ctx)


def test_listing_is_sorted_and_names_files_by_their_container_path(
        workload: tuple[reactops.Container, Path]) -> None:
    container, root = workload
    for name in ('b.txt', 'a.txt', 'c.txt'):
        container.push(f'/srv/{name}', name, make_dirs=True, permissions=0o600)
    infos = container.list_files('/srv')
    assert [info.path for info in infos] == ['/srv/a.txt', '/srv/b.txt', '/srv/c.txt']
    first = infos[0]
    assert (first.name, first.type, first.size, first.permissions) == \
        ('a.txt', pebble.FileType.FILE, 5, 0o600)
    assert (first.user_id, first.user) == (os.getuid(), getpass.getuser())
    (top,) = container.list_files('/', itself=True)
    assert (top.path, top.name, top.type) == ('/', '/', pebble.FileType.DIRECTORY)
    assert [info.name for info in container.list_files('/srv', pattern='[ab]*')] == \
        ['a.txt', 'b.txt']
    assert (root / 'srv' / 'b.txt').read_text() == 'b.txt'


def test_push_takes_text_bytes_and_readable_sources(
        workload: tuple[reactops.Container, Path]) -> None:
    container, _ = workload
    sources: list[Any] = ['text', b'bytes', bytearray(b'array'), memoryview(b'view'),
                          io.StringIO('stream'), io.BytesIO(b'binary stream')]
    for index, source in enumerate(sources):
        container.push(f'/f{index}', source)
    assert [container.pull(f'/f{index}').read() for index in range(len(sources))] == \
        ['text', 'bytes', 'array', 'view', 'stream', 'binary stream']
    assert container.list_files('/f0')[0].permissions == 0o644


def test_a_push_into_a_missing_directory_names_it(
        workload: tuple[reactops.Container, Path]) -> None:
    container, _ = workload
    with pytest.raises(pebble.PathError) as info:
        container.push('/etc/app/app.conf', 'x')
    assert (info.value.kind, info.value.message) == \
        ('not-found', 'parent directory not found: /etc/app')


def test_removing_a_symlink_removes_the_link_not_its_target(
        workload: tuple[reactops.Container, Path], tmp_path: Path) -> None:
    container, root = workload
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'keep.txt').write_text('kept')
    (root / 'linked').symlink_to(outside)
    (root / 'dangling').symlink_to(tmp_path / 'nowhere')
    (link,) = container.list_files('/linked', itself=True)
    assert link.type == pebble.FileType.SYMLINK
    container.remove_path('/linked', recursive=True)
    container.remove_path('/dangling')
    assert not (root / 'linked').is_symlink() and not (root / 'dangling').is_symlink()
    assert (outside / 'keep.txt').read_text() == 'kept'
    container.remove_path('/dangling', recursive=True)  # gone: no error, like rm -rf
    with pytest.raises(pebble.PathError, match='no such file or directory'):
        container.remove_path('/dangling')


def test_the_model_describes_a_local_file_as_pebble_would(tmp_path: Path) -> None:
    local = tmp_path / 'conf.yaml'
    local.write_text('a: 1\n')
    local.chmod(0o640)
    info = file_info(local)
    assert (info.path, info.name, info.type, info.size, info.permissions) == \
        (str(local), 'conf.yaml', pebble.FileType.FILE, 5, 0o640)
    shown = file_info(tmp_path, '/')
    assert (shown.path, shown.name, shown.type) == ('/', '/', pebble.FileType.DIRECTORY)


def test_an_owner_without_a_name_is_reported_by_number(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import grp
    import pwd

    def unknown(number: int) -> Any:
        raise KeyError(number)

    monkeypatch.setattr(pwd, 'getpwuid', unknown)
    monkeypatch.setattr(grp, 'getgrgid', unknown)
    with caplog.at_level(logging.WARNING, logger='reactops.model'):
        info = file_info(tmp_path)
    assert (info.user_id, info.user, info.group_id, info.group) == \
        (os.getuid(), None, os.getgid(), None)
    assert [record.getMessage() for record in caplog.records] == \
        [f'no user name for uid {os.getuid()}', f'no group name for gid {os.getgid()}']


def test_the_longest_registered_prefix_answers_a_command() -> None:
    table = {(): 'any', ('git',): 'git', ('git', 'log'): 'log'}
    assert longest_prefix(table, ['git', 'log', '-1']) == 'log'
    assert longest_prefix(table, ['git', 'status']) == 'git'
    assert longest_prefix(table, ['ls']) == 'any'
    assert longest_prefix({('git',): 'git'}, ['ls']) is None


def test_a_harness_exec_without_a_handler_fails_before_its_service_context_is_read() -> None:
    harness: Harness[Idle] = Harness(Idle, meta=META_YAML)
    harness.set_can_connect('app', True)
    harness.begin()
    container = harness.model.unit.get_container('app')
    with pytest.raises(pebble.APIError, match='execution handler not found'):
        container.exec(['ls'], service_context='missing')
    harness.handle_exec('app', ['ls'], result=ExecResult(stdout='a\n'))
    with pytest.raises(pebble.APIError, match='context service "missing" not found'):
        container.exec(['ls'], service_context='missing')
    assert container.exec(['ls', '-l']).wait_output() == ('a\n', '')
    harness.cleanup()


def test_place_layer_adds_refuses_a_duplicate_and_combines_by_override() -> None:
    layers: dict[str, pebble.Layer] = {}
    base = 'services: {web: {override: replace, command: web, environment: {A: "1"}}}'
    place_layer(layers, 'base', parse_layer('base', base), combine=False)
    with pytest.raises(RuntimeError, match='layer "base" already exists'):
        place_layer(layers, 'base', parse_layer('base', base), combine=False)
    more = 'services: {web: {override: merge, environment: {B: "2"}}}'
    place_layer(layers, 'base', parse_layer('base', more), combine=True)
    assert layers['base'].services['web'].environment == {'A': '1', 'B': '2'}
    with pytest.raises(RuntimeError, match='must define "override" for service "web"'):
        place_layer(layers, 'base', parse_layer('base', 'services: {web: {}}'), combine=True)
    with pytest.raises(TypeError, match='layer must be str, dict, or pebble.Layer'):
        parse_layer('base', 42)  # type: ignore[arg-type]


def test_services_signals_and_notices_answer_alike_in_both_styles(
        workload: tuple[reactops.Container, Path]) -> None:
    container, _ = workload
    container.add_layer('web', 'services: {web: {override: replace, command: web}, '
                               'db: {override: replace, command: db, startup: enabled}}')
    container.start('web')
    assert [(s.name, s.startup, s.current) for s in container.pebble.get_services()] == [
        ('db', pebble.ServiceStartup.ENABLED, pebble.ServiceStatus.INACTIVE),
        ('web', pebble.ServiceStartup.DISABLED, pebble.ServiceStatus.ACTIVE)]
    assert [s.name for s in container.pebble.get_services(['web', 'nope'])] == ['web']
    container.send_signal('SIGHUP', 'web')
    with pytest.raises(pebble.APIError, match='cannot send signal to "db": service is not'):
        container.send_signal('SIGHUP', 'web', 'db')
    with pytest.raises(pebble.APIError, match='invalid signal name "SIGNOPE"'):
        container.send_signal('SIGNOPE', 'web')
    client = container.pebble
    client.notify(pebble.NoticeType.CUSTOM, 'example.com/b')
    client.notify(pebble.NoticeType.CUSTOM, 'example.com/a')
    assert [n.key for n in client.get_notices()] == ['example.com/b', 'example.com/a']
    assert [n.key for n in client.get_notices(keys=['example.com/a'])] == ['example.com/a']
    assert client.get_notices(types=['change-update']) == []
    assert client.get_notices(user_id=1000) == []
    assert len(client.get_notices(users=pebble.NoticesUsers.ALL)) == 2
    with pytest.raises(pebble.APIError, match='cannot use both "users" and "user_id"'):
        client.get_notices(users=pebble.NoticesUsers.ALL, user_id=0)
