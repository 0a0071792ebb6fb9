"""The built-in ``http`` layer, both sides related to each other: a web charm (provides
``website``) publishes its address; a proxy charm (requires ``backend``) is run with that
bag as its remote unit's data and lists the services.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from reactops.layers.http import Provides, Requires
from reactops.reactive.endpoint import find_endpoint_class
from reactops.testing import Context, Relation, State

WEB_META = """
name: web
requires: {}
provides:
  website:
    interface: http
"""
WEB_CONFIG = """
options:
  hostname: {type: string, default: ''}
  addresses: {type: string, default: ''}
"""
WEB_HANDLERS = """
from reactops import current_charm, set_flag, when


@when('website.available')
def publish(website):
    config = current_charm().config
    if config['addresses']:  # several hosts: published as extended_data
        website.configure(8080, config['addresses'].split(), None)
    else:
        website.configure(8080, hostname=config['hostname'] or None)
    set_flag('test.ingress', website.ingress_address())
"""
PROXY_META = """
name: proxy
requires:
  backend:
    interface: http
"""
PROXY_HANDLERS = """
from reactops import clear_flag, set_flag, when, when_not


@when('backend.available')
def record(backend):
    set_flag('test.services', backend.services())


@when_not('backend.available')
def forget():
    clear_flag('test.services')
"""


def charm(root: Path, meta: str, handlers: str, config: str = '') -> Path:
    (root / 'reactive').mkdir(parents=True)
    (root / 'metadata.yaml').write_text(textwrap.dedent(meta))
    if config:
        (root / 'config.yaml').write_text(textwrap.dedent(config))
    (root / 'reactive' / f'{root.name}.py').write_text(textwrap.dedent(handlers))
    return root


@pytest.fixture
def web(tmp_path: Path) -> Context:
    return Context(charm(tmp_path / 'web', WEB_META, WEB_HANDLERS, WEB_CONFIG))


@pytest.fixture
def proxy(tmp_path: Path) -> Context:
    return Context(charm(tmp_path / 'proxy', PROXY_META, PROXY_HANDLERS))


def published(web: Context, config: Mapping[str, Any] | None = None,
              own: Mapping[str, str] | None = None) -> tuple[State, dict[str, str]]:
    """Run the web charm's website-relation-joined; return its state and its unit's bag."""
    rel = Relation('website', remote_app_name='proxy')
    if own is not None:
        rel = rel.replace(local_unit_data=own)
    out = web.run(web.on.relation_joined(rel, remote_unit=0),
                  State(relations=[rel], config=dict(config or {})))
    return out, dict(out.get_relation(rel.id).local_unit_data)


def as_backend(proxy: Context, *bags: Mapping[str, str], app: str = 'web',
               state: State | None = None) -> State:
    """Run the proxy's backend-relation-changed with *bags* as the web units' data."""
    rel = Relation('backend', remote_app_name=app,
                   remote_units_data=dict(enumerate(bags)))
    state = (state or State()).replace(relations=[rel])
    return proxy.run(proxy.on.relation_changed(rel, remote_unit=0), state)


def test_the_builtin_layer_is_found_for_both_roles(tmp_path: Path) -> None:
    assert find_endpoint_class(tmp_path, 'http', 'provides') is Provides
    assert find_endpoint_class(tmp_path, 'http', 'requires') is Requires


def test_provides_is_available_while_joined_and_publishes_like_interface_http(
        web: Context) -> None:
    out, bag = published(web, {'hostname': 'web.example'})
    assert 'website.available' in out.flags
    assert bag['port'] == '8080' and bag['hostname'] == 'web.example'
    assert bag['private-address'] == '192.0.2.0'  # our ingress address
    assert out.flags['test.ingress'] == '192.0.2.0'


def test_provides_defaults_the_hostname_to_the_ingress_address(web: Context) -> None:
    own = {'ingress-address': '10.1.1.5', 'private-address': '10.9.9.9'}
    _, bag = published(web, own=own)
    assert (bag['hostname'], bag['private-address']) == ('10.1.1.5', '10.1.1.5')


def test_provides_clears_available_when_the_last_client_departs(web: Context) -> None:
    out, _ = published(web)
    rel = out.get_relations('website')[0]
    assert isinstance(rel, Relation)
    gone = rel.replace(remote_units_data={})
    out = web.run(web.on.relation_departed(gone, remote_unit=0),
                  out.replace(relations=[gone]))
    assert 'website.available' not in out.flags


def test_requires_lists_the_service_the_provider_published(
        web: Context, proxy: Context) -> None:
    _, bag = published(web, {'hostname': 'web.example'})
    out = as_backend(proxy, bag)
    assert 'backend.available' in out.flags
    assert out.flags['test.services'] == [{
        'service_name': 'web',
        'hosts': [{'hostname': 'web.example', 'private-address': '192.0.2.0',
                   'port': '8080'}]}]


def test_requires_reads_extended_data_for_several_hosts(
        web: Context, proxy: Context) -> None:
    _, bag = published(web, {'addresses': '10.0.0.2 10.0.0.1'})
    assert 'port' not in bag
    assert json.loads(bag['extended_data'])[0] == {
        'hostname': '192.0.2.0', 'private-address': '10.0.0.2', 'port': 8080}
    out = as_backend(proxy, bag)
    hosts = out.flags['test.services'][0]['hosts']
    assert [h['private-address'] for h in hosts] == ['10.0.0.1', '10.0.0.2']
    assert {h['port'] for h in hosts} == {'8080'}


def test_requires_is_not_available_before_a_port_is_published(proxy: Context) -> None:
    out = as_backend(proxy, {'private-address': '10.0.0.1'})
    assert 'endpoint.backend.joined' in out.flags
    assert 'backend.available' not in out.flags and 'test.services' not in out.flags


def test_requires_clears_available_when_the_port_is_withdrawn(
        web: Context, proxy: Context) -> None:
    _, bag = published(web)
    out = as_backend(proxy, bag)
    withdrawn = {k: v for k, v in bag.items() if k != 'port'}
    out = as_backend(proxy, withdrawn, state=out)
    assert 'backend.available' not in out.flags and 'test.services' not in out.flags


def test_requires_clears_available_when_the_relation_is_broken(
        web: Context, proxy: Context) -> None:
    _, bag = published(web)
    out = as_backend(proxy, bag)
    rel = out.get_relations('backend')[0]
    assert isinstance(rel, Relation)
    gone = rel.replace(remote_units_data={})
    out = proxy.run(proxy.on.relation_broken(gone), out.replace(relations=[gone]))
    assert 'backend.available' not in out.flags


def test_services_group_units_by_application_and_skip_incomplete_ones(
        web: Context, proxy: Context) -> None:
    _, bag = published(web, {'hostname': 'a'})
    other = dict(bag, hostname='b')
    incomplete = {'private-address': '10.0.0.7'}
    out = as_backend(proxy, bag, other, incomplete)
    [service] = out.flags['test.services']
    assert [h['hostname'] for h in service['hosts']] == ['a', 'b']


def test_requires_is_available_when_first_seen_joined_outside_its_hooks(
        web: Context, proxy: Context) -> None:
    _, bag = published(web)
    rel = Relation('backend', remote_app_name='web', remote_units_data={0: bag})
    out = proxy.run(proxy.on.update_status(), State(relations=[rel]))
    assert 'backend.available' in out.flags
