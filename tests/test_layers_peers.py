"""The built-in ``peers`` layer, the leader and a follower related to each other: the
leader (unit 0) publishes in the peer relation's application bag; a follower (unit 1) is
run with that bag as its application data and the leader's unit bag as its peer's data.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from reactops.layers.peers import LeaderCoordinatedPeers, NotLeaderError, Peers
from reactops.reactive.endpoint import find_endpoint_class
from reactops.testing import Context, PeerRelation, State, UncaughtCharmError

META = """
name: cluster
peers:
  cluster:
    interface: {interface}
"""
CONFIG = """
options:
  token: {type: string, default: ''}
  force: {type: boolean, default: false}
  ack: {type: boolean, default: true}
"""
HANDLERS = """
from reactops import clear_flag, current_charm, endpoint_from_name, set_flag, when, when_not


@when('cluster.connected')
def addresses(cluster):
    set_flag('test.addresses', cluster.peer_addresses(include_self=True))


@when('cluster.leader-data.changed')
def follow(cluster):
    seen = [current_charm().model.unit.name, cluster.leader_data()]
    set_flag('test.seen', seen)
    if current_charm().config['ack']:
        clear_flag('cluster.leader-data.changed')


@when_not('test.never')  # every hook: publishing must not wait for a peer
def lead():
    config = current_charm().config
    cluster = endpoint_from_name('cluster')
    if config['token'] and (cluster.is_leader or config['force']):
        set_flag('test.published', cluster.publish('token', config['token']))
"""
OWN_LAYER = """
from reactops.layers.peers import LeaderCoordinatedPeers


class ClusterPeers(LeaderCoordinatedPeers):
    pass
"""


def charm(root: Path, interface: str = 'peers') -> Path:
    (root / 'reactive').mkdir(parents=True)
    (root / 'metadata.yaml').write_text(textwrap.dedent(META.format(interface=interface)))
    (root / 'config.yaml').write_text(textwrap.dedent(CONFIG))
    (root / 'reactive' / 'cluster.py').write_text(textwrap.dedent(HANDLERS))
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return charm(tmp_path / 'cluster')


def leader_run(root: Path, token: str = 'abc') -> tuple[State, PeerRelation]:
    """Unit 0, the leader, publishes *token* in config-changed; one peer is joined."""
    ctx = Context(root, unit_id=0)
    rel = PeerRelation('cluster', local_unit_data={'ingress-address': '10.0.0.10'},
                       peers_data={1: {'ingress-address': '10.0.0.11'}})
    out = ctx.run(ctx.on.config_changed(),
                  State(relations=[rel], leader=True, config={'token': token}))
    published = out.get_relation(rel.id)
    assert isinstance(published, PeerRelation)
    return out, published


def follower(root: Path, leader: PeerRelation, state: State | None = None,
             config: Mapping[str, Any] | None = None) -> State:
    """Unit 1 sees the leader's bags: peer-relation-changed for the application data."""
    ctx = Context(root, unit_id=1)
    rel = PeerRelation('cluster', id=leader.id,
                       local_app_data=dict(leader.local_app_data),
                       local_unit_data={'ingress-address': '10.0.0.11'},
                       peers_data={0: dict(leader.local_unit_data)})
    state = (state or State()).replace(relations=[rel], leader=False,
                                       config=dict(config or {}))
    return ctx.run(ctx.on.relation_changed(rel, remote_unit=None), state)


def test_the_layer_is_found_by_interface_name_and_reusable(tmp_path: Path) -> None:
    assert find_endpoint_class(tmp_path, 'peers', 'peers') is Peers
    own = charm(tmp_path / 'own', interface='cluster-peers')
    layer = own / 'interfaces' / 'cluster-peers'
    layer.mkdir(parents=True)
    (layer / 'peers.py').write_text(textwrap.dedent(OWN_LAYER))
    found = find_endpoint_class(own, 'cluster-peers', 'peers')
    assert found is not None and issubclass(found, LeaderCoordinatedPeers)
    assert found.__name__ == 'ClusterPeers'


def test_the_leader_publishes_and_does_not_see_its_own_write_as_a_change(
        root: Path) -> None:
    out, rel = leader_run(root)
    assert rel.local_app_data == {'token': 'abc'}
    assert out.flags['test.published'] is True
    assert 'cluster.connected' in out.flags
    assert 'cluster.leader-data.changed' not in out.flags and 'test.seen' not in out.flags
    ctx = Context(root, unit_id=0)
    again = ctx.run(ctx.on.relation_changed(rel, remote_unit=1), out)
    assert 'test.seen' not in again.flags


def test_publish_without_a_peer_relation_returns_false(root: Path) -> None:
    ctx = Context(root, unit_id=0)
    out = ctx.run(ctx.on.config_changed(), State(leader=True, config={'token': 'abc'}))
    assert out.flags['test.published'] is False


def test_a_follower_sees_leader_data_changed_once_per_change(root: Path) -> None:
    _, leader = leader_run(root)
    out = follower(root, leader)
    assert out.flags['test.seen'] == ['cluster/1', {'token': 'abc'}]
    assert 'cluster.leader-data.changed' not in out.flags  # the handler cleared it
    same = follower(root, leader, out.replace(flags={
        k: v for k, v in out.flags.items() if k != 'test.seen'}))
    assert 'test.seen' not in same.flags  # nothing new
    _, newer = leader_run(root, token='xyz')
    changed = follower(root, newer.replace(id=leader.id), same)
    assert changed.flags['test.seen'] == ['cluster/1', {'token': 'xyz'}]


def test_leader_data_changed_stays_until_a_handler_clears_it(root: Path) -> None:
    _, leader = leader_run(root)
    out = follower(root, leader, config={'ack': False})
    assert 'cluster.leader-data.changed' in out.flags
    ctx = Context(root, unit_id=1)
    out = ctx.run(ctx.on.update_status(), out)
    assert 'cluster.leader-data.changed' in out.flags


def test_an_empty_application_bag_is_not_a_change(root: Path) -> None:
    _, leader = leader_run(root, token='')
    assert leader.local_app_data == {}
    out = follower(root, leader)
    assert 'cluster.leader-data.changed' not in out.flags and 'test.seen' not in out.flags


def test_peer_addresses_list_every_unit_in_order(root: Path) -> None:
    _, leader = leader_run(root)
    out = follower(root, leader)
    assert out.flags['test.addresses'] == {'cluster/0': '10.0.0.10',
                                           'cluster/1': '10.0.0.11'}


def test_connected_is_cleared_when_the_last_peer_departs(root: Path) -> None:
    out, rel = leader_run(root)
    gone = rel.replace(peers_data={})
    ctx = Context(root, unit_id=0)
    out = ctx.run(ctx.on.relation_departed(gone, remote_unit=1),
                  out.replace(relations=[gone]))
    assert 'cluster.connected' not in out.flags


def test_a_follower_may_not_publish(root: Path) -> None:
    _, leader = leader_run(root)
    with pytest.raises(UncaughtCharmError) as caught:
        follower(root, leader, config={'token': 'mine', 'force': True})
    assert isinstance(caught.value.__cause__, NotLeaderError)
    assert 'cluster/1' in str(caught.value.__cause__)


def test_leader_data_is_seen_when_first_joined_outside_the_relation_hooks(
        root: Path) -> None:
    _, leader = leader_run(root)
    ctx = Context(root, unit_id=1)
    rel = PeerRelation('cluster', local_app_data=dict(leader.local_app_data),
                       peers_data={0: dict(leader.local_unit_data)})
    out = ctx.run(ctx.on.update_status(), State(relations=[rel]))
    assert out.flags['test.seen'] == ['cluster/1', {'token': 'abc'}]
