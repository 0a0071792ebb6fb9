"""Endpoints in a dispatch: automatic flags, interface-layer handlers, legacy arguments and
publishing, run in-process with reactops.testing on ``tests/charms/endpoints``.

The charm has ``db`` and ``replica`` (both interface ``pgsqlx``, implemented by
``hooks/relations/pgsqlx/requires.py``) and ``web`` (no implementation: a plain Endpoint).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reactops.testing import Context, Relation, State, UncaughtCharmError

CHARM = Path(__file__).resolve().parent / 'charms' / 'endpoints'


@pytest.fixture
def ctx() -> Context:
    return Context(CHARM)


def db(**kwargs: Any) -> Relation:
    units = kwargs.pop('units', {0: {'host': '"10.0.0.1"'}})
    return Relation('db', remote_app_name='pg', remote_units_data=units, **kwargs)


def short(ids: list[str]) -> list[str]:
    return [i.split(':', 2)[-1] for i in ids]


def endpoint_flags(state: State, name: str) -> list[str]:
    return sorted(f for f in state.flags if f.startswith(f'endpoint.{name}.'))


# -- automatic flags ---------------------------------------------------------------------


def test_join_sets_joined_and_the_changed_flags_of_each_field(ctx: Context) -> None:
    rel = db()
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    assert endpoint_flags(out, 'db') == ['endpoint.db.changed', 'endpoint.db.joined']
    # the interface layer's methods ran for db (changed.host was consumed by host_changed)
    assert {'db.connected', 'db.available'} <= set(out.flags)
    assert 'replica.connected' not in out.flags
    assert out.kv[f'reactive.data_changed.endpoint.db.db:{rel.id}.pg/0.host']


def test_a_change_of_one_field_sets_only_that_fields_flag(ctx: Context) -> None:
    rel = db(units={0: {'host': '"h"', 'port': '5432'}})
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), State(relations=[rel]))
    flags = {k: v for k, v in out.flags.items() if k != 'endpoint.db.changed'}
    rel2 = rel.replace(remote_units_data={0: {'host': '"h"', 'port': '5433'}})
    state = out.replace(relations=[rel2], flags=flags)
    out = ctx.run(ctx.on.relation_changed(rel2, remote_unit=0), state)
    assert endpoint_flags(out, 'db') == ['endpoint.db.changed', 'endpoint.db.changed.port',
                                         'endpoint.db.joined']


def test_departure_of_one_of_two_units_sets_departed_and_keeps_joined(ctx: Context) -> None:
    rel = db(units={0: {'host': '"a"'}, 1: {'host': '"b"'}})
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=1), State(relations=[rel]))
    # Juju no longer lists the departing unit; its data is still readable
    gone = rel.replace(remote_units_data={0: {'host': '"a"'}})
    out = ctx.run(ctx.on.relation_departed(gone, remote_unit=1),
                  out.replace(relations=[gone]))
    assert 'endpoint.db.joined' in out.flags and 'endpoint.db.departed' in out.flags
    departed = out.kv['reactive.endpoints.departed.db']
    assert [d['unit_name'] for d in departed] == ['pg/1']
    assert departed[0]['relation'] == f'db:{rel.id}'
    # the next hook with the endpoint still joined clears departed (charms.reactive #209)
    out = ctx.run(ctx.on.update_status(), out)
    assert 'endpoint.db.departed' not in out.flags
    assert out.kv['reactive.endpoints.departed.db'] == departed  # kept until the charm clears


def test_departure_of_the_last_unit_clears_joined(ctx: Context) -> None:
    rel = db()
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    gone = rel.replace(remote_units_data={})
    out = ctx.run(ctx.on.relation_departed(gone, remote_unit=0),
                  out.replace(relations=[gone]))
    assert endpoint_flags(out, 'db') == ['endpoint.db.changed', 'endpoint.db.departed']
    assert 'db.connected' not in out.flags and 'db.available' not in out.flags
    out = ctx.run(ctx.on.update_status(), out)
    assert 'endpoint.db.departed' in out.flags  # nothing joined: departed stays


def test_broken_is_set_in_relation_broken_and_cleared_on_rejoin(ctx: Context) -> None:
    web = Relation('web', remote_app_name='site')
    out = ctx.run(ctx.on.relation_joined(web, remote_unit=0), State(relations=[web]))
    assert 'endpoint.web.joined' in out.flags
    gone = web.replace(remote_units_data={})
    out = ctx.run(ctx.on.relation_broken(gone), out.replace(relations=[gone]))
    assert 'endpoint.web.broken' in out.flags and 'endpoint.web.joined' not in out.flags
    assert 'test.web.broken' in out.flags  # a module handler saw it in the same hook
    out = ctx.run(ctx.on.update_status(), out.replace(relations=[]))
    assert 'endpoint.web.broken' in out.flags  # stays while nothing is joined
    again = Relation('web', remote_app_name='site')
    out = ctx.run(ctx.on.relation_joined(again, remote_unit=0), out.replace(relations=[again]))
    assert 'endpoint.web.broken' not in out.flags and 'endpoint.web.joined' in out.flags


def test_a_plain_endpoint_outside_its_hooks_is_computed_only_when_read(ctx: Context) -> None:
    web = Relation('web', remote_app_name='site')
    out = ctx.run(ctx.on.update_status(), State(relations=[web]))
    # The web endpoint is first seen joined in update-status: joined and the data scan
    # (charms.reactive's "joined was not set" rule).
    assert endpoint_flags(out, 'web') == ['endpoint.web.changed',
                                          'endpoint.web.changed.egress-subnets',
                                          'endpoint.web.changed.ingress-address',
                                          'endpoint.web.changed.private-address',
                                          'endpoint.web.joined']


# -- handlers and legacy arguments --------------------------------------------------------


def test_endpoint_methods_are_registered_once_per_endpoint(ctx: Context) -> None:
    one, two = db(), Relation('replica', remote_app_name='pg2',
                              remote_units_data={0: {'host': '"r"'}})
    out = ctx.run(ctx.on.relation_joined(two, remote_unit=0), State(relations=[one, two]))
    ran = short(ctx.handlers_run)
    assert 'PgClient.joined:db' in ran and 'PgClient.joined:replica' in ran
    assert {'db.connected', 'replica.connected', 'replica.available'} <= set(out.flags)
    # db was first seen joined in replica's hook: its data was scanned too
    assert 'db.available' in out.flags


def test_when_handlers_get_the_endpoint_of_their_flag(ctx: Context) -> None:
    rel = db()
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    assert out.flags['test.used'] == 'db'


def test_hook_handlers_get_the_endpoint_of_the_hook(ctx: Context) -> None:
    rel = db(units={0: {'host': '"a"'}, 1: {'host': '"b"'}})
    out = ctx.run(ctx.on.relation_changed(rel, remote_unit=0), State(relations=[rel]))
    assert out.flags['test.hook'] == ['db', 2]


# -- publishing -------------------------------------------------------------------------


def test_to_publish_is_json_and_sent_at_the_end(ctx: Context) -> None:
    rel = db()
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    local = out.get_relation(rel.id).local_unit_data
    assert local['database'] == '"app"'
    assert local['options'] == json.dumps({'a': [True, None], 'b': 1}, sort_keys=True)
    assert local['user'] == 'u1'


def test_nothing_is_published_when_the_hook_fails(ctx: Context) -> None:
    rel = db()
    with pytest.raises(UncaughtCharmError, match='told to fail'):
        ctx.run(ctx.on.relation_joined(rel, remote_unit=0),
                State(relations=[rel], config={'fail': True}))
