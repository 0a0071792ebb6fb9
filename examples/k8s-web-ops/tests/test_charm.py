"""Kubernetes web (ops style): one event at a time, from a State to a State.

The tests use ``ops.testing`` only, so they run on ops (with ops-scenario) as they run on
reactops, where ``ops.testing`` is ``reactops.testing``. The container is simulated: its
filesystem is a temporary directory, and ``exec`` answers from the ``Exec`` entries.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from ops import ActiveStatus, MaintenanceStatus, WaitingStatus, pebble, testing

CHARM_DIR = Path(__file__).resolve().parents[1]


def charm_class() -> Any:
    # A packed charm runs src/charm.py as a script; import it from its file the same way.
    spec = importlib.util.spec_from_file_location('k8s_web_ops_charm',
                                                  CHARM_DIR / 'src' / 'charm.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that the charm's files can be found from its class
    spec.loader.exec_module(module)
    return module.K8sWebCharm


@pytest.fixture
def ctx() -> testing.Context[Any]:
    # The metadata, config and actions come from charmcraft.yaml, found above src/.
    return testing.Context(charm_class())


def page(ctx: testing.Context[Any], container: testing.Container) -> str:
    return (container.get_filesystem(ctx) / 'srv' / 'www' / 'index.html').read_text()


def test_pebble_ready_adds_the_layer_and_starts_the_server(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True)
    out = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web}))
    container = out.get_container('web')
    service = container.plan.services['web']
    assert service.command == 'python3 -m http.server 8080 --directory /srv/www'
    assert container.plan.checks['alive'].http == {'url': 'http://localhost:8080/'}
    assert container.services['web'].current == pebble.ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>hello</h1>\n'
    assert out.opened_ports == {testing.TCPPort(8080)}
    assert out.unit_status == ActiveStatus('serving on :8080')


def test_config_changed_pushes_the_page_and_restarts(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True)
    started = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web}))
    out = ctx.run(ctx.on.config_changed(),
                  dataclasses.replace(started, config={'port': 9000, 'greeting': 'hi'}))
    container = out.get_container('web')
    assert container.plan.services['web'].command == \
        'python3 -m http.server 9000 --directory /srv/www'
    assert container.services['web'].current == pebble.ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>hi</h1>\n'
    assert out.opened_ports == {testing.TCPPort(9000)}
    assert out.unit_status == ActiveStatus('serving on :9000')


def test_config_changed_before_pebble_is_up_waits(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=False)
    out = ctx.run(ctx.on.config_changed(), testing.State(containers={web}))
    assert out.unit_status == WaitingStatus('waiting for Pebble in the web container')
    assert out.get_container('web').plan.services == {}


def test_a_failing_check_shows_in_the_status_until_it_recovers(
        ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True)
    started = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web}))
    layers = started.get_container('web').layers
    failing = testing.CheckInfo('alive', level=pebble.CheckLevel.ALIVE,
                                status=pebble.CheckStatus.DOWN, failures=3)
    web = testing.Container('web', can_connect=True, layers=layers, check_infos={failing})
    out = ctx.run(ctx.on.pebble_check_failed(web, failing),
                  dataclasses.replace(started, containers={web}))
    assert out.unit_status == MaintenanceStatus('check alive is failing')

    passing = testing.CheckInfo('alive', level=pebble.CheckLevel.ALIVE)
    web = testing.Container('web', can_connect=True, layers=layers, check_infos={passing})
    out = ctx.run(ctx.on.pebble_check_recovered(web, passing),
                  dataclasses.replace(out, containers={web}))
    assert out.unit_status == ActiveStatus('serving on :8080')


def test_a_reload_notice_pushes_the_page_and_restarts(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True)
    started = ctx.run(ctx.on.pebble_ready(web), testing.State(containers={web}))
    notice = testing.Notice('example.com/reload')
    web = testing.Container('web', can_connect=True, notices=[notice],
                            layers=started.get_container('web').layers,
                            service_statuses={'web': pebble.ServiceStatus.INACTIVE})
    out = ctx.run(ctx.on.pebble_custom_notice(web, notice),
                  testing.State(containers={web}, config={'greeting': 'reloaded'}))
    container = out.get_container('web')
    assert container.services['web'].current == pebble.ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>reloaded</h1>\n'


def test_the_action_runs_python_in_the_container(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True, execs={
        testing.Exec(['python3', '--version'], stdout='Python 3.12.4\n')})
    out = ctx.run(ctx.on.action('python-version'), testing.State(containers={web}))
    assert ctx.action_results == {'version': '3.12.4'}
    assert out.workload_version == '3.12.4'
    assert [run.command for run in ctx.exec_history['web']] == [['python3', '--version']]


def test_the_action_fails_when_the_command_fails(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=True, execs={
        testing.Exec(['python3'], return_code=127, stderr='python3: not found\n')})
    with pytest.raises(testing.ActionFailed) as failed:
        ctx.run(ctx.on.action('python-version'), testing.State(containers={web}))
    assert failed.value.message == 'python3 --version failed: python3: not found\n'


def test_the_action_fails_while_pebble_is_down(ctx: testing.Context[Any]) -> None:
    web = testing.Container('web', can_connect=False)
    with pytest.raises(testing.ActionFailed) as failed:
        ctx.run(ctx.on.action('python-version'), testing.State(containers={web}))
    assert failed.value.message == 'the web container is not reachable yet'
