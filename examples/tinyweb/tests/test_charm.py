"""Tiny web's tests: one event at a time, from a State to a State, with reactops.testing.

Run them with ``python -m pytest`` from the repository (or from this charm's directory).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from reactops import ActiveStatus, BlockedStatus, MaintenanceStatus, UnknownStatus
from reactops.testing import (
    Address,
    BindAddress,
    Context,
    Network,
    Relation,
    State,
    StoredState,
    TCPPort,
    UncaughtCharmError,
)

CHARM_DIR = Path(__file__).resolve().parents[1]


def charm_class() -> Any:
    # A packed charm runs src/charm.py as a script; import it from its file the same way.
    spec = importlib.util.spec_from_file_location('tinyweb_charm', CHARM_DIR / 'src' / 'charm.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TinyWebCharm


@pytest.fixture(scope='module')
def ctx() -> Context:
    # The metadata comes from charmcraft.yaml, found above src/.
    return Context(charm_class())


# The charm's own StoredState attribute `_stored`; its owner is the charm (its class name).
INSTALLED = StoredState(owner_path='TinyWebCharm', content={'installed': True, 'restarts': 0})


def test_install(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())
    assert out.unit_status == ActiveStatus('serving on :8080')
    assert out.workload_version == '1.0'
    assert out.get_stored_state('_stored', owner_path='TinyWebCharm').content['installed'] is True
    # The statuses before the last one: none yet, then what install said.
    assert ctx.unit_status_history == [UnknownStatus(),
                                       MaintenanceStatus('installing the web server')]


def test_config_changed_opens_the_port(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(),
                  State(config={'port': 9000}, stored_states=[INSTALLED],
                        opened_ports=[TCPPort(8080)]))
    assert out.opened_ports == {TCPPort(9000)}
    assert out.unit_status == ActiveStatus('serving on :9000')


def test_config_changed_before_install_is_deferred(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State())
    assert [notice.observer for notice in out.deferred] == ['_on_config_changed']
    assert out.unit_status == MaintenanceStatus('waiting for install')


def test_an_invalid_port_blocks(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(),
                  State(config={'port': 70000}, stored_states=[INSTALLED]))
    assert out.unit_status == BlockedStatus('invalid port 70000')
    assert out.opened_ports == frozenset()


def test_a_client_gets_the_address_and_the_leader_adds_the_greeting(ctx: Context) -> None:
    website = Relation('website', remote_app_name='browser')
    state = State(leader=True, config={'greeting': 'hi'}, relations=[website],
                  stored_states=[INSTALLED],
                  networks=[Network('website',
                                    bind_addresses=[BindAddress([Address('10.1.2.3')])])])
    out = ctx.run(ctx.on.relation_joined(website, remote_unit=0), state)
    relation = out.get_relation(website.id)
    assert relation.local_unit_data['hostname'] == '10.1.2.3'
    assert relation.local_unit_data['port'] == '8080'
    assert relation.local_app_data == {'greeting': 'hi'}


def test_restart_counts_and_reports(ctx: Context) -> None:
    out = ctx.run(ctx.on.action('restart', {'reason': 'new certificate'}),
                  State(stored_states=[INSTALLED]))
    assert ctx.action_logs == ['restarting because: new certificate']
    # Results are kept as the charm set them (Juju turns them into strings).
    assert ctx.action_results == {'restarts': 1, 'server': {'port': 8080}}
    assert out.get_stored_state('_stored', owner_path='TinyWebCharm').content['restarts'] == 1


def test_a_failed_restart_fails_the_action(ctx: Context) -> None:
    with pytest.raises(UncaughtCharmError, match='refused to restart'):
        ctx.run(ctx.on.action('restart', {'reason': 'fail'}), State(stored_states=[INSTALLED]))
