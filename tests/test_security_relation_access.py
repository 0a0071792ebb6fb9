"""Relation data access as Juju enforces it, for every bag and role, leader and not, peer
relation and not: in the rule book (reactops/_private/jujurules.py), through the model on
fake hook tools, through the local model's hook tools, and through reactops.testing.

The rules: a unit reads and writes its own bag; only the leader reads (outside peer
relations) and writes its application's bag; every unit reads remote units', the remote
application's and its peers' bags, and writes none of them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakejuju import FakeJuju

from reactops import CharmBase
from reactops._private import jujurules
from reactops._private.backend import ModelBackend
from reactops.errors import ModelError, RelationDataAccessError
from reactops.jujucontext import JujuContext
from reactops.localmodel import LocalModel
from reactops.localmodel._process import install_tools
from reactops.localmodel._tool import issue_hook_token, revoke_hook_token
from reactops.meta import CharmMeta
from reactops.model import Model
from reactops.testing import Context, Harness, PeerRelation, Relation, State

META = {'name': 'demo', 'requires': {'db': {'interface': 'pgsql'}},
        'peers': {'cluster': {'interface': 'demo-peers'}}}
Probe = tuple[str, str, str]  # (relation, bag, read|write)
LOCAL_CHARMS = Path(__file__).resolve().parent / 'localmodel'


def expected(bag: str, op: str, *, leader: bool, peer: bool) -> str:
    """Juju's answer, from the one table every stand-in is checked against (below)."""
    if op == 'read':
        return 'ok' if JUJU_READS[bag, peer, leader] else 'denied'
    return 'ok' if bag == 'own unit' or (bag == 'own app' and leader) else 'denied'


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


# -- one rule book, every Juju stand-in ----------------------------------------------------
# Issue 17, finding 8: the local model let a unit read a sibling unit's bag on a non-peer
# relation, and let a hook act as any unit by setting JUJU_UNIT_NAME. The table below is
# Juju's, written out by hand; jujurules must say the same, and every stand-in must follow
# jujurules.

JUJU_READS = {  # (bag kind, peer relation, leader) -> may read
    **{(kind, peer, leader): True for kind in ('own unit', 'remote unit', 'remote app')
       for peer in (False, True) for leader in (False, True)},
    **{('own app', peer, leader): peer or leader for peer in (False, True)
       for leader in (False, True)},
    **{('peer unit', True, leader): True for leader in (False, True)},
    **{('sibling unit', False, leader): False for leader in (False, True)},
}


def test_the_rule_book_says_what_juju_does() -> None:
    for (kind, peer, leader), allowed in JUJU_READS.items():
        assert (jujurules.read_refusal(kind, leader=leader, peer=peer) is None) is allowed, \
            (kind, peer, leader)
    for kind in jujurules.BAG_KINDS:
        for leader in (False, True):
            may = jujurules.write_refusal(kind, leader=leader) is None
            assert may is (kind == 'own unit' or (kind == 'own app' and leader)), (kind, leader)
    assert jujurules.bag_kind('demo/0', 'demo/1', is_app=False, peer=False) == 'sibling unit'
    assert jujurules.bag_kind('demo/0', 'demo/1', is_app=False, peer=True) == 'peer unit'
    assert jujurules.bag_kind('demo/0', 'pg/3', is_app=False, peer=False) == 'remote unit'
    assert jujurules.bag_kind('demo/0', 'pg', is_app=True, peer=False) == 'remote app'


class LocalHook:
    """A pretend hook of one unit of a local model, calling its real hook tools."""

    def __init__(self, model: LocalModel, unit: str, **env: str):
        self.bin = install_tools(model.dir)
        hook_id = model.state.start_hook(unit, 'probe')
        self.token = issue_hook_token(model.state.db, hook_id, unit)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith('JUJU_')}
        self.env.update(JUJU_UNIT_NAME=unit, REACTOPS_HOOK_TOKEN=self.token,
                        REACTOPS_MODEL_DB=str(model.dir / 'model.db'), **env)

    def run(self, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / argv[0]), *argv[1:]], env={**self.env, **env},
                              capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def local_model(tmp_path: Path) -> LocalModel:
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('shop', LOCAL_CHARMS / 'shop', units=2)
    model.deploy('depot', LOCAL_CHARMS / 'depot')
    model.relate('shop:stock', 'depot:stock')
    return model


def _relation_ids(model: LocalModel) -> dict[str, int]:
    return {rel.endpoint_of('shop'): rel.id for rel in model.state.relations('shop')}


@pytest.mark.parametrize('unit', ['shop/0', 'shop/1'])  # shop/0 leads
def test_access_through_the_local_models_hook_tools(local_model: LocalModel,
                                                    unit: str) -> None:
    ids = _relation_ids(local_model)
    other = 'shop/1' if unit == 'shop/0' else 'shop/0'
    leader = unit == 'shop/0'
    hook = LocalHook(local_model, unit)
    probes = {  # (relation, bag kind) -> relation-get arguments
        ('stock', 'own unit'): [unit], ('stock', 'own app'): ['--app', 'shop'],
        ('stock', 'remote unit'): ['depot/0'], ('stock', 'remote app'): ['--app', 'depot'],
        ('stock', 'sibling unit'): [other],
        ('crew', 'own unit'): [unit], ('crew', 'own app'): ['--app', 'shop'],
        ('crew', 'peer unit'): [other],
    }
    for (relation, kind), args in probes.items():
        peer = relation == 'crew'
        got = hook.run('relation-get', '-r', f'{relation}:{ids[relation]}', '-', *args[-1:],
                       *args[:-1])
        assert (got.returncode == 0) is JUJU_READS[kind, peer, leader], (relation, kind, got)
        if got.returncode:
            assert 'permission denied' in got.stderr
    for relation in ('stock', 'crew'):
        mine = hook.run('relation-set', '-r', f'{relation}:{ids[relation]}', 'k=v')
        assert mine.returncode == 0, mine.stderr
        app = hook.run('relation-set', '-r', f'{relation}:{ids[relation]}', '--app', 'k=v')
        assert (app.returncode == 0) is leader, app.stderr


def test_a_hook_cannot_act_as_another_unit_of_the_local_model(local_model: LocalModel) -> None:
    hook = LocalHook(local_model, 'shop/1')
    assert hook.run('is-leader').stdout == 'False\n'
    forged = hook.run('is-leader', JUJU_UNIT_NAME='shop/0')  # shop/0 leads
    assert forged.returncode == 1
    assert 'cannot act as "shop/0"' in forged.stderr
    ids = _relation_ids(local_model)
    forged = hook.run('relation-set', '-r', f'stock:{ids["stock"]}', '--app', 'k=v',
                      JUJU_UNIT_NAME='shop/0')
    assert forged.returncode == 1 and not local_model.state.take_pending(0)
    no_token = hook.run('is-leader', REACTOPS_HOOK_TOKEN='')
    assert no_token.returncode == 1 and 'REACTOPS_HOOK_TOKEN' in no_token.stderr
    guessed = hook.run('is-leader', REACTOPS_HOOK_TOKEN='0' * 32)
    assert guessed.returncode == 1
    # Nor can it answer another unit's action by naming its id.
    theirs = local_model.state.start_action('shop/0', 'restock', {'n': 1})
    forged = hook.run('action-set', 'done=yes', REACTOPS_ACTION_ID=str(theirs))
    assert forged.returncode == 1 and 'not running an action' in forged.stderr
    assert local_model.state.action(theirs)['results'] == {}
    revoke_hook_token(local_model.state.db, hook.token)  # the hook ended
    assert hook.run('is-leader').returncode == 1


def test_a_real_hook_of_the_local_model_runs_as_its_own_unit(tmp_path: Path) -> None:
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('depot', LOCAL_CHARMS / 'depot')
    assert model.settle() == []  # every hook's tools knew their unit by the token
    assert model.state.unit('depot/0').status == 'active'
    # No token outlives its hook.
    assert model.state.one("SELECT count(*) FROM meta WHERE key LIKE 'hook-token:%'") == 0


def test_the_fake_hook_tools_refuse_a_sibling_bag(fake_juju: FakeJuju) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'], data={'demo/1': {'x': '1'}})
    fake_juju.add_relation('cluster', 1, 'demo', ['demo/1'], peer=True,
                           data={'demo/1': {'x': '1'}})
    sibling = subprocess.run(['relation-get', '-r', 'db:3', '-', 'demo/1'],
                             capture_output=True, text=True, check=False)
    assert sibling.returncode == 1 and 'permission denied' in sibling.stderr
    peer = subprocess.run(['relation-get', '-r', 'cluster:1', '-', 'demo/1', '--format=json'],
                          capture_output=True, text=True, check=False)
    assert (peer.returncode, peer.stdout) == (0, '{"x": "1"}\n')


class SiblingReader(CharmBase):
    """Asks for a sibling unit's bag on update-status, as the model and as a hook tool."""

    seen: dict[str, str] = {}

    def __init__(self, framework: Any):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, event: Any) -> None:
        sibling = self.model.get_unit('demo/1')
        for name in ('db', 'cluster'):
            relation = self.model.get_relation(name)
            assert relation is not None
            SiblingReader.seen[f'{name} member'] = str(sibling in relation.data)
            try:
                self.model._backend.relation_get(relation.id, name, 'demo/1', False)
                SiblingReader.seen[f'{name} tool'] = 'ok'
            except ModelError as e:
                SiblingReader.seen[f'{name} tool'] = 'denied' if 'permission denied' in str(e) \
                    else str(e)


def test_reactops_testing_refuses_a_sibling_bag() -> None:
    ctx = Context(SiblingReader, meta=META, app_name='demo')
    db = Relation('db', remote_app_name='pg', remote_units_data={0: {'a': '1'}})
    cluster = PeerRelation('cluster', peers_data={1: {'b': '2'}})
    ctx.run(ctx.on.update_status(), State(relations=[db, cluster]))
    assert SiblingReader.seen == {'db member': 'False', 'db tool': 'denied',
                                  'cluster member': 'True', 'cluster tool': 'ok'}


@pytest.mark.filterwarnings('ignore:Harness is deprecated')
def test_the_harness_refuses_a_sibling_bag() -> None:
    harness: Harness[SiblingReader] = Harness(SiblingReader, meta=yaml.safe_dump(META))
    harness.set_model_name('m')
    db = harness.add_relation('db', 'pg', unit_data={'a': '1'})
    cluster = harness.add_relation('cluster', 'demo')
    harness.add_relation_unit(cluster, 'demo/1')
    harness.update_relation_data(cluster, 'demo/1', {'b': '2'})
    assert db != cluster
    harness.begin()
    harness.charm.on.update_status.emit()
    assert SiblingReader.seen['db tool'] == 'denied'
    assert SiblingReader.seen['cluster tool'] == 'ok'


def test_the_rule_book_knows_juju_names_leadership_and_secret_owners() -> None:
    assert jujurules.is_unit_name('my-app2/10') and not jujurules.is_unit_name('../../x/0')
    assert not jujurules.is_unit_name('demo') and not jujurules.is_unit_name('demo/01')
    assert jujurules.is_app_name('db-2a') and not jujurules.is_app_name('a-1')
    assert jujurules.is_endpoint_name('db_admin') and not jujurules.is_endpoint_name('Db')
    assert jujurules.is_action_name('do-it') and not jujurules.is_action_name('do-')
    assert jujurules.is_flag_name('any text') and not jujurules.is_flag_name('')
    assert [jujurules.relation_number(raw) for raw in ('db:3', '7', 'db:x', '')] == \
        [3, 7, None, None]
    for action in jujurules.LEADER_ONLY:
        assert jujurules.leader_refusal(action, leader=True) is None
        assert jujurules.leader_refusal(action, leader=False)
    assert jujurules.leader_refusal('relation-set', leader=False) is None
    # A unit manages its own secrets, its application's only as leader; readers need a grant.
    assert jujurules.owns_secret('demo/0', 'demo/0', leader=False)
    assert not jujurules.owns_secret('demo', 'demo/0', leader=False)
    assert jujurules.owns_secret('demo', 'demo/0', leader=True)
    assert not jujurules.owns_secret('demo/1', 'demo/0', leader=True)
    assert jujurules.may_read_secret('demo', 'demo/1', ())
    assert not jujurules.may_read_secret('pg', 'demo/0', ())
    assert jujurules.may_read_secret('pg', 'demo/0', {'demo'})
    assert jujurules.may_read_secret('pg/0', 'demo/0', {'demo/0'})
