"""The reactive web app's tests: flags in, one hook, flags out, with reactops.testing.

A charm directory is enough: the handlers in reactive/ are found as Juju would find them.
``ctx.handlers_run`` and ``ctx.reactive_trace`` say what ran and which flags it changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops import ActiveStatus, BlockedStatus
from reactops.testing import Context, State, TCPPort

CHARM_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def ctx() -> Context:
    return Context(CHARM_DIR)


def ran(ctx: Context) -> list[str]:
    """The handlers of the last run, by function name."""
    return [handler.rsplit(':', 1)[-1] for handler in ctx.handlers_run]


def test_install_opens_the_port(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())
    assert ran(ctx) == ['install', 'hide_motd', 'open_port', 'ready']
    assert out.flags == {'webapp.installed': None, 'webapp.port-open': 8080}
    assert out.opened_ports == {TCPPort(8080)}
    assert out.unit_status == ActiveStatus('serving on :8080')


def test_nothing_reruns_when_nothing_changed(ctx: Context) -> None:
    installed = ctx.run(ctx.on.install(), State())
    ctx.run(ctx.on.update_status(), installed)
    assert 'open_port' not in ran(ctx)  # the config is as the last hook saw it


def test_a_new_port_and_a_motd(ctx: Context) -> None:
    installed = ctx.run(ctx.on.install(), State())
    out = ctx.run(ctx.on.config_changed(), installed.replace(config={'port': 9090,
                                                                     'motd': 'hello'}))
    assert out.opened_ports == {TCPPort(9090)}
    assert out.flags['webapp.motd'] == 'hello'
    assert out.unit_status == ActiveStatus('serving on :9090')


def test_an_invalid_port_blocks(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State(config={'port': 0}))
    assert 'webapp.bad-port' in out.flags
    assert out.unit_status == BlockedStatus('invalid port 0')
    open_port = next(h for h in ctx.handlers_run if h.endswith(':open_port'))
    assert {'set': 'webapp.bad-port', 'by': open_port} in ctx.reactive_trace


def test_upgrade_reinstalls(ctx: Context) -> None:
    state = State(flags={'webapp.installed': None, 'webapp.port-open': 8080})
    out = ctx.run(ctx.on.upgrade_charm(), state)
    assert ran(ctx)[:2] == ['upgraded', 'install']
    assert 'webapp.installed' in out.flags


def test_a_database_is_requested_then_used(ctx: Context) -> None:
    from reactops import WaitingStatus
    from reactops.layers.pgsql import ConnectionString
    from reactops.testing import Relation

    db = Relation('database', remote_app_name='tinydb')
    joined = ctx.run(ctx.on.relation_joined(db, remote_unit=0),
                     ctx.run(ctx.on.install(), State(relations=[db])))
    assert joined.get_relation(db.id).local_unit_data['database'] == 'webapp'
    assert joined.unit_status == WaitingStatus('waiting for the database')

    master = ConnectionString('10.1.0.2', 5432, 'webapp', 'u_webapp', 'secret')
    answer = {'master': str(master), 'database': 'webapp', 'allowed-units': 'reactive-webapp/0'}
    answered = Relation('database', id=db.id, remote_app_name='tinydb',
                        remote_units_data={0: answer},
                        local_unit_data=dict(joined.get_relation(db.id).local_unit_data))
    out = ctx.run(ctx.on.relation_changed(answered, remote_unit=0),
                  joined.replace(relations=[answered]))
    assert out.unit_status == ActiveStatus('serving on :8080, database webapp on 10.1.0.2')
