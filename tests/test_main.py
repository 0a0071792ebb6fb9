"""main(): the example ops-style charm, one real process per hook, against fake hook tools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from charmrun import REPO, CharmUnit

EXAMPLE = REPO / 'examples' / 'tinyweb'


class Unit(CharmUnit):
    """The tinyweb example deployed on one fake unit; each hook is a fresh process."""

    def __init__(self, root: Path, **state: Any):
        super().__init__(root, EXAMPLE, 'tinyweb/0', **state)


@pytest.fixture
def unit(tmp_path: Path) -> Unit:
    return Unit(tmp_path, config={'port': 8080, 'greeting': 'hello'})


def test_install_sends_exactly_the_hook_tools_the_charm_needs(unit: Unit) -> None:
    argvs = unit.ok('hooks/install')
    assert argvs == [
        ['status-set', '--application=false', 'maintenance', '--', 'installing the web server'],
        ['application-version-set', '--', '1.0'],
        ['config-get', '--format=json'],
        ['status-set', '--application=false', 'active', '--', 'serving on :8080'],
    ]
    state = unit.juju.state()
    assert state['workload_version'] == '1.0'
    assert state['status']['unit']['status'] == 'active'


def test_the_leader_publishes_unit_and_app_data_once_per_bag(unit: Unit) -> None:
    unit.juju.update(leader=True, networks={'website': {
        'bind-addresses': [{'interface-name': 'eth0',
                            'addresses': [{'value': '10.0.0.10', 'cidr': '10.0.0.0/24'}]}],
        'egress-subnets': ['10.0.0.10/32'], 'ingress-addresses': ['10.0.0.10']}})
    unit.juju.add_relation('website', 1, 'client', ['client/0'],
                           data={'client/0': {'ingress-address': '10.0.0.20'}})
    unit.ok('hooks/install')
    argvs = unit.ok('hooks/config-changed')
    sets = [c for c in unit.juju.calls() if c['tool'] == 'relation-set']
    assert [c['argv'] for c in sets] == [
        ['relation-set', '-r', 'website:1', '--file', '-'],
        ['relation-set', '-r', 'website:1', '--app', '--file', '-'],
    ]
    assert json.loads(sets[0]['stdin']) == {'hostname': '10.0.0.10', 'port': '8080'}
    assert json.loads(sets[1]['stdin']) == {'greeting': 'hello'}
    assert ['open-port', '8080/tcp'] in argvs
    assert unit.bag('website:1', 'tinyweb/0') == {'hostname': '10.0.0.10', 'port': '8080'}
    assert unit.bag('website:1', 'tinyweb') == {'greeting': 'hello'}
    assert sum(argv[0] == 'is-leader' for argv in argvs) == 1  # cached for the dispatch
    assert sum(argv[0] == 'config-get' for argv in argvs) == 1

    # The next hook writes without reading first: still one relation-set per bag, and no
    # relation-get of our own bags (Juju ignores a write of equal data).
    argvs = unit.ok('hooks/config-changed')
    assert [argv[:3] for argv in argvs if argv[0] == 'relation-set'] == [
        ['relation-set', '-r', 'website:1']] * 2
    assert not [argv for argv in argvs if argv[0] == 'relation-get']


def test_a_deferred_event_waits_in_the_state_file_for_a_later_hook(unit: Unit) -> None:
    unit.ok('hooks/config-changed')  # before install: deferred
    assert not [a for a in unit.juju.argvs() if a[0] == 'open-port']
    argvs = unit.ok('hooks/install')  # config-changed re-runs first and defers again
    assert not [a for a in argvs if a[0] == 'open-port']
    argvs = unit.ok('hooks/update-status')  # now installed: the deferred event runs
    assert ['open-port', '8080/tcp'] in argvs
    argvs = unit.ok('hooks/update-status')  # and is gone from the queue
    assert ['open-port', '8080/tcp'] not in argvs


def test_an_action_reads_params_and_reports_results(unit: Unit) -> None:
    unit.ok('hooks/install')
    unit.juju.update(action={'params': {'reason': 'new cert'}})
    argvs = unit.ok('actions/restart', JUJU_ACTION_NAME='restart', JUJU_ACTION_UUID='7')
    assert ['action-get', '--format=json'] in argvs
    assert ['action-log', '--', 'restarting because: new cert'] in argvs
    assert ['action-set', 'restarts=1', 'server.port=8080'] in argvs
    action = unit.juju.state()['action']
    assert action['results'] == {'restarts': '1', 'server': {'port': '8080'}}


def test_a_failing_handler_logs_the_traceback_and_keeps_nothing(unit: Unit) -> None:
    unit.ok('hooks/install')
    before = unit.state_file.read_bytes()
    unit.juju.update(action={'params': {'reason': 'fail'}})
    result = unit.run('actions/restart', JUJU_ACTION_NAME='restart', JUJU_ACTION_UUID='8')
    assert result.returncode == 1
    assert 'RuntimeError: the web server refused to restart' in result.stderr
    errors = unit.logs('ERROR')
    assert len(errors) == 1
    assert errors[0].startswith('Uncaught exception while in charm code:\n')  # ops' words
    assert 'Traceback (most recent call last)' in errors[0]
    assert 'RuntimeError: the web server refused to restart' in errors[0]
    assert unit.state_file.read_bytes() == before
    # Nothing of the failed run was kept: the next run counts from the same place.
    unit.juju.update(action={'params': {'reason': 'retry'}})
    argvs = unit.ok('actions/restart', JUJU_ACTION_NAME='restart', JUJU_ACTION_UUID='9')
    assert ['action-set', 'restarts=1', 'server.port=8080'] in argvs


def test_a_failing_hook_tool_fails_the_hook_and_publishes_nothing(unit: Unit) -> None:
    unit.juju.update(leader=True)
    unit.juju.add_relation('website', 1, 'client', ['client/0'])
    unit.ok('hooks/install')
    before = unit.state_file.read_bytes()
    unit.juju.fail('network-get', stderr='ERROR cannot reach the controller')
    result = unit.run('hooks/config-changed')
    assert result.returncode == 1
    assert 'cannot reach the controller' in result.stderr
    assert not [a for a in unit.juju.argvs() if a[0] == 'relation-set']
    assert unit.state_file.read_bytes() == before


def test_hook_tools_missing_from_path_are_named(unit: Unit, tmp_path: Path) -> None:
    shutil.rmtree(unit.juju.bin_dir)
    result = unit.run('hooks/install')
    assert result.returncode == 1
    assert 'is not on PATH' in result.stderr


def test_an_event_the_charm_does_not_define_is_logged_and_skipped(unit: Unit) -> None:
    unit.juju.update(config={'port': 8080, 'greeting': 'hi'})
    unit.ok('hooks/install')
    unit.ok('hooks/gone-relation-changed', JUJU_RELATION='gone', JUJU_RELATION_ID='gone:4')
    assert any('gone_relation_changed' in line and 'does not define' in line
               for line in unit.logs('WARNING'))


@pytest.mark.parametrize(('dispatch_path', 'message'), [
    ('nonsense/install', "JUJU_DISPATCH_PATH='nonsense/install' is not a Juju hook"),
    ('actions/explode', "action 'explode', which actions.yaml does not define"),
])
def test_a_dispatch_path_juju_would_never_send_is_an_error(
        unit: Unit, dispatch_path: str, message: str) -> None:
    result = unit.run(dispatch_path)
    assert result.returncode == 1
    assert message in result.stderr


def test_malformed_metadata_names_the_file(unit: Unit) -> None:
    (unit.juju.charm_dir / 'charmcraft.yaml').write_text('name: tinyweb\nprovides: [oops\n')
    result = unit.run('hooks/install')
    assert result.returncode == 1
    assert 'charmcraft.yaml' in result.stderr
    assert not unit.state_file.exists()  # refused before anything was opened


def test_a_config_value_of_the_wrong_type_names_the_option(unit: Unit) -> None:
    unit.ok('hooks/install')
    unit.juju.update(config={'port': 'eighty', 'greeting': 'hello'})
    result = unit.run('hooks/config-changed')
    assert result.returncode == 1
    assert "'port'" in result.stderr and 'int' in result.stderr


def test_a_legacy_hook_runs_first_and_its_failure_stops_the_dispatch(unit: Unit) -> None:
    hooks = unit.juju.charm_dir / 'hooks'
    hooks.mkdir()
    (hooks / 'install').write_text('#!/bin/sh\necho legacy ran >> "$JUJU_CHARM_DIR/legacy.log"\n'
                                   'exit "${LEGACY_EXIT:-0}"\n')
    (hooks / 'install').chmod(0o755)
    unit.ok('hooks/install')
    assert (unit.juju.charm_dir / 'legacy.log').read_text() == 'legacy ran\n'
    assert unit.juju.state()['status']['unit']['status'] == 'active'

    unit.juju.update(status={'unit': {'status': 'unknown', 'message': '', 'data': {}},
                             'app': {'status': 'unknown', 'message': '', 'data': {}}})
    result = unit.run('hooks/install', LEGACY_EXIT='3')
    assert result.returncode == 3
    assert unit.juju.state()['status']['unit']['status'] == 'unknown'


def test_a_machine_charm_hook_imports_nothing_heavy_it_does_not_use(unit: Unit) -> None:
    result = unit.run('hooks/install', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith('import time:')}
    assert 'reactops.framework' in imported  # the measurement works
    unwanted = {'networkx', 'blinker', 'ssl', 'http.client', 'email', 'asyncio', 'pickle',
                'urllib.request', 'websocket'}
    assert imported & unwanted == set()


def test_a_restricted_hook_skips_deferred_events_and_collect_status(unit: Unit) -> None:
    unit.ok('hooks/config-changed')  # deferred: install has not run
    unit.ok('hooks/install')
    argvs = unit.ok('hooks/collect-metrics')
    assert [argv[0] for argv in argvs] == []  # no re-run of config-changed, no status
    argvs = unit.ok('hooks/update-status')
    assert ['open-port', '8080/tcp'] in argvs  # the deferred event was kept for later


def test_a_legacy_hooks_symlink_names_the_event_through_argv0(unit: Unit) -> None:
    hooks = unit.juju.charm_dir / 'hooks'
    hooks.mkdir()
    (hooks / 'install').symlink_to('../src/charm.py')
    env = {key: value for key, value in os.environ.items() if not key.startswith('JUJU_')}
    env.update(unit.juju.env(), PYTHONPATH=str(REPO))
    env.pop('JUJU_DISPATCH_PATH', None)
    result = subprocess.run([sys.executable, str(hooks / 'install')], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert unit.juju.state()['workload_version'] == '1.0'


# -- the entry point's import forms (ops.main is both a function and a module) -----------

_ENTRY_FORMS = {
    'package attribute': 'import reactops\nreactops.main(Charm)',
    'module attribute': 'import reactops.main\nreactops.main.main(Charm)',
    'module called': 'import reactops.main\nreactops.main(Charm)',
    'from the module': 'from reactops.main import main\nmain(Charm)',
    'from the package, legacy call': 'from reactops import main\nmain.main(Charm)',
    'ops name': 'import ops\nimport ops.main\nops.main(Charm)\nops.main.main(Charm)',
}


@pytest.mark.parametrize('form', sorted(_ENTRY_FORMS))
def test_every_import_form_of_main_dispatches(form: str, tmp_path: Path) -> None:
    (tmp_path / 'metadata.yaml').write_text('name: demo\n')
    marker = tmp_path / 'ran'
    script = ('import pathlib, reactops.charm\n'
              'class Charm(reactops.charm.CharmBase):\n'
              '    def __init__(self, framework):\n'
              '        super().__init__(framework)\n'
              f'        pathlib.Path({str(marker)!r}).write_text("x")\n'
              + _ENTRY_FORMS[form] + '\n')
    env = {**os.environ, 'JUJU_CHARM_DIR': str(tmp_path), 'JUJU_DISPATCH_PATH': 'hooks/start',
           'JUJU_UNIT_NAME': 'demo/0', 'JUJU_VERSION': '3.6.1', 'REACTOPS_OPS': 'reactops'}
    done = subprocess.run([sys.executable, '-c', script], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_main_without_a_charm_class_needs_reactive_handlers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reactops

    monkeypatch.setenv('JUJU_CHARM_DIR', str(tmp_path))
    with pytest.raises(TypeError, match=r'main\(\) needs the charm class'):
        reactops.main()
    with pytest.raises(TypeError):
        reactops.main.main()  # type: ignore[attr-defined]


def test_abort_ends_the_dispatch_with_its_exit_code_and_commits_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reactops._main import Dispatch, _Abort
    from reactops.charm import CharmBase
    from reactops.jujucontext import JujuContext

    class Stops(CharmBase):
        def __init__(self, framework: Any):
            super().__init__(framework)
            raise _Abort(3)

    (tmp_path / 'metadata.yaml').write_text('name: demo\n')
    context = JujuContext._from_dict({'JUJU_CHARM_DIR': str(tmp_path),
                                      'JUJU_DISPATCH_PATH': 'hooks/start',
                                      'JUJU_UNIT_NAME': 'demo/0'})
    monkeypatch.setenv('PATH', str(tmp_path))  # no hook tools: nothing may be called
    assert Dispatch(Stops, context).run() == 3
