"""Relation data access as Juju enforces it, for every bag and role, leader and not, peer
relation and not: through the model on fake hook tools, and through reactops.testing.

The rules: a unit reads and writes its own bag; only the leader reads (outside peer
relations) and writes its application's bag; every unit reads remote units', the remote
application's and its peers' bags, and writes none of them.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fakejuju import FakeJuju

from reactops import CharmBase
from reactops._private.backend import ModelBackend
from reactops.errors import RelationDataAccessError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import Model
from reactops.testing import Context, PeerRelation, Relation, State

META = {'name': 'demo', 'requires': {'db': {'interface': 'pgsql'}},
        'peers': {'cluster': {'interface': 'demo-peers'}}}
Probe = tuple[str, str, str]  # (relation, bag, read|write)


def expected(bag: str, op: str, *, leader: bool, peer: bool) -> str:
    if bag == 'own unit':
        return 'ok'
    if bag == 'own app':
        return 'ok' if leader or (peer and op == 'read') else 'denied'
    return 'ok' if op == 'read' else 'denied'  # remote unit, remote app, peer unit


def bags(model: Model) -> dict[tuple[str, str], Any]:
    db, cluster = model.relations['db'][0], model.relations['cluster'][0]
    return {
        ('db', 'own unit'): db.data[model.unit], ('db', 'own app'): db.data[model.app],
        ('db', 'remote unit'): db.data[model.get_unit('pg/0')],
        ('db', 'remote app'): db.data[db.app],
        ('cluster', 'own unit'): cluster.data[model.unit],
        ('cluster', 'own app'): cluster.data[model.app],
        ('cluster', 'peer unit'): cluster.data[model.get_unit('demo/1')],
    }


def probe(model: Model) -> dict[Probe, str]:
    """Read, then write, every bag; record what the model allowed."""
    outcome: dict[Probe, str] = {}
    for (relation, bag), content in bags(model).items():
        for op in ('read', 'write'):
            try:
                if op == 'read':
                    dict(content)
                else:
                    content['probe'] = f'{relation}-{bag}'
                outcome[relation, bag, op] = 'ok'
            except RelationDataAccessError:
                outcome[relation, bag, op] = 'denied'
    return outcome


def rules(leader: bool) -> dict[Probe, str]:
    return {(rel, bag, op): expected(bag, op, leader=leader, peer=rel == 'cluster')
            for rel, bag in [('db', 'own unit'), ('db', 'own app'), ('db', 'remote unit'),
                             ('db', 'remote app'), ('cluster', 'own unit'),
                             ('cluster', 'own app'), ('cluster', 'peer unit')]
            for op in ('read', 'write')}


@pytest.mark.parametrize('leader', [True, False])
def test_access_through_the_model_on_fake_hook_tools(fake_juju: FakeJuju,
                                                     leader: bool) -> None:
    fake_juju.update(leader=leader)
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'a': '1'}, 'pg': {}})
    fake_juju.add_relation('cluster', 1, 'demo', ['demo/1'], peer=True,
                           data={'demo/1': {'b': '2'}, 'demo': {'c': '3'}})
    model = Model(CharmMeta.from_yaml(yaml.safe_dump(META)),
                  ModelBackend(JujuContext.from_environ()))
    model._backend._hook_is_running = 'update_status'  # charm code runs: Juju's rules apply
    assert probe(model) == rules(leader)
    model._on_commit()  # only the allowed writes go out
    relations = fake_juju.state()['relations']
    written = {(key.split(':')[0], member) for key, rel in relations.items()
               for member, data in rel['data'].items() if 'probe' in data}
    assert written == ({('db', 'demo/0'), ('cluster', 'demo/0')} |
                       ({('db', 'demo'), ('cluster', 'demo')} if leader else set()))


class Prober(CharmBase):
    """Probes every bag on update-status and keeps what happened for the test."""

    seen: dict[Probe, str] = {}

    def __init__(self, framework: Any):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, event: Any) -> None:
        Prober.seen = probe(self.model)


@pytest.mark.parametrize('leader', [True, False])
def test_access_through_reactops_testing(leader: bool) -> None:
    ctx = Context(Prober, meta=META, app_name='demo')
    db = Relation('db', remote_app_name='pg', remote_units_data={0: {'a': '1'}})
    cluster = PeerRelation('cluster', peers_data={1: {'b': '2'}})
    out = ctx.run(ctx.on.update_status(), State(relations=[db, cluster], leader=leader))
    assert Prober.seen == rules(leader)
    mine = {rel.endpoint: rel for rel in out.relations}
    assert mine['db'].local_unit_data.get('probe') == 'db-own unit'
    assert ('probe' in mine['db'].local_app_data) is leader
    assert ('probe' in mine['cluster'].local_app_data) is leader
