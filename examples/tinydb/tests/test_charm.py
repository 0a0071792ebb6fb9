"""The tiny database's tests: one hook at a time with reactops.testing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops import ActiveStatus
from reactops.layers.pgsql import ConnectionString
from reactops.testing import Context, Relation, State

CHARM_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def ctx() -> Context:
    return Context(CHARM_DIR)


def test_without_clients_it_is_ready(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())
    assert out.unit_status == ActiveStatus('ready, no clients')
    assert 'tinydb.installed' in out.flags


def test_it_answers_a_request(ctx: Context) -> None:
    db = Relation('db', remote_app_name='web', remote_units_data={0: {'database': 'shop'}})
    installed = ctx.run(ctx.on.install(), State(relations=[db]))
    out = ctx.run(ctx.on.relation_changed(db, remote_unit=0), installed)
    answer = out.get_relation(db.id).local_unit_data
    master = ConnectionString.parse(answer['master'])
    assert master is not None
    assert (master.dbname, master.user, master.port) == ('shop', 'u_web', 5432)
    assert answer['allowed-units'] == 'web/0'
    assert out.flags['tinydb.serving'] == ['shop']
    assert out.unit_status == ActiveStatus('serving 1 database(s)')
