"""The model's other facets against fake hook tools: ports, storage, resources, network
bindings and the cloud spec; what each sends, and which are read once per dispatch."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import pytest
from fakejuju import FakeJuju

from reactops._private.backend import ModelBackend
from reactops.errors import ModelError, RelationNotFoundError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import CloudSpec, Model, Port

META = """
name: demo
requires:
  db: {interface: pgsql}
storage:
  data: {type: filesystem, multiple: {range: 0-}}
  logs: {type: filesystem}
resources:
  blob: {type: file, filename: blob.tar}
extra-bindings:
  admin:
"""


def make_model(monkeypatch: pytest.MonkeyPatch) -> Model:
    return Model(CharmMeta.from_yaml(META), ModelBackend(JujuContext.from_environ()))


def tools(fake: FakeJuju) -> list[list[str]]:
    return fake.argvs()


# -- ports -------------------------------------------------------------------------------


def test_ports_open_and_close_with_lowercased_protocols(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    model.unit.open_port('TCP', 8080)  # type: ignore[arg-type]
    model.unit.open_port('icmp')
    model.unit.close_port('tcp', 8080)
    assert tools(fake_juju) == [['open-port', '8080/tcp'], ['open-port', 'icmp'],
                                ['close-port', '8080/tcp']]
    with pytest.raises(ModelError, match='icmp'):
        model.unit.open_port('icmp', 1)
    with pytest.raises(ModelError, match='tcp port'):
        model.unit.open_port('tcp')
    with pytest.raises(ModelError, match='sctp'):
        model.unit.open_port('sctp', 1)  # type: ignore[arg-type]


def test_opened_ports_are_parsed_and_read_every_time(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_juju.respond('opened-ports', '["80/tcp", "icmp", "8000-8010/udp", "9/sctp"]')
    model = make_model(monkeypatch)
    with caplog.at_level(logging.WARNING, logger='reactops.model'):
        ports = model.unit.opened_ports()
    assert ports == {Port('tcp', 80), Port('icmp', None), Port('udp', 8000)}
    assert '8000-8010/udp' in caplog.text and 'sctp' in caplog.text
    model.unit.opened_ports()
    assert tools(fake_juju) == [['opened-ports', '--format=json']] * 2


def test_set_ports_closes_extras_and_opens_the_missing(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(opened_ports={'80/tcp': ['*'], '53/udp': ['*'], 'icmp': ['*']})
    model = make_model(monkeypatch)
    model.unit.set_ports(80, 443, Port('udp', 53))
    assert tools(fake_juju) == [['opened-ports', '--format=json'],
                                ['close-port', 'icmp'], ['open-port', '443/tcp']]
    fake_juju.clear_calls()
    model.unit.set_ports()
    assert sorted(fake_juju.argvs('close-port')) == [
        ['close-port', '443/tcp'], ['close-port', '53/udp'], ['close-port', '80/tcp']]
    assert fake_juju.state()['opened_ports'] == {}


def test_ports_are_our_units_only(fake_juju: FakeJuju,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    other = make_model(monkeypatch).get_unit('demo/1')
    with pytest.raises(RuntimeError, match='demo/1'):
        other.open_port('tcp', 80)
    with pytest.raises(RuntimeError, match='demo/1'):
        other.reboot()


def test_reboot_after_the_hook(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    make_model(monkeypatch).unit.reboot()
    assert tools(fake_juju) == [['juju-reboot']]
    assert fake_juju.state()['reboot'] == 'after-hook'


def test_reboot_now_never_returns(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        make_model(monkeypatch).unit.reboot(now=True)
    assert tools(fake_juju) == [['juju-reboot', '--now']]


# -- storage -----------------------------------------------------------------------------


def test_storage_is_listed_once_per_name_and_located_once(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_juju.update(storage={'data/0': {'location': '/srv/data/0'},
                              'data/3': {'location': '/srv/data/3'},
                              'logs/1': {'location': '/var/log/demo'}})
    model = make_model(monkeypatch)
    data = model.storages['data']
    assert [(s.name, s.index, s.full_id) for s in data] == [
        ('data', 0, 'data/0'), ('data', 3, 'data/3')]
    assert model.storages['data'] is data
    assert data[1].location == Path('/srv/data/3')
    assert data[1].location == Path('/srv/data/3')
    assert data[1].id == 3  # deprecated: as ops, it logs a warning
    assert 'Storage.id is deprecated' in caplog.text
    assert set(model.storages) == {'data', 'logs'} and 'logs' in model.storages
    assert tools(fake_juju) == [['storage-list', '--format=json', 'data'],
                                ['storage-get', '--format=json', '-s', 'data/3']]


def test_storage_unknown_names_and_requests(fake_juju: FakeJuju,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(KeyError, match="Did you mean 'data'"):
        model.storages['date']
    with pytest.raises(ModelError, match="Storage 'nope' not found"):
        model.storages.request('nope')
    model.storages.request('data', 2)
    assert tools(fake_juju) == [['storage-add', 'data=2']]
    assert fake_juju.state()['storage_added'] == {'data': 2}


# -- resources ---------------------------------------------------------------------------


def test_resources_are_fetched_once(fake_juju: FakeJuju,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(resources={'blob': '/var/lib/juju/blob.tar'})
    model = make_model(monkeypatch)
    assert model.resources.fetch('blob') == Path('/var/lib/juju/blob.tar')
    assert model.resources.fetch('blob') == Path('/var/lib/juju/blob.tar')
    assert tools(fake_juju) == [['resource-get', 'blob']]
    with pytest.raises(NameError, match="'nope'.*blob"):
        model.resources.fetch('nope')


def test_a_missing_resource_is_a_model_error(fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelError, match='not found'):
        make_model(monkeypatch).resources.fetch('blob')


# -- network -----------------------------------------------------------------------------

NETWORK = {
    'bind-addresses': [
        {'interface-name': 'eth0', 'addresses': [
            {'value': '10.0.0.5', 'cidr': '10.0.0.0/24'}, {'value': 'host.local'}]},
        {'interface-name': 'eth1', 'addresses': [{'address': '192.168.1.9', 'cidr': ''}]},
    ],
    'ingress-addresses': ['10.0.0.5', 'db.example'],
    'egress-subnets': ['10.0.0.5/32'],
}


def test_network_of_an_endpoint_is_read_once(fake_juju: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(networks={'admin': NETWORK})
    model = make_model(monkeypatch)
    binding = model.get_binding('admin')
    assert model.get_binding('admin') is binding
    network = binding.network
    assert [(i.name, i.address) for i in network.interfaces] == [
        ('eth0', ipaddress.ip_address('10.0.0.5')), ('eth0', 'host.local'),
        ('eth1', ipaddress.ip_address('192.168.1.9'))]
    assert network.interfaces[0].subnet == ipaddress.ip_network('10.0.0.0/24')
    assert network.interfaces[1].subnet is None
    assert network.interfaces[2].subnet == ipaddress.ip_network('192.168.1.9/32')
    assert network.bind_address == ipaddress.ip_address('10.0.0.5')
    assert network.ingress_addresses == [ipaddress.ip_address('10.0.0.5'), 'db.example']
    assert network.ingress_address == ipaddress.ip_address('10.0.0.5')
    assert network.egress_subnets == [ipaddress.ip_network('10.0.0.5/32')]
    assert binding.network is network
    assert tools(fake_juju) == [['network-get', '--format=json', 'admin']]


def test_network_of_a_relation_falls_back_when_the_relation_is_gone(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', [])
    fake_juju.update(networks={'db': {'bind-addresses': [], 'ingress-addresses': []}})
    model = make_model(monkeypatch)
    live = model.get_binding(model.relations['db'][0])
    assert live.network.bind_address is None and live.network.ingress_address is None
    gone = model.get_binding(model.get_relation('db', 9))  # type: ignore[arg-type]
    assert gone is not live
    gone.network  # noqa: B018
    assert fake_juju.argvs('network-get') == [
        ['network-get', '--format=json', '-r', '3', 'db'],
        ['network-get', '--format=json', '-r', '9', 'db'],
        ['network-get', '--format=json', 'db']]


def test_network_errors_pass_through(fake_juju: FakeJuju,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(ModelError, match='no network config'):
        model.get_binding('admin').network  # noqa: B018
    with pytest.raises(ModelError, match='binding'):
        model.get_binding(3)  # type: ignore[arg-type]
    fake_juju.fail('network-get', stderr='ERROR relation 4 not found')
    with pytest.raises(RelationNotFoundError):
        model.get_binding('db').network  # noqa: B018


# -- the cloud ---------------------------------------------------------------------------


def test_cloud_spec_is_read_every_time(fake_juju: FakeJuju,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(credential={
        'type': 'ec2', 'name': 'aws', 'region': 'eu-west-1', 'endpoint': '',
        'credential': {'auth-type': 'access-key', 'attrs': {'access-key': 'AK'},
                       'redacted': ['secret-key']},
        'cacertificates': ['PEM'], 'is-controller-cloud': True})
    model = make_model(monkeypatch)
    spec = model.get_cloud_spec()
    assert spec == model.get_cloud_spec()
    assert isinstance(spec, CloudSpec)
    assert (spec.type, spec.name, spec.region, spec.endpoint) == \
        ('ec2', 'aws', 'eu-west-1', None)
    assert spec.credential is not None and spec.credential.auth_type == 'access-key'
    assert spec.credential.attributes == {'access-key': 'AK'}
    assert spec.credential.redacted == ['secret-key']
    assert spec.ca_certificates == ['PEM'] and spec.is_controller_cloud
    assert not spec.skip_tls_verify
    assert tools(fake_juju) == [['credential-get', '--format=json']] * 2


def test_cloud_spec_without_trust_is_a_model_error(fake_juju: FakeJuju,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelError, match='trust'):
        make_model(monkeypatch).get_cloud_spec()
