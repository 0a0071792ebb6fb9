"""The local model seeds each unit's own relation bag with its addresses, as Juju does:
``private-address``, ``ingress-address`` and ``egress-subnets``, there from the relation's
creation and readable by the remote units."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from reactops.localmodel import LocalModel
from reactops.localmodel._lifecycle import queue_bag_changes
from reactops.localmodel._process import install_tools
from reactops.localmodel._tool import issue_hook_token, revoke_hook_token

CHARMS = Path(__file__).resolve().parent


def seeded(address: str) -> dict[str, str]:
    return {'private-address': address, 'ingress-address': address,
            'egress-subnets': f'{address}/32'}


def relation_get(model: LocalModel, unit: str, rel_id: int, owner: str) -> dict[str, str]:
    """What ``relation-get -r <id> - <owner>`` answers *unit* in a hook."""
    hook_id = model.state.start_hook(unit, 'test')
    token = issue_hook_token(model.state.db, hook_id, unit)
    env = {k: v for k, v in os.environ.items() if not k.startswith('JUJU_')}
    env.update(JUJU_UNIT_NAME=unit, REACTOPS_HOOK_TOKEN=token,
               REACTOPS_MODEL_DB=str(model.dir / 'model.db'))
    try:
        done = subprocess.run([str(install_tools(model.dir) / 'relation-get'), '--format=json',
                               '-r', str(rel_id), '-', owner], env=env, capture_output=True,
                              text=True, timeout=30, check=True)
    finally:
        revoke_hook_token(model.state.db, token)
    return dict(json.loads(done.stdout))


def test_every_unit_bag_holds_its_addresses_before_any_hook_runs(tmp_path: Path) -> None:
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('host', CHARMS / 'webhost', units=2)
        model.deploy('client', CHARMS / 'webclient')
        rel = model.relate('host:website', 'client:web')
        addresses = {u.name: u.address for u in model.state.units()}

        for unit, address in addresses.items():
            assert model.state.bag(rel.id, unit) == seeded(address)
        # The remote side reads them with relation-get, before relation-joined has run.
        assert relation_get(model, 'client/0', rel.id, 'host/1') == seeded(addresses['host/1'])
        assert relation_get(model, 'host/0', rel.id, 'client/0') == \
            seeded(addresses['client/0'])
        # Application bags get nothing.
        assert model.state.bag(rel.id, 'host') == {}


def test_a_unit_added_later_and_a_peer_relation_are_seeded(tmp_path: Path) -> None:
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('shop', CHARMS / 'shop')
        model.deploy('depot', CHARMS / 'depot')
        stock = model.relate('shop:stock', 'depot:stock')
        added = model.add_unit('shop')
        address = model.state.unit(added).address
        crew = next(r for r in model.state.relations('shop') if r.is_peer)

        assert model.state.bag(stock.id, added) == seeded(address)
        assert model.state.bag(crew.id, added) == seeded(address)
        assert model.state.bag(crew.id, 'shop/0') == seeded(model.state.unit('shop/0').address)


def test_a_value_the_charm_writes_over_a_seeded_key_stays(tmp_path: Path) -> None:
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('shop', CHARMS / 'shop')
        model.deploy('depot', CHARMS / 'depot')
        rel = model.relate('shop:stock', 'depot:stock')
        address = model.state.unit('depot/0').address
        hook_id = model.state.start_hook('depot/0', 'stock-relation-joined')
        model.state.db.execute(
            'INSERT INTO pending VALUES (?, ?, ?, ?)',
            (hook_id, rel.id, 'depot/0', json.dumps({**seeded(address),
                                                    'private-address': 'depot.example'})))
        queue_bag_changes(model.state, 'depot/0', model.state.take_pending(hook_id))
        model.add_unit('depot')  # seeding the new unit leaves depot/0's bag alone

        assert model.state.bag(rel.id, 'depot/0') == {
            **seeded(address), 'private-address': 'depot.example'}


def test_an_interface_http_client_finds_hosts_the_server_never_named(tmp_path: Path) -> None:
    # webhost publishes only hostname (its own ingress-address, read from its own bag as
    # interface-http does) and port; reactops' http layer on the client reads hostname
    # and private-address of each host: both come from what the model seeded.
    with LocalModel(tmp_path / 'model') as model:
        model.create()
        model.deploy('host', CHARMS / 'webhost', units=2)
        model.deploy('client', CHARMS / 'webclient')
        model.relate('host:website', 'client:web')
        model.settle()
        addresses = sorted(u.address for u in model.state.units('host'))
        client = model.state.unit('client/0')

    assert client.status == 'active', client.message
    assert json.loads(client.message) == [{'service_name': 'host', 'hosts': [
        {'hostname': a, 'private-address': a, 'port': '8080'} for a in addresses]}]
