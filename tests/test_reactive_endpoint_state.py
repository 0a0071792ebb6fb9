"""Endpoint state that outlives a hook or leaves the unit: the application bag we publish
(``to_publish_app``) and the departed units a charm has not dealt with yet
(``all_departed_units``, kept in the state store until the charm clears it)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from reactops.testing import Context, Relation, State, UncaughtCharmError

META = """
name: svc
provides:
  svc:
    interface: svcx
"""
CONFIG = """
options:
  forget: {type: boolean, default: false}
"""
HANDLERS = """
from reactops import current_charm, endpoint_from_name, set_flag, when


@when('endpoint.svc.joined')
def publish():
    for relation in endpoint_from_name('svc').relations:
        relation.to_publish_app['settings'] = {'replicas': 3, 'tls': True}
        relation.to_publish_app_raw['mode'] = 'fast'


@when('endpoint.svc.departed')
def remember_departures():
    svc = endpoint_from_name('svc')
    set_flag('test.departed', [unit.unit_name for unit in svc.all_departed_units])
    set_flag('test.departed_data', [unit.received_raw['name']
                                    for unit in svc.all_departed_units])
    if current_charm().config['forget']:
        svc.all_departed_units.clear()
"""


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    (tmp_path / 'reactive').mkdir()
    (tmp_path / 'metadata.yaml').write_text(textwrap.dedent(META))
    (tmp_path / 'config.yaml').write_text(textwrap.dedent(CONFIG))
    (tmp_path / 'reactive' / 'svc.py').write_text(textwrap.dedent(HANDLERS))
    return Context(tmp_path)


def related(*units: int) -> Relation:
    return Relation('svc', remote_app_name='client',
                    remote_units_data={n: {'name': f'client-{n}'} for n in units})


def test_the_leader_publishes_json_and_raw_values_in_the_application_bag(
        ctx: Context) -> None:
    rel = related(0)
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0),
                  State(relations=[rel], leader=True))
    bag = out.get_relation(rel.id).local_app_data
    assert json.loads(bag['settings']) == {'replicas': 3, 'tls': True}
    assert bag['mode'] == 'fast'  # raw: no JSON quotes


def test_a_follower_writing_the_application_bag_fails_and_publishes_nothing(
        ctx: Context) -> None:
    rel = related(0)
    with pytest.raises(UncaughtCharmError, match='leader'):
        ctx.run(ctx.on.relation_joined(rel, remote_unit=0),
                State(relations=[rel], leader=False))


def depart(ctx: Context, state: State, unit: int, *left: int) -> State:
    """Run relation-departed of *unit* (its data still readable, as in Juju); the units
    *left* stay for the next hook."""
    rel = state.get_relations('svc')[0]
    assert isinstance(rel, Relation)
    out = ctx.run(ctx.on.relation_departed(rel, remote_unit=unit), state)
    remaining = rel.replace(remote_units_data={n: rel.remote_units_data[n] for n in left})
    return out.replace(relations=[remaining])


def test_departed_units_are_kept_across_hooks_until_the_charm_clears_them(
        ctx: Context) -> None:
    rel = related(0, 1, 2)
    state = ctx.run(ctx.on.relation_joined(rel, remote_unit=0),
                    State(relations=[rel], leader=True))

    state = depart(ctx, state, 2, 0, 1)
    assert state.flags['test.departed'] == ['client/2']
    assert state.flags['test.departed_data'] == ['client-2']  # its last data, kept

    state = depart(ctx, state, 1, 0)  # a later hook still sees the first departure
    assert state.flags['test.departed'] == ['client/2', 'client/1']

    state = depart(ctx, state.replace(config={'forget': True}), 0)
    assert state.flags['test.departed'] == ['client/2', 'client/1', 'client/0']
    [rel] = state.get_relations('svc')
    assert isinstance(rel, Relation)
    rejoined = rel.replace(remote_units_data={3: {'name': 'client-3'}})
    state = ctx.run(ctx.on.relation_joined(rejoined, remote_unit=3),
                    state.replace(relations=[rejoined], config={'forget': False}))
    state = depart(ctx, state, 3)
    assert state.flags['test.departed'] == ['client/3']  # the clear() was stored
