"""The built-in ``juju-info`` layer, both sides related to each other: a principal charm
(provides ``info``) is run with its own addresses; a subordinate-style charm (requires
``host``) is run with that bag as its remote unit's data and reads the addresses.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reactops.layers.juju_info import ENDPOINTS, JujuInfo
from reactops.reactive.endpoint import find_endpoint_class
from reactops.testing import Context, Relation, State

PRINCIPAL_META = """
name: principal
provides:
  info:
    interface: juju-info
"""
AGENT_META = """
name: agent
requires:
  host:
    interface: juju-info
"""
RECORD = """
from reactops import clear_flag, set_flag, when, when_not


@when('{name}.available')
def record(ep):
    set_flag('test.seen', {{
        'count': ep.unit_count, 'units': ep.unit_names(),
        'apps': ep.application_names(), 'ingress': ep.ingress_addresses(),
        'private': ep.private_addresses(), 'first': ep.get_private_address()}})


@when_not('{name}.connected')
def forget():
    clear_flag('test.seen')
"""


def charm(root: Path, meta: str, endpoint: str) -> Context:
    (root / 'reactive').mkdir(parents=True)
    (root / 'metadata.yaml').write_text(textwrap.dedent(meta))
    (root / 'reactive' / f'{root.name}.py').write_text(RECORD.format(name=endpoint))
    return Context(root)


@pytest.fixture
def principal(tmp_path: Path) -> Context:
    return charm(tmp_path / 'principal', PRINCIPAL_META, 'info')


@pytest.fixture
def agent(tmp_path: Path) -> Context:
    return charm(tmp_path / 'agent', AGENT_META, 'host')


def principal_bags(principal: Context, *addresses: str) -> list[dict[str, str]]:
    """Run the principal's info-relation-joined once per address; the bags Juju shows."""
    bags = []
    for address in addresses:
        rel = Relation('info', remote_app_name='agent', local_unit_data={
            'ingress-address': address, 'private-address': address.replace('10.', '172.')})
        out = principal.run(principal.on.relation_joined(rel, remote_unit=0),
                            State(relations=[rel]))
        assert {'info.connected', 'info.available'} <= set(out.flags)
        bags.append(dict(out.get_relation(rel.id).local_unit_data))
    return bags


def test_one_class_serves_every_role(tmp_path: Path) -> None:
    for role in ('provides', 'requires', 'peers'):
        assert ENDPOINTS[role] is JujuInfo
        assert find_endpoint_class(tmp_path, 'juju-info', role) is JujuInfo


def test_requires_reads_the_principals_addresses(principal: Context, agent: Context) -> None:
    bags = principal_bags(principal, '10.0.0.5', '10.0.0.6')
    rel = Relation('host', remote_app_name='principal', remote_units_data=dict(enumerate(bags)))
    out = agent.run(agent.on.relation_joined(rel, remote_unit=1), State(relations=[rel]))
    assert {'host.connected', 'host.available'} <= set(out.flags)
    assert out.flags['test.seen'] == {
        'count': 2, 'units': ['principal/0', 'principal/1'], 'apps': ['principal'],
        'ingress': {'principal/0': '10.0.0.5', 'principal/1': '10.0.0.6'},
        'private': {'principal/0': '172.0.0.5', 'principal/1': '172.0.0.6'},
        'first': '172.0.0.5'}


def test_ingress_falls_back_to_the_private_address(agent: Context) -> None:
    rel = Relation('host', remote_app_name='old', remote_units_data={
        0: {'private-address': '10.3.3.3'}})
    out = agent.run(agent.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    assert out.flags['test.seen']['ingress'] == {'old/0': '10.3.3.3'}


def test_both_flags_clear_when_the_last_unit_departs(principal: Context,
                                                     agent: Context) -> None:
    [bag] = principal_bags(principal, '10.0.0.5')
    rel = Relation('host', remote_app_name='principal', remote_units_data={0: bag})
    out = agent.run(agent.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    gone = rel.replace(remote_units_data={})
    out = agent.run(agent.on.relation_departed(gone, remote_unit=0),
                    out.replace(relations=[gone]))
    assert not {'host.connected', 'host.available', 'test.seen'} & set(out.flags)


def test_the_flags_follow_joined_outside_the_relation_hooks(agent: Context) -> None:
    rel = Relation('host', remote_app_name='principal')
    out = agent.run(agent.on.update_status(), State(relations=[rel]))
    assert {'host.connected', 'host.available'} <= set(out.flags)
    out = agent.run(agent.on.update_status(), out.replace(relations=[]))
    assert not {'host.connected', 'host.available'} & set(out.flags)
