"""Hook tools that answer what Juju never prints (invalid JSON, nothing, the wrong shape):
each is a ModelError naming the tool, raised where the model first reads it; output that may
hold secrets is never quoted in the error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fakejuju import FakeJuju
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactops._private import hooktools as hookcmds
from reactops._private.backend import ModelBackend
from reactops.errors import ModelError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import Model

META = ('name: demo\nrequires:\n  db: {interface: pgsql}\n'
        'resources:\n  blob: {type: file, filename: b}\n')
CONFIG = 'options:\n  port: {type: int, default: 8080}\n  token: {type: secret}\n'
SECRET = 'hunter2-do-not-print'


def model() -> Model:
    return Model(CharmMeta.from_yaml(META, config=CONFIG),
                 ModelBackend(JujuContext.from_environ()))


def pg0(m: Model) -> Any:
    return dict(m.relations['db'][0].data[m.get_unit('pg/0')])


READS: dict[str, Callable[[Model], object]] = {
    'config-get': lambda m: dict(m.config),
    'is-leader': lambda m: m.unit.is_leader(),
    'relation-ids': lambda m: m.relations['db'],
    'relation-list': lambda m: m.relations['db'][0].units,
    'relation-get': pg0,
    'status-get': lambda m: m.unit.status,
    'opened-ports': lambda m: m.unit.opened_ports(),
    'network-get': lambda m: m.get_binding('db').network.bind_address,
    'secret-get': lambda m: m.get_secret(id='secret:c0000000000000000001').get_content(),
    'storage-list': lambda m: hookcmds.storage_list(),
}
# What each tool prints instead of its answer, and the words the error must hold.
WRONG: list[tuple[str, str, str]] = [
    ('config-get', '[1, 2]\n', 'config-get printed a list'),
    ('config-get', f'{{"port": "{SECRET}"\n', 'config-get printed output that is not JSON'),
    ('is-leader', '"maybe"\n', 'is-leader printed a string'),
    ('relation-ids', '{"db": 3}\n', 'relation-ids printed an object'),
    ('relation-ids', '[3]\n', 'relation-ids printed a list whose item 0 is a number'),
    ('relation-list', '"pg/0"\n', 'relation-list printed a string'),
    ('relation-get', '{"a": 1}\n', "relation-get printed an object whose key 'a' holds a number"),
    ('relation-get', '{"a": {"b": "c"}}\n', "key 'a' holds an object"),
    ('relation-get', '{"a": null}\n', "key 'a' holds null"),
    ('relation-get', '["a"]\n', 'relation-get printed a list'),
    ('relation-get', f'password: {SECRET}\n', 'relation-get printed output that is not JSON'),
    ('status-get', '[]\n', 'status-get printed a list'),
    ('opened-ports', '{"80/tcp": 1}\n', 'opened-ports printed an object'),
    ('network-get', '"10.0.0.1"\n', 'network-get printed a string'),
    ('secret-get', f'["{SECRET}"]\n', 'secret-get printed a list'),
    ('secret-get', f'{{"key": "{SECRET}", "n": 1}}\n', "key 'n' holds a number"),
    ('secret-get', f'{SECRET}\n', 'secret-get printed output that is not JSON'),
    ('storage-list', '{"data/0": 1}\n', 'storage-list printed an object'),
]


@pytest.fixture
def db(fake_juju: FakeJuju) -> FakeJuju:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': 'h'}})
    fake_juju.update(networks={'db': {'bind-addresses': []}}, secrets={
        'secret:c0000000000000000001': {'owner': None, 'revisions': {'1': {'k': 'v'}}}})
    return fake_juju


@pytest.mark.parametrize(('tool', 'output', 'message'), WRONG,
                         ids=[f'{t}-{i}' for i, (t, _, _) in enumerate(WRONG)])
def test_output_juju_never_prints_is_a_clear_error(db: FakeJuju, tool: str, output: str,
                                                   message: str) -> None:
    db.respond(tool, output)
    with pytest.raises(ModelError) as caught:
        READS[tool](model())
    assert message in str(caught.value)
    assert 'broken or foreign' in str(caught.value)  # ... and the likely cause
    assert SECRET not in str(caught.value)
    assert caught.value.command is not None and caught.value.command[0] == tool


@pytest.mark.parametrize('tool', ['config-get', 'relation-ids', 'relation-list',
                                  'relation-get', 'opened-ports'])
def test_printing_nothing_means_unset_as_juju_does(db: FakeJuju, tool: str) -> None:
    db.respond(tool, '')
    READS[tool](model())  # Juju prints nothing for an unset value: empty, not an error


def test_a_config_value_of_the_wrong_type_names_the_option_never_a_secret(
        db: FakeJuju) -> None:
    db.update(config={'port': 'eighty', 'token': 12345})
    with pytest.raises(ModelError) as caught:
        dict(model().config)
    message = str(caught.value)
    assert "'port' is declared as int" in message and "'eighty'" in message
    assert "'token' is declared as secret" in message and '12345' not in message


@pytest.mark.parametrize(('tool', 'call'), [
    ('secret-add', lambda m: m.app.add_secret({'password': SECRET})),
    ('resource-get', lambda m: m.resources.fetch('blob')),
    *[(tool, READS[tool]) for tool in ('is-leader', 'status-get', 'network-get', 'secret-get')],
])
def test_printing_nothing_where_juju_always_answers_is_an_error(
        db: FakeJuju, tool: str, call: Callable[[Model], object]) -> None:
    db.respond(tool, '')
    with pytest.raises(ModelError, match=f'{tool} succeeded but printed nothing') as caught:
        call(model())
    assert SECRET not in str(caught.value) and SECRET not in str(caught.value.command)


# Any output at all: JSON of any shape, or text that is not JSON.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8)
_OUTPUT = st.one_of(_JSON.map(json.dumps), st.text(max_size=40))


@pytest.mark.parametrize('tool', sorted(READS))
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(output=_OUTPUT)
def test_any_output_of_a_hook_tool_is_read_or_one_clear_error(
        db: FakeJuju, tool: str, output: str) -> None:
    db.respond(tool, output + '\n')
    try:
        READS[tool](model())
    except ModelError as error:  # the only failure allowed, naming the tool
        assert error.command is not None and error.command[0] == tool
