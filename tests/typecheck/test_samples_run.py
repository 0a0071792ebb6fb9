"""The type-checked sample charms are real charms: they run under reactops.testing.

tests/typecheck/gate.py type-checks them; these tests check that what type-checks also
does what it says, so the samples cannot drift into code that only satisfies the checkers.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from reactops import ActiveStatus, BlockedStatus, MaintenanceStatus, WaitingStatus
from reactops.testing import (
    Container,
    Context,
    Relation,
    Secret,
    State,
    TCPPort,
)

HERE = Path(__file__).resolve().parent
OPS_CHARM = HERE / 'ops_charm'
REACTIVE_CHARM = HERE / 'reactive_charm'


def ops_charm_class() -> Any:
    # A packed charm runs src/charm.py as a script; load it from its file the same way.
    spec = importlib.util.spec_from_file_location('typed_ops_charm',
                                                  OPS_CHARM / 'src' / 'charm.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.TypedOpsCharm


@pytest.fixture(scope='module')
def ops_ctx() -> Context[Any]:
    return Context(ops_charm_class())


def test_ops_charm_pebble_ready_plans_the_service(ops_ctx: Context[Any]) -> None:
    db = Container('db', can_connect=True)
    out = ops_ctx.run(ops_ctx.on.pebble_ready(db), State(containers={db}))
    assert out.get_container('db').plan.services['db'].command == '/usr/bin/tinydb --port 8080'
    assert out.opened_ports == {TCPPort(8080)}
    assert out.unit_status == BlockedStatus('set admin-password to a secret')


def test_ops_charm_config_changed_defers_until_pebble_answers(ops_ctx: Context[Any]) -> None:
    out = ops_ctx.run(ops_ctx.on.config_changed(),
                      State(containers={Container('db', can_connect=False)}))
    assert len(out.deferred) == 1


def test_ops_charm_publishes_where_it_serves(ops_ctx: Context[Any]) -> None:
    website = Relation('website', remote_app_name='client')
    out = ops_ctx.run(ops_ctx.on.relation_joined(website, remote_unit=0),
                      State(leader=True, relations={website}))
    published = out.get_relation(website.id)
    assert published.local_app_data == {'port': '8080'}
    assert published.local_unit_data['host'] == 'typed-ops-0'


def test_ops_charm_backup_action_counts_in_stored_state(ops_ctx: Context[Any]) -> None:
    out = ops_ctx.run(ops_ctx.on.action('backup', params={'target': '/srv/b'}), State())
    assert ops_ctx.action_results == {'target': '/srv/b', 'count': 1}
    ops_ctx.run(ops_ctx.on.action('backup'), out)
    assert ops_ctx.action_results == {'target': '/backups', 'count': 2}


def test_ops_charm_is_active_with_its_admin_secret(ops_ctx: Context[Any]) -> None:
    secret = Secret({'password': 'hunter2'})
    website = Relation('website')
    out = ops_ctx.run(ops_ctx.on.update_status(),
                      State(config={'admin-password': secret.id}, secrets={secret},
                            relations={website}))
    assert out.unit_status == ActiveStatus('1 websites')


@pytest.fixture(scope='module')
def reactive_ctx() -> Context[Any]:
    return Context(REACTIVE_CHARM)


def test_reactive_charm_install_opens_the_port(reactive_ctx: Context[Any]) -> None:
    out = reactive_ctx.run(reactive_ctx.on.install(), State())
    assert out.flags['webapp.port-open'] == 8080
    assert out.opened_ports == {TCPPort(8080)}
    assert out.unit_status == MaintenanceStatus('installing the web app')


def test_reactive_charm_asks_the_cache_and_uses_it(reactive_ctx: Context[Any]) -> None:
    cache = Relation('cache', remote_app_name='redis')
    installed = reactive_ctx.run(reactive_ctx.on.install(), State(relations={cache}))
    joined = reactive_ctx.run(reactive_ctx.on.relation_joined(cache, remote_unit=0), installed)
    assert joined.get_relation(cache.id).local_unit_data['size'] == '64'  # JSON-encoded
    assert joined.unit_status == WaitingStatus('waiting for the cache')
    served = Relation('cache', id=cache.id, remote_app_name='redis',
                      remote_units_data={0: {'host': '10.0.0.7', 'port': '6379'}})
    out = reactive_ctx.run(reactive_ctx.on.relation_changed(served, remote_unit=0),
                           joined.replace(relations={served}))
    assert out.unit_status == ActiveStatus('serving on :8080, cache at 10.0.0.7:6379')
