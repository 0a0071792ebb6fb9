"""The redis interface package, both sides related to each other through reactops.testing.

These tests need the package installed (``pip install ./examples/interface-redis``), as
a charm would have it: reactops then finds the classes through the package's entry points.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from reactops_redis import RedisProvides, RedisRequires, RedisServer

from reactops.reactive.endpoint import find_endpoint_class
from reactops.testing import Context, Relation, State

SERVER_META = """
name: redis-server
provides:
  db:
    interface: redis
"""
SERVER_CONFIG = """
options:
  password: {type: string, default: ''}
"""
SERVER_HANDLERS = """
from reactops import current_charm, when


@when('db.connected')
def publish(db):
    db.configure(6379, password=current_charm().config['password'] or None)
"""
CLIENT_META = """
name: cache-user
requires:
  cache:
    interface: redis
"""
CLIENT_HANDLERS = """
from reactops import clear_flag, set_flag, when, when_not


@when('cache.available')
def connect(cache):
    set_flag('test.uris', [server.uri for server in cache.servers()])


@when('cache.changed')
def reconnect(cache):
    set_flag('test.reconnected')
    clear_flag('cache.changed')


@when_not('cache.available')
def forget():
    clear_flag('test.uris')
"""


def make_charm(root: Path, meta: str, handlers: str, config: str = '') -> Path:
    (root / 'reactive').mkdir(parents=True)
    (root / 'metadata.yaml').write_text(textwrap.dedent(meta))
    if config:
        (root / 'config.yaml').write_text(textwrap.dedent(config))
    (root / 'reactive' / 'handlers.py').write_text(textwrap.dedent(handlers))
    return root


@pytest.fixture
def server(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'server', SERVER_META, SERVER_HANDLERS,
                              SERVER_CONFIG))


@pytest.fixture
def client(tmp_path: Path) -> Context:
    return Context(make_charm(tmp_path / 'client', CLIENT_META, CLIENT_HANDLERS))


def serve(server: Context, *, leader: bool, password: str = '') -> Relation:
    """Run the server's db-relation-joined; return the relation as the server left it."""
    rel = Relation('db', remote_app_name='cache-user')
    state = State(relations=[rel], leader=leader, config={'password': password})
    out = server.run(server.on.relation_joined(rel, remote_unit=0), state)
    published = out.get_relation(rel.id)
    assert isinstance(published, Relation)
    return published


def as_client_sees(served: Relation, *units: int) -> Relation:
    """The client's side of the relation: each server unit published *served*'s bag."""
    return Relation('cache', remote_app_name='redis-server',
                    remote_app_data=served.local_app_data,
                    remote_units_data={n: served.local_unit_data for n in units})


def test_the_entry_points_resolve_to_the_packages_classes(tmp_path: Path) -> None:
    assert find_endpoint_class(tmp_path, 'redis', 'provides') is RedisProvides
    assert find_endpoint_class(tmp_path, 'redis', 'requires') is RedisRequires


def test_every_server_unit_publishes_its_address_and_the_leader_the_password(
        server: Context) -> None:
    leader = serve(server, leader=True, password='s3cret')
    assert leader.local_unit_data['host'] == '192.0.2.0'
    assert leader.local_unit_data['port'] == '6379'
    assert leader.local_app_data == {'password': 's3cret'}
    follower = serve(server, leader=False, password='s3cret')
    assert follower.local_unit_data['port'] == '6379'
    assert follower.local_app_data == {}  # only the leader may write the app bag


def test_the_client_is_available_once_a_server_published(server: Context,
                                                         client: Context) -> None:
    rel = as_client_sees(serve(server, leader=True, password='pw'), 0, 1)
    out = client.run(client.on.relation_changed(rel, remote_unit=0), State(relations=[rel]))
    assert {'cache.connected', 'cache.available'} <= set(out.flags)
    assert out.flags['test.uris'] == ['redis://:pw@192.0.2.0:6379'] * 2


def test_a_client_is_not_available_before_the_server_published(client: Context) -> None:
    rel = Relation('cache', remote_app_name='redis-server',
                   remote_units_data={0: {'ingress-address': '10.0.0.9'}})
    out = client.run(client.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    assert 'cache.connected' in out.flags
    assert 'cache.available' not in out.flags and 'test.uris' not in out.flags


def test_a_new_password_in_the_servers_app_bag_makes_the_client_reconnect(
        server: Context, client: Context) -> None:
    rel = as_client_sees(serve(server, leader=True, password='old'), 0)
    out = client.run(client.on.relation_changed(rel, remote_unit=0), State(relations=[rel]))
    out = client.run(client.on.update_status(), out)  # settle: changed flags consumed
    assert 'test.reconnected' in out.flags
    flags = {k: v for k, v in out.flags.items() if k != 'test.reconnected'}

    rotated = rel.replace(remote_app_data={'password': 'new'})
    # Juju tells of a change to the application bag in a hook without a remote unit.
    out = client.run(client.on.relation_changed(rotated, remote_unit=None),
                     out.replace(relations=[rotated], flags=flags))
    assert 'test.reconnected' in out.flags
    assert out.flags['test.uris'] == ['redis://:new@192.0.2.0:6379']


def test_the_client_forgets_the_servers_when_the_last_unit_departs(
        server: Context, client: Context) -> None:
    rel = as_client_sees(serve(server, leader=True), 0)
    out = client.run(client.on.relation_changed(rel, remote_unit=0), State(relations=[rel]))
    gone = rel.replace(remote_units_data={})
    out = client.run(client.on.relation_departed(gone, remote_unit='redis-server/0'),
                     out.replace(relations=[gone]))
    assert not {'cache.connected', 'cache.available', 'test.uris'} & set(out.flags)


def test_a_server_uri_without_a_password_has_no_credentials() -> None:
    assert RedisServer('r/0', '10.0.0.1', 6379, None).uri == 'redis://10.0.0.1:6379'
