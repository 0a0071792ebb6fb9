"""The model backend against fake hook tools: argv of the calls no model object covers,
leadership caching, and the shapes a simulated backend must return."""

from __future__ import annotations

import pytest
from fakejuju import FakeJuju

from reactops._private.backend import ModelBackend
from reactops.errors import HookToolMissingError, ModelError
from reactops.jujucontext import JujuContext


def backend(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModelBackend:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ModelBackend(JujuContext.from_environ())


def test_a_backend_reads_its_context_from_the_environment(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    made = ModelBackend()
    assert (made.unit_name, made.app_name, made.model_name) == ('demo/0', 'demo', 'test-model')
    assert made.model_uuid == fake_juju.state()['model_uuid']
    assert str(made.juju_version) == '3.6.1'
    assert made._hook_is_running == ''


def test_action_calls(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(action={'params': {'target': 's3', 'opts': {'fast': True}}})
    tools = backend(monkeypatch)
    assert tools.action_get() == {'target': 's3', 'opts': {'fast': True}}
    tools.action_set({'a': {'b': 'c', 'd': {'e': 1}}, 'target': 's3', 'x.y': 'z'})
    tools.action_log('working')
    tools.action_fail('no space')
    assert fake_juju.argvs()[1:] == [
        ['action-set', 'a.b=c', 'a.d.e=1', 'target=s3', 'x.y=z'],
        ['action-log', '--', 'working'],
        ['action-fail', '--', 'no space'],
    ]
    action = fake_juju.state()['action']
    assert action['results'] == {'a': {'b': 'c', 'd': {'e': '1'}}, 'target': 's3',
                                 'x': {'y': 'z'}}
    assert action['failed'] and action['message'] == 'no space'


@pytest.mark.parametrize(('results', 'match'), [
    ({'a': {'b': 1}, 'a.b': 2}, 'twice'),
    ({'Bad': 1}, 'Bad'),
    ({'a': {'-b': 1}}, '-b'),
])
def test_bad_action_results_are_refused_before_juju(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch, results: dict[str, object],
        match: str) -> None:
    with pytest.raises(ValueError, match=match):
        backend(monkeypatch).action_set(results)
    assert fake_juju.argvs() == []


def test_logging_and_metrics(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = backend(monkeypatch)
    tools.juju_log('WARNING', '-starts with a dash')
    tools.add_metrics({'users': 3, 'load': 0.5}, {'region': 'eu'})
    assert fake_juju.argvs() == [
        ['juju-log', '--log-level', 'WARNING', '--', '-starts with a dash'],
        ['add-metric', '--labels', 'region=eu', 'users=3', 'load=0.5'],
    ]
    # As ops: every invalid metric is a ModelError, raised before add-metric runs.
    with pytest.raises(ModelError, match='metric key'):
        tools.add_metrics({'1bad': 1})
    with pytest.raises(ModelError, match='finite number'):
        tools.add_metrics({'users': '3'})  # type: ignore[dict-item]
    with pytest.raises(ModelError, match='finite number'):
        tools.add_metrics({'users': -1})
    with pytest.raises(ModelError, match='label'):
        tools.add_metrics({'users': 1}, {'region': 'a,b'})


def test_remote_app_name_from_the_event_or_relation_list(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', [])
    fake_juju.add_relation('db', 4, 'mysql', [])
    tools = backend(monkeypatch, JUJU_RELATION='db', JUJU_RELATION_ID='db:3',
                    JUJU_REMOTE_APP='postgresql')
    assert tools.relation_remote_app_name(3, 'db') == 'postgresql'
    assert tools.relation_remote_app_name(4, 'db') == 'mysql'
    assert tools.relation_remote_app_name(9, 'db') is None
    assert fake_juju.argvs() == [
        ['relation-list', '--format=json', '-r', 'db:4', '--app'],
        ['relation-list', '--format=json', '-r', 'db:9', '--app'],
    ]


def test_app_data_needs_juju_2_7(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = backend(monkeypatch, JUJU_VERSION='2.6.10')
    with pytest.raises(RuntimeError, match='2.7'):
        tools.relation_get(3, 'db', 'pg', is_app=True)
    with pytest.raises(RuntimeError, match='2.7'):
        tools.relation_set(3, 'db', {'a': 'b'}, is_app=True)
    assert fake_juju.argvs() == []


def test_shapes_a_simulated_backend_returns(fake_juju: FakeJuju,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(storage={'data/2': {'location': '/srv/2', 'kind': 'block'}},
                     status={'unit': {'status': 'active', 'message': 'ok'},
                             'app': {'status': 'unknown'}})
    tools = backend(monkeypatch)
    assert tools.storage_list('data') == [2]
    assert tools.storage_get('data/2', 'kind') == 'block'
    assert tools.status_get(is_app=False)['status'] == 'active'
    assert tools.status_get(is_app=False)['message'] == 'ok'
    assert tools.opened_ports() == []
    assert tools.goal_state()['units'] == {'demo/0': {'status': 'active'}}


def test_outside_a_hook_the_tools_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', '/nonexistent')
    with pytest.raises(HookToolMissingError, match='config-get'):
        ModelBackend(JujuContext()).config_get()
