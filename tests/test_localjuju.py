"""Integration tests in Jubilant's shape on the local model: the ``juju`` fixture,
``LocalJuju`` and the status predicates."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reactops.testing import localjuju as jubilant
from reactops.testing.localjuju import (
    AppStatus,
    LocalJuju,
    ModelStatus,
    Status,
    StatusInfo,
    UnitStatus,
)

EXAMPLES = Path(__file__).resolve().parent.parent / 'examples'


def test_the_web_app_bundle_relates_goes_active_runs_an_action_and_unrelates(
        juju: LocalJuju) -> None:
    juju.deploy(EXAMPLES / 'reactive-webapp', 'webapp', config={'motd': 'hi'})
    juju.deploy(EXAMPLES / 'tinydb')
    juju.deploy(EXAMPLES / 'tinyweb', config={'port': 8081})
    juju.integrate('webapp:database', 'tinydb:db')

    status = juju.wait(jubilant.all_active, error=jubilant.any_error, timeout=60)

    webapp = status.apps['webapp']
    assert webapp.is_active
    assert webapp.units['webapp/0'].leader
    assert 'database webapp' in webapp.units['webapp/0'].workload_status.message
    assert [r.related_app for r in webapp.relations['database']] == ['tinydb']
    assert status.apps['tinyweb'].units['tinyweb/0'].workload_status.message == \
        'serving on :8081'
    assert jubilant.all_agents_idle(status)

    task = juju.run('tinyweb/0', 'restart', {'reason': 'a test'})
    assert task.success
    assert task.results == {'restarts': '1', 'server': {'port': '8081'}}
    assert task.log == ['restarting because: a test']

    juju.remove_relation('webapp', 'tinydb')
    status = juju.wait(lambda s: 'database' not in s.apps['webapp'].relations and
                       jubilant.all_active(s), timeout=60)
    assert status.apps['webapp'].app_status.message == 'serving on :8080'
    assert jubilant.all_active(status, 'tinydb', 'tinyweb')


def test_config_add_unit_exec_and_a_failing_action(juju: LocalJuju) -> None:
    juju.deploy(EXAMPLES / 'tinyweb', 'web')
    assert juju.config('web') == {'port': 8080, 'greeting': 'hello'}
    juju.config('web', {'port': 0})
    status = juju.wait(jubilant.all_blocked, timeout=60)
    assert status.apps['web'].units['web/0'].workload_status.message == 'invalid port 0'

    juju.config('web', {'port': 9000})
    juju.add_unit('web', num_units=2)
    status = juju.wait(jubilant.all_active, timeout=60)
    assert sorted(status.apps['web'].units) == ['web/0', 'web/1', 'web/2']
    assert status.apps['web'].scale == 3

    done = juju.exec('cat', 'charmcraft.yaml', unit='web/1')
    assert 'name: tinyweb' in done.stdout
    with pytest.raises(jubilant.TaskError) as failed:
        juju.exec('false', unit='web/0')
    assert failed.value.task.return_code == 1

    with pytest.raises(jubilant.TaskError) as refused:
        juju.run('web/0', 'restart', {'reason': 'fail'})
    assert refused.value.task.status == 'failed'
    assert refused.value.task.message.startswith('exit status 1')
    assert 'refused to restart' in juju.debug_log(limit=3)
    assert juju.debug_log(limit=1).count('\n') == 1


def test_the_bundle_file_deploys_whole_and_wait_times_out_naming_the_status(
        juju: LocalJuju) -> None:
    juju.deploy(EXAMPLES / 'webapp-bundle.yaml')
    status = juju.wait(jubilant.all_active, timeout=60)
    assert set(status.apps) == {'webapp', 'tinydb'}
    assert juju.config('webapp')['motd'] == 'hello from the local model'

    with pytest.raises(TimeoutError, match=r'(?s)timed out after 0\.5s.*webapp/0: active'):
        juju.wait(jubilant.all_blocked, timeout=0.5, delay=0.05)
    with pytest.raises(jubilant.WaitError, match='any_active'):
        juju.wait(jubilant.all_blocked, error=jubilant.any_active)


def test_a_kubernetes_charm_waits_for_its_workload_and_runs_an_action(
        juju: LocalJuju) -> None:
    with socket.socket() as probe:  # a port free now, for the workload's server
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    juju.deploy(EXAMPLES / 'k8s-web-ops', 'web', config={'port': port})

    status = juju.wait(jubilant.all_active, error=jubilant.any_error, timeout=60)

    assert status.apps['web'].units['web/0'].workload_status.message == f'serving on :{port}'
    assert juju.run('web/0', 'python-version').results['version'].startswith('3.')


def test_a_bundle_with_app_arguments_and_a_missing_charm_are_refused(
        juju: LocalJuju, tmp_path: Path) -> None:
    with pytest.raises(jubilant.LocalModelError, match='come from the bundle file'):
        juju.deploy(EXAMPLES / 'webapp-bundle.yaml', 'web')
    with pytest.raises(jubilant.LocalModelError, match='neither a charm directory'):
        juju.deploy(tmp_path / 'nothing-here')


def test_the_fixture_removes_its_model_afterwards(tmp_path: Path) -> None:
    # Through pytest and the installed plugin, as a charm's own tests use it.
    (tmp_path / 'test_it.py').write_text(f"""
from pathlib import Path
SEEN = []
def test_one(juju):
    juju.deploy({str(EXAMPLES / 'tinyweb')!r})
    assert juju.wait(lambda s: s.apps['tinyweb'].is_active).apps['tinyweb'].scale == 1
    SEEN.append(juju.model_dir)
def test_gone():
    assert SEEN and not Path(SEEN[0]).exists()
""")
    done = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                           'test_it.py'], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '2 passed' in done.stdout


# -- the status shape and the predicates, without a model --------------------------------


def _status(**apps: tuple[str, list[str]]) -> Status:
    """Apps by name: (app status, [unit statuses])."""
    return Status(model=ModelStatus(name='m'), apps={
        name: AppStatus(charm=name, charm_name=name, app_status=StatusInfo(current=own),
                        units={f'{name}/{i}': UnitStatus(
                            workload_status=StatusInfo(current=current),
                            juju_status=StatusInfo(current='idle'))
                            for i, current in enumerate(units)})
        for name, (own, units) in apps.items()})


def test_all_predicates_need_every_app_and_unit_and_a_missing_app_fails() -> None:
    status = _status(a=('active', ['active', 'active']), b=('active', ['active']))
    assert jubilant.all_active(status)
    assert jubilant.all_active(status, 'a')
    assert not jubilant.all_active(status, 'a', 'missing')
    mixed = _status(a=('active', ['active', 'blocked']), b=('blocked', ['blocked']))
    assert not jubilant.all_active(mixed)
    assert not jubilant.all_active(mixed, 'a')
    assert jubilant.all_blocked(mixed, 'b')
    assert not jubilant.all_blocked(mixed)
    assert jubilant.all_waiting(_status(w=('waiting', ['waiting'])))
    assert jubilant.all_maintenance(_status(w=('maintenance', [])))
    assert jubilant.all_error(_status(e=('error', ['error'])))


def test_any_predicates_ignore_a_missing_app() -> None:
    mixed = _status(a=('active', ['active', 'blocked']), b=('waiting', ['error']))
    assert jubilant.any_blocked(mixed)
    assert jubilant.any_blocked(mixed, 'a', 'missing')
    assert not jubilant.any_blocked(mixed, 'b', 'missing')
    assert jubilant.any_error(mixed)
    assert not jubilant.any_error(mixed, 'a')
    assert jubilant.any_waiting(mixed, 'b')
    assert not jubilant.any_maintenance(mixed)
    assert jubilant.any_active(mixed, 'a')


def test_status_fields_have_jubilants_names() -> None:
    status = _status(a=('blocked', ['blocked', 'active']))
    assert status.apps['a'].is_blocked and not status.apps['a'].is_active
    unit = status.get_units('a')['a/1']
    assert unit.is_active and unit.workload_status.current == 'active'
    assert unit.juju_status.current == 'idle'
    assert status.get_units('missing') == {}
    assert jubilant.all_agents_idle(status)
    assert not jubilant.all_agents_idle(status, 'missing')
