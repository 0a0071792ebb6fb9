"""main() with the reactive layer: a reactive charm and a mixed charm, one process a hook."""

from __future__ import annotations

from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit

WEBAPP = REPO / 'examples' / 'reactive-webapp'
MIXED = Path(__file__).resolve().parent / 'charms' / 'mixed'


@pytest.fixture
def webapp(tmp_path: Path) -> CharmUnit:
    return CharmUnit(tmp_path, WEBAPP, 'webapp/0', config={'port': 8080, 'motd': ''})


def test_a_reactive_charm_runs_its_handlers_in_flag_order(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install', REACTOPS_LOG_LEVEL='DEBUG')  # handler runs are DEBUG lines
    # Iteration 0 tests every handler before running any: the motd handlers read
    # config.set.motd, which computes the config flags (one config-get) before install runs.
    assert webapp.tools() == [
        # the database endpoint has a built-in layer (pgsql): its endpoint starts at once
        ['relation-ids', 'database', '--format=json'],
        ['config-get', '--format=json'],
        ['status-set', '--application=false', 'maintenance', '--', 'installing the web app'],
        ['opened-ports', '--format=json'],
        ['open-port', '8080/tcp'],
        ['status-set', '--application=false', 'active', '--', 'serving on :8080'],
    ]
    assert webapp.flags() == ['webapp.installed', 'webapp.port-open']
    runs = [line for line in webapp.logs('DEBUG') if line.startswith('Invoking reactive')]
    assert [line.rsplit(':', 1)[-1] for line in runs] == [
        'install', 'hide_motd', 'open_port', 'ready']


def test_config_flags_last_one_hook_and_track_changes(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    argvs = webapp.ok('hooks/update-status')  # nothing changed: the port is not reopened
    assert ['open-port', '8080/tcp'] not in argvs
    webapp.juju.update(config={'port': 9090, 'motd': 'hi'})
    argvs = webapp.ok('hooks/config-changed')
    assert ['open-port', '9090/tcp'] in argvs and ['close-port', '8080/tcp'] in argvs
    assert webapp.flags() == ['webapp.installed', 'webapp.motd', 'webapp.port-open']
    assert not [flag for flag in webapp.flags() if flag.startswith('config.')]


def test_leadership_is_asked_only_when_a_flag_or_status_needs_it(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    webapp.juju.update(config={'port': 8080, 'motd': ''})
    webapp.ok('hooks/update-status')
    # config.set.motd is read by a handler every hook, so config-get runs; nothing reads
    # leadership or observes collect-app-status, so is-leader never runs.
    assert webapp.juju.argvs('config-get') == [['config-get', '--format=json']]
    assert not webapp.juju.argvs('is-leader')


def test_a_failing_handler_keeps_no_flag_and_exits_non_zero(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    before = webapp.state_file.read_bytes()
    webapp.juju.update(config={'port': 9090, 'motd': ''})
    webapp.juju.fail('open-port', stderr='ERROR port 9090 is in use')
    result = webapp.run('hooks/config-changed')
    assert result.returncode == 1
    assert 'port 9090 is in use' in result.stderr
    errors = webapp.logs('ERROR')
    assert any(line.startswith('Uncaught exception') and
               'in reactive handler reactive/webapp.py' in line for line in errors)
    assert webapp.state_file.read_bytes() == before


def test_hook_handlers_run_in_their_hook(webapp: CharmUnit) -> None:
    webapp.ok('hooks/install')
    # the @hook handler clears installed; install re-runs
    webapp.ok('hooks/upgrade-charm', REACTOPS_LOG_LEVEL='DEBUG')
    infos = [line.rsplit(':', 1)[-1] for line in webapp.logs('DEBUG')
             if line.startswith('Invoking reactive')]
    assert infos[:2] == ['upgraded', 'install']


def test_a_mixed_charm_runs_observers_then_handlers_with_self(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path, MIXED, 'mixed/0', config={'mode': 'safe'}, leader=True)
    unit.ok('hooks/install')
    status = unit.juju.state()['status']['unit']
    assert status['message'] == ('observer:install,method:configure:safe,method:lead,'
                                 'module:note_config')
    assert unit.flags() == ['leadership.is_leader', 'mixed.configured', 'mixed.noted',
                            'mixed.observed-install']


def test_an_ops_charm_without_handlers_does_not_load_the_reactive_layer(
        tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path, REPO / 'examples' / 'tinyweb', 'tinyweb/0',
                     config={'port': 8080, 'greeting': 'hi'})
    result = unit.run('hooks/install', PYTHONPROFILEIMPORTTIME='1')
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith('import time:')}
    assert 'reactops.reactive.dispatcher' not in imported
    assert not unit.flags()


def test_handlers_do_not_run_for_actions(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path, MIXED, 'mixed/0', config={'mode': 'safe'}, leader=True)
    unit.ok('hooks/install')
    unit.juju.update(action={'params': {}})
    unit.ok('actions/ping', JUJU_ACTION_NAME='ping', JUJU_ACTION_UUID='1',
            REACTOPS_LOG_LEVEL='DEBUG')
    assert unit.juju.state()['action']['results'] == {'answer': 'pong'}
    assert not [line for line in unit.logs() if 'Invoking reactive handler' in line]
    assert 'mixed.pinged' in unit.flags()  # the observer's flag is kept


def test_flags_an_ops_charm_sets_without_handlers_are_kept(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path, MIXED.parent / 'opsflags', 'opsflags/0')
    unit.ok('hooks/install')
    assert unit.flags() == ['opsflags.installed']


def test_config_flags_read_in_a_restricted_hook_do_not_leak(tmp_path: Path) -> None:
    unit = CharmUnit(tmp_path, MIXED, 'mixed/0', config={'mode': 'safe'})
    unit.ok('hooks/install')
    unit.ok('hooks/collect-metrics')
    assert 'mixed.metrics-saw-config' in unit.flags()  # the family was computed...
    assert not [flag for flag in unit.flags() if flag.startswith('config.')]  # ...and cleared
