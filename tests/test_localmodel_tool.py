"""The local model's hook tools and state, without running a charm: a model is deployed
(hooks queued, none run) and each tool is called as a hook would call it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from reactops.localmodel import LocalModel, LocalModelError, unit_charm_dir
from reactops.localmodel._process import install_tools
from reactops.localmodel._tool import issue_hook_token

CHARMS = Path(__file__).resolve().parent / 'localmodel'


class Hook:
    """One pretend hook of *unit*: runs tools with the environment the runner gives."""

    def __init__(self, model: LocalModel, unit: str, **env: str):
        self.model = model
        self.bin = install_tools(model.dir)
        self.hook_id = model.state.start_hook(unit, 'test')
        token = issue_hook_token(model.state.db, self.hook_id, unit)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith('JUJU_')}
        self.env.update(JUJU_UNIT_NAME=unit, REACTOPS_HOOK_TOKEN=token,
                        REACTOPS_MODEL_DB=str(model.dir / 'model.db'), **env)

    def run(self, tool: str, *args: str, stdin: str = '') -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / tool), *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=30)

    def __call__(self, tool: str, *args: str, stdin: str = '') -> str:
        result = self.run(tool, *args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def model(tmp_path: Path) -> LocalModel:
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('shop', CHARMS / 'shop', units=2, config={'greeting': 'hey'})
    model.deploy('depot', CHARMS / 'depot')
    model.relate('shop:stock', 'depot:stock')
    return model


def test_deploy_queues_juju_order(model: LocalModel) -> None:
    hooks = [row[0] for row in model.state.db.execute(
        "SELECT hook FROM queue WHERE unit='shop/0' ORDER BY id")]
    assert hooks[:4] == ['install', 'leader-elected', 'config-changed', 'start']
    assert hooks[4:] == ['crew-relation-created', 'crew-relation-joined',
                         'crew-relation-changed', 'stock-relation-created',
                         'stock-relation-joined', 'stock-relation-changed']
    assert model.state.app('shop').leader == 'shop/0'
    assert (unit_charm_dir(model.dir, 'shop/1') / 'dispatch').exists()


def test_config_and_leadership(model: LocalModel) -> None:
    hook = Hook(model, 'shop/1')
    assert json.loads(hook('config-get', '--format=json')) == {'greeting': 'hey',
                                                               'fail-on': ''}
    assert hook('config-get', 'greeting') == 'hey\n'
    assert hook('is-leader', '--format=json') == 'false\n'
    refused = hook.run('leader-set', 'a=1')
    assert refused.returncode == 1 and 'not the leader' in refused.stderr
    bad = hook.run('config-get', '--nope')
    assert bad.returncode == 2 and 'option provided but not defined: --nope' in bad.stderr


def test_relation_writes_wait_for_the_hook_to_succeed(model: LocalModel) -> None:
    rel = f'stock:{model.state.relations("depot")[0].id}'
    depot = Hook(model, 'depot/0', JUJU_RELATION='stock', JUJU_RELATION_ID=rel,
                 JUJU_REMOTE_UNIT='shop/0', JUJU_REMOTE_APP='shop')
    address = model.state.unit('depot/0').address
    seeded = {'egress-subnets': f'{address}/32', 'ingress-address': address,
              'private-address': address}  # what Juju puts in every unit bag
    depot('relation-set', '--file', '-', stdin=json.dumps({'items': 'figs'}))
    assert json.loads(depot('relation-get', '--format=json', '-', 'depot/0')) == {
        **seeded, 'items': 'figs'}
    shop = Hook(model, 'shop/0')
    assert json.loads(shop('relation-get', '--format=json', '-r', rel, '-', 'depot/0')) == \
        seeded
    from reactops.localmodel._lifecycle import queue_bag_changes

    model.state.set_member(int(rel.split(':')[1]), 'shop/0', 'depot/0', True)
    changed = queue_bag_changes(model.state, 'depot/0', model.state.take_pending(depot.hook_id))
    assert changed == [f'{rel} depot/0']
    assert shop('relation-get', '-r', rel, 'items', 'depot/0') == 'figs\n'
    queued = model.state.db.execute("SELECT hook, env FROM queue WHERE unit='shop/0' "
                                    "ORDER BY id DESC LIMIT 1").fetchone()
    assert queued[0] == 'stock-relation-changed'
    assert json.loads(queued[1])['JUJU_REMOTE_UNIT'] == 'depot/0'


def test_status_ports_and_logs(model: LocalModel) -> None:
    hook = Hook(model, 'shop/0')
    hook('status-set', '--application=True', 'waiting', '--', 'app msg')
    hook('status-set', 'active', 'unit msg')
    assert json.loads(hook('status-get', '--include-data', '--format=json')) == {
        'status': 'active', 'message': 'unit msg', 'status-data': {}}
    hook('open-port', '8080/tcp')
    hook('open-port', '53/udp')
    hook('close-port', '8080')
    assert hook('opened-ports', '--format=json') == '["53/udp"]\n'
    hook('juju-log', '--log-level', 'WARNING', '--', 'careful')
    assert model.state.logs(hook.hook_id) == [('WARNING', 'careful')]
    assert model.state.unit('shop/0').status == 'active'
    assert model.state.app('shop').status == 'waiting'
    assert json.loads(hook('network-get', '--format=json', 'stock'))['ingress-addresses'] \
        == [model.state.unit('shop/0').address]


def test_unsupported_tools_say_so(model: LocalModel) -> None:
    result = Hook(model, 'shop/0').run('secret-get', 'x')
    assert result.returncode == 1
    assert 'secret-get is not supported by the reactops local model' in result.stderr


def test_model_errors_name_the_fix(model: LocalModel, tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match="depot has no endpoint 'nope'"):
        model.relate('shop', 'depot:nope')
    with pytest.raises(LocalModelError, match='already related'):
        model.relate('shop', 'depot')
    model.deploy('tinydb', CHARMS.parents[1] / 'examples' / 'tinydb')
    with pytest.raises(LocalModelError, match="option 'port' is of type int; 'x' is not"):
        model.configure('tinydb', {'port': 'x'})
    assert model.configure('tinydb', {'port': '6000'})['port'] == 6000
    (tmp_path / 'junk').mkdir()
    (tmp_path / 'junk' / 'file').write_text('x')
    with pytest.raises(LocalModelError, match='holds no local model'):
        LocalModel(tmp_path / 'junk').create()

