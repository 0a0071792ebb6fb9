"""Kubernetes web (reactive): one event at a time, from a State to a State.

The container is simulated by reactops.testing: its filesystem is a temporary directory,
``exec`` answers from the ``Exec`` entries, and ``State.flags`` shows the flags.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from reactops import ActiveStatus, MaintenanceStatus, WaitingStatus
from reactops.pebble import CheckLevel, CheckStatus, ServiceStatus
from reactops.testing import (
    ActionFailed,
    CheckInfo,
    Container,
    Context,
    Exec,
    Notice,
    Relation,
    State,
    TCPPort,
)

CHARM_DIR = Path(__file__).resolve().parents[1]


def charm_class() -> Any:
    # A packed charm runs src/charm.py as a script; import it from its file the same way.
    spec = importlib.util.spec_from_file_location('k8s_web_reactive_charm',
                                                  CHARM_DIR / 'src' / 'charm.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.K8sWebCharm


@pytest.fixture
def ctx() -> Context[Any]:
    # charmcraft.yaml and the handlers in reactive/ are found above src/.
    return Context(charm_class())


def page(ctx: Context[Any], container: Container) -> str:
    return (container.get_filesystem(ctx) / 'srv' / 'www' / 'index.html').read_text()


@pytest.fixture
def installed(ctx: Context[Any]) -> State:
    """After install: Pebble is not up yet, and the server lags behind the config."""
    return ctx.run(ctx.on.install(), State(containers={Container('web', can_connect=False)}))


def test_install_waits_for_pebble(installed: State) -> None:
    assert installed.unit_status == WaitingStatus('waiting for Pebble in the web container')
    assert 'web.stale' in installed.flags
    assert 'container.web.ready' not in installed.flags


@pytest.fixture
def started(ctx: Context[Any], installed: State) -> State:
    web = Container('web', can_connect=True)
    return ctx.run(ctx.on.pebble_ready(web), installed.replace(containers={web}))


def test_pebble_ready_adds_the_layer_and_starts_the_server(ctx: Context[Any],
                                                           started: State) -> None:
    container = started.get_container('web')
    assert container.plan.services['web'].command == \
        'python3 -m http.server 8080 --directory /srv/www'
    assert container.plan.checks['alive'].http == {'url': 'http://localhost:8080/'}
    assert container.services['web'].current == ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>hello</h1>\n'
    assert started.opened_ports == {TCPPort(8080)}
    assert started.unit_status == ActiveStatus('serving on :8080')
    assert 'container.web.ready' in started.flags and 'web.stale' not in started.flags


def test_a_dead_server_waits_for_the_check_which_restarts_it(started: State) -> None:
    plan = started.get_container('web').plan
    service, check = plan.services['web'], plan.checks['alive']
    assert service.on_failure == 'ignore'
    assert service.on_check_failure == {'alive': 'restart'}
    # Two failures two seconds apart: a dead server is noticed within seconds.
    assert (check.period, check.timeout, check.threshold) == ('2s', '1s', 2)


def test_a_config_change_pushes_the_page_and_restarts(ctx: Context[Any],
                                                      started: State) -> None:
    out = ctx.run(ctx.on.config_changed(),
                  started.replace(config={'port': 9000, 'greeting': 'hi'}))
    container = out.get_container('web')
    assert container.plan.services['web'].command == \
        'python3 -m http.server 9000 --directory /srv/www'
    assert container.services['web'].current == ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>hi</h1>\n'
    assert out.opened_ports == {TCPPort(9000)}
    assert out.unit_status == ActiveStatus('serving on :9000')
    assert 'web.stale' not in out.flags


def test_a_config_change_while_pebble_is_down_waits_for_it(ctx: Context[Any],
                                                            started: State) -> None:
    down = Container('web', can_connect=False)
    out = ctx.run(ctx.on.config_changed(),
                  started.replace(config={'greeting': 'hi'}, containers={down}))
    assert 'web.stale' in out.flags and 'container.web.ready' not in out.flags
    assert out.unit_status == WaitingStatus('waiting for Pebble in the web container')
    # Pebble is back: the next hook brings the server up to date.
    up = Container('web', can_connect=True, layers=started.get_container('web').layers)
    out = ctx.run(ctx.on.update_status(), out.replace(containers={up}))
    assert page(ctx, out.get_container('web')) == '<h1>hi</h1>\n'
    assert 'web.stale' not in out.flags


def test_a_failing_check_shows_until_it_recovers(ctx: Context[Any], started: State) -> None:
    layers = started.get_container('web').layers
    failing = CheckInfo('alive', level=CheckLevel.ALIVE, status=CheckStatus.DOWN, failures=2,
                        threshold=2)
    web = Container('web', can_connect=True, layers=layers, check_infos={failing})
    out = ctx.run(ctx.on.pebble_check_failed(web, failing), started.replace(containers={web}))
    assert 'container.web.check.alive.failed' in out.flags
    assert out.unit_status == MaintenanceStatus('check alive is failing')
    out = ctx.run(ctx.on.update_status(), out)
    assert out.unit_status == MaintenanceStatus('check alive is failing')

    passing = CheckInfo('alive', level=CheckLevel.ALIVE, threshold=2)
    web = Container('web', can_connect=True, layers=layers, check_infos={passing})
    out = ctx.run(ctx.on.pebble_check_recovered(web, passing), out.replace(containers={web}))
    assert 'container.web.check.alive.failed' not in out.flags
    assert out.unit_status == ActiveStatus('serving on :8080')


def test_a_reload_notice_pushes_the_page_and_restarts(ctx: Context[Any],
                                                      started: State) -> None:
    notice = Notice('example.com/reload')
    web = Container('web', can_connect=True, notices=[notice],
                    layers=started.get_container('web').layers,
                    service_statuses={'web': ServiceStatus.INACTIVE})
    out = ctx.run(ctx.on.pebble_custom_notice(web, notice), started.replace(containers={web}))
    container = out.get_container('web')
    assert container.services['web'].current == ServiceStatus.ACTIVE
    assert page(ctx, container) == '<h1>hello</h1>\n'
    assert not [flag for flag in out.flags if '.notice.' in flag]


def test_the_action_runs_python_in_the_container(ctx: Context[Any]) -> None:
    web = Container('web', can_connect=True, execs={
        Exec(['python3', '--version'], stdout='Python 3.12.4\n')})
    out = ctx.run(ctx.on.action('python-version'), State(containers={web}))
    assert ctx.action_results == {'version': '3.12.4'}
    assert out.workload_version == '3.12.4'
    assert [run.command for run in ctx.exec_history['web']] == [['python3', '--version']]


def test_the_action_fails_while_pebble_is_down(ctx: Context[Any]) -> None:
    with pytest.raises(ActionFailed) as failed:
        ctx.run(ctx.on.action('python-version'),
                State(containers={Container('web', can_connect=False)}))
    assert failed.value.message == 'the web container is not reachable yet'


# -- the website endpoint (interface http) ---------------------------------------------------


def joined(ctx: Context[Any], state: State, **config: Any) -> tuple[State, dict[str, str]]:
    """Run website-relation-joined for a client; return the state and our published bag."""
    client = Relation('website', remote_app_name='web-probe')
    out = ctx.run(ctx.on.relation_joined(client, remote_unit=0),
                  state.replace(relations=[client], config={**state.config, **config}))
    return out, dict(out.get_relation(client.id).local_unit_data)


def test_a_client_is_told_the_unit_address_and_port(ctx: Context[Any], started: State) -> None:
    out, bag = joined(ctx, started)
    assert 'website.available' in out.flags
    # The address is our ingress address (the testing default, 192.0.2.0).
    assert (bag['hostname'], bag['private-address'], bag['port']) == \
        ('192.0.2.0', '192.0.2.0', '8080')


def test_external_hostname_is_what_a_client_is_told(ctx: Context[Any],
                                                     started: State) -> None:
    _, bag = joined(ctx, started, **{'external-hostname': 'localhost'})
    assert (bag['hostname'], bag['private-address']) == ('localhost', '192.0.2.0')


def test_a_client_hears_nothing_before_the_server_runs(ctx: Context[Any],
                                                        installed: State) -> None:
    out, bag = joined(ctx, installed)
    assert 'website.available' in out.flags
    assert 'port' not in bag and 'hostname' not in bag


def test_a_new_port_is_published_with_the_restart(ctx: Context[Any], started: State) -> None:
    out, _ = joined(ctx, started)
    out = ctx.run(ctx.on.config_changed(), out.replace(config={'port': 9000}))
    assert out.get_relations('website')[0].local_unit_data['port'] == '9000'
    assert out.unit_status == ActiveStatus('serving on :9000')
