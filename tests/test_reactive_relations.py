"""Legacy RelationBase and conversations: the state-store layout charms.reactive wrote,
flags listing conversations, remote data through the model, and departures.

Scenarios run in-process with reactops.testing on a small legacy charm written to a
temporary directory: ``db`` (interface ``mysqlx``, a UNIT-scoped RelationBase), ``shared``
(``sharedx``, GLOBAL scope) and ``misc`` (no implementation).
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reactops.errors import ReactiveError
from reactops.jujucontext import JujuContext
from reactops.reactive import ReactiveRuntime, activate
from reactops.reactive.relations import (
    Conversation,
    ConversationNotFoundError,
    NoRelationContextError,
    RelationBase,
    RelationBaseLookupError,
    manage_departures,
    scopes,
)
from reactops.storage import SQLiteStorage
from reactops.testing import Context, Relation, State, UncaughtCharmError

# -- what charms.reactive 1.5.3 wrote (captured with /tmp/ref: Conversation.join for each
#    scope in db-relation-joined of db:7 with remote unit mysql/1, then set_state and
#    set_local); unitdata stores json.dumps(value) -------------------------------------------

REFERENCE_KV = {
    'reactive.conversations.db.custom':
        '{"namespace": "db", "units": ["mysql/1"], "scope": "custom"}',
    'reactive.conversations.db.custom.local-data.k': '{"a": [1, 2]}',
    'reactive.conversations.db.custom.local-data.n': '5',
    'reactive.conversations.db.global':
        '{"namespace": "db", "units": ["mysql/1"], "scope": "global"}',
    'reactive.conversations.db:7.mysql':
        '{"namespace": "db:7", "units": ["mysql/1"], "scope": "mysql"}',
    'reactive.conversations.db:7.mysql/1':
        '{"namespace": "db:7", "units": ["mysql/1"], "scope": "mysql/1"}',
    'reactive.states.db.connected':
        '{"relation": "db", "conversations": ["reactive.conversations.db:7.mysql/1", '
        '"reactive.conversations.db:7.mysql", "reactive.conversations.db.global", '
        '"reactive.conversations.db.custom"]}',
}


class MySQLClient(RelationBase):
    scope = scopes.UNIT
    auto_accessors: ClassVar[list[str]] = ['host', 'db-name']


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStorage]:
    storage = SQLiteStorage(tmp_path / 'state.db')
    yield storage
    storage.close()


@pytest.fixture
def runtime(store: SQLiteStorage) -> Iterator[ReactiveRuntime]:
    runtime = ReactiveRuntime(store)
    with activate(runtime):
        yield runtime


def raw_kv(store: SQLiteStorage, path: Path) -> dict[str, str]:
    """The key-value table as text, as another process (charms.reactive) would read it."""
    store.commit()
    with sqlite3.connect(path) as db:
        return dict(db.execute('SELECT key, data FROM kv'))


# -- the state store: byte-compatible with charms.reactive ---------------------------------


def test_records_are_written_byte_for_byte_as_charms_reactive_wrote_them(
        runtime: ReactiveRuntime, store: SQLiteStorage, tmp_path: Path) -> None:
    for namespace, scope in (('db:7', 'mysql/1'), ('db:7', 'mysql'), ('db', 'global'),
                             ('db', 'custom')):
        conversation = Conversation(namespace, ['mysql/1'], scope)
        conversation._save()
        conversation.set_state('{relation_name}.connected')
    conversation.set_local('k', {'a': [1, 2]})
    conversation.set_local(data={'n': 5})
    written = raw_kv(store, tmp_path / 'state.db')
    flag = 'reactive.states.db.connected'
    assert {k: v for k, v in written.items() if k != flag} == \
        {k: v for k, v in REFERENCE_KV.items() if k != flag}
    # flags are the runtime's (compact JSON); the value is the same
    assert json.loads(written[flag]) == json.loads(REFERENCE_KV[flag])


def test_records_charms_reactive_wrote_are_read_back(store: SQLiteStorage) -> None:
    for key, text in REFERENCE_KV.items():
        store.kv_set_text(key, text)
    with activate(ReactiveRuntime(store)):  # a runtime over the upgraded unit's store
        db = MySQLClient.from_flag('db.connected')
        assert db is not None and db.relation_name == 'db'
        assert [c.key for c in db.conversations()] == \
            json.loads(REFERENCE_KV['reactive.states.db.connected'])['conversations']
        custom = db.conversation('custom')
        assert custom.units == {'mysql/1'} and custom.namespace == 'db'
        assert custom.get_local('k') == {'a': [1, 2]} and custom.get_local('n') == 5
        assert custom.get_local('missing', 'dflt') == 'dflt'
        assert db.get_local('k', scope='custom') == {'a': [1, 2]}
        assert db.conversation('mysql/1').relation_ids == ['db:7']
        assert db.is_state('{relation_name}.connected', scope='mysql')


def test_local_data_that_plain_json_cannot_carry_keeps_its_type(
        runtime: ReactiveRuntime) -> None:
    conversation = Conversation('db', [], 'global')
    conversation.set_local(pair=(1, 2), nothing=None)
    assert conversation.get_local('pair') == (1, 2)
    assert conversation.get_local('nothing', 'dflt') is None  # stored null, not missing


# -- flags listing conversations --------------------------------------------------------------


def test_a_flag_set_by_two_conversations_stays_until_both_remove_it(
        runtime: ReactiveRuntime) -> None:
    one, two = Conversation('db:1', ['a/0'], 'a/0'), Conversation('db:1', ['a/1'], 'a/1')
    one.set_state('{relation_name}.ready')
    two.set_flag('{relation_name}.ready')
    one.set_state('{relation_name}.ready')  # listed once
    assert runtime.value('db.ready') == {'relation': 'db', 'conversations': [one.key, two.key]}
    assert runtime.take_changes() == {'db.ready'}
    one.remove_state('{relation_name}.ready')
    assert runtime.is_set('db.ready') and not one.is_state('db.ready')
    assert two.is_flag_set('db.ready')
    assert runtime.value('db.ready')['conversations'] == [two.key]
    two.remove_flag('{relation_name}.ready')
    assert not runtime.is_set('db.ready')
    two.remove_state('db.ready')  # no error when already clear
    assert runtime.take_changes() == {'db.ready'}


def test_toggle_flips_or_follows_active(runtime: ReactiveRuntime) -> None:
    conversation = Conversation('db:1', ['a/0'], 'a/0')
    conversation.toggle_state('x')
    assert conversation.is_state('x')
    conversation.toggle_flag('x')
    assert not runtime.is_set('x')
    conversation.toggle_state('x', active=True)
    conversation.toggle_state('x', active=True)
    assert conversation.is_state('x')
    conversation.toggle_state('x', active=0)
    assert not runtime.is_set('x')


def test_a_plain_flag_is_no_conversation_flag(runtime: ReactiveRuntime) -> None:
    runtime.set('db.ready')
    conversation = Conversation('db:1', ['a/0'], 'a/0')
    assert not conversation.is_state('db.ready')
    conversation.remove_state('db.ready')  # not ours to clear
    assert runtime.is_set('db.ready')
    assert RelationBase.from_flag('db.ready') is None
    assert RelationBase.from_flag('never.set') is None


def test_changing_a_flag_value_keeps_the_runtime_state_hash_consistent(
        runtime: ReactiveRuntime) -> None:
    one, two = Conversation('db:1', ['a/0'], 'a/0'), Conversation('db:1', ['a/1'], 'a/1')
    one.set_state('db.ready')
    two.set_state('db.ready')
    fresh = ReactiveRuntime(runtime.storage)
    assert fresh.state_hash == runtime.state_hash


def test_from_flag_gives_exactly_the_flags_conversations(runtime: ReactiveRuntime) -> None:
    convs = [Conversation('db:1', [f'a/{i}'], f'a/{i}') for i in range(3)]
    for conversation in convs:
        conversation._save()
    convs[0].set_state('db.ready')
    convs[2].set_state('db.ready')
    convs[1].set_state('db.other')
    db = MySQLClient.from_flag('db.ready')
    assert isinstance(db, MySQLClient)
    assert [c.scope for c in db.conversations()] == ['a/0', 'a/2']
    with pytest.raises(ConversationNotFoundError, match=r"scope 'a/1'.*'a/0', 'a/2'"):
        db.conversation('a/1')
    runtime.storage.kv_delete(convs[2].key)  # a record gone: skipped
    db = MySQLClient.from_state('db.ready')
    assert db is not None and [c.scope for c in db.conversations()] == ['a/0']


# -- RelationBase classes ---------------------------------------------------------------------


def test_auto_accessors_become_methods(runtime: ReactiveRuntime) -> None:
    db_name = getattr(MySQLClient, 'db_name')  # noqa: B009 - made at class creation
    assert db_name.__doc__ == 'Get the db-name, if available, or None.'
    assert db_name.__module__ == __name__ and db_name.__name__ == 'db_name'

    class Own(RelationBase):
        auto_accessors: ClassVar[list[str]] = ['host']

        def host(self) -> str:
            return 'mine'

    assert Own('db', []).host() == 'mine'  # a method the class defines is kept
    with pytest.raises(ReactiveError, match=r'Bad.auto_accessors.*names'):
        type('Bad', (RelationBase,), {'auto_accessors': 'host'})


def test_conversation_needs_a_relation_hook(runtime: ReactiveRuntime) -> None:
    db = MySQLClient('db', [])
    with pytest.raises(NoRelationContextError, match='no dispatch runs'):
        db.conversation()
    with pytest.raises(ValueError):  # charms.reactive raised ValueError: still one
        db.set_state('x')

    class Shared(RelationBase):
        scope = scopes.GLOBAL

    with pytest.raises(ConversationNotFoundError, match=r"Shared\('shared'\).*'global'"):
        Shared('shared', []).conversation()


# -- in a dispatch -------------------------------------------------------------------------------

METADATA = """
name: legacy
requires:
  db:
    interface: mysqlx
  shared:
    interface: sharedx
  misc:
    interface: miscx
"""

MYSQLX = """
from reactops.reactive.relations import RelationBase, scopes

class MySQLClient(RelationBase):
    auto_accessors = ['host']
"""

SHAREDX = """
from reactops.reactive.relations import RelationBase, scopes

class SharedBase(RelationBase):
    scope = scopes.GLOBAL

class SharedClient(SharedBase):
    auto_accessors = ['host', 'password']
"""

HANDLERS = """
from reactops.reactive import hook, set_flag, when
from reactops.reactive.relations import (
    Conversation, RelationBase, hook_context, relation_from_name, scopes)


@hook('db-relation-{joined,changed}', 'shared-relation-{joined,changed}')
def talk(*_):
    rel = relation_from_name(hook_context().relation_name)
    rel.set_state('{relation_name}.connected')
    rel.set_remote(user='app', port=5432, gone=None)
    rel.set_local('seen', rel.get_remote('host'))
    if rel.host():  # an auto accessor
        rel.set_state('{relation_name}.available')


@hook('db-relation-departed', 'shared-relation-departed')
def depart(*_):
    rel = relation_from_name(hook_context().relation_name)
    set_flag('probe.departed-host', rel.get_remote('host'))
    rel.remove_state('{relation_name}.available')
    rel.remove_state('{relation_name}.connected')


@hook('misc-relation-joined')
def join_every_scope(*_):
    scopes_ = (scopes.UNIT, scopes.SERVICE, scopes.GLOBAL, 'custom')
    set_flag('probe.keys', [Conversation.join(s).key for s in scopes_])


@hook('update-status')
def status(*_):
    db = RelationBase.from_name('db')
    set_flag('probe.status', {'type': type(db).__name__, 'conversations': db.conversations()})
    db.conversation()


@hook('config-changed')
def lookups(*_):
    set_flag('probe.lookups', {name: type(RelationBase.from_name(name)).__name__
                               for name in ('db', 'shared', 'misc', 'undeclared')})


@when('db.available')
def use_db(db):
    set_flag('probe.db', {'type': type(db).__name__,
                          'scopes': [c.scope for c in db.conversations()],
                          'hosts': [c.get_remote('host') for c in db.conversations()]})
"""


@pytest.fixture(scope='module')
def charm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp('legacy')
    files = {'metadata.yaml': METADATA, 'hooks/relations/mysqlx/requires.py': MYSQLX,
             'hooks/relations/sharedx/requires.py': SHAREDX, 'reactive/handlers.py': HANDLERS}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def ctx(charm: Path) -> Context:
    return Context(charm)


def db(**units: dict[str, str]) -> Relation:
    data = {int(k[1:]): v for k, v in units.items()} or {0: {'host': '10.0.0.1'}}
    return Relation('db', remote_app_name='mysql', remote_units_data=data, id=7)


def conversations(state: State) -> dict[str, Any]:
    return {k: v for k, v in state.kv.items() if k.startswith('reactive.conversations.')}


def test_joining_starts_a_conversation_per_remote_unit(ctx: Context) -> None:
    rel = db(u0={'host': '10.0.0.1'}, u1={'host': ''})
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=1), out)
    assert conversations(out) == {
        'reactive.conversations.db:7.mysql/0': {'namespace': 'db:7', 'units': ['mysql/0'],
                                                'scope': 'mysql/0'},
        'reactive.conversations.db:7.mysql/0.local-data.seen': '10.0.0.1',
        'reactive.conversations.db:7.mysql/1': {'namespace': 'db:7', 'units': ['mysql/1'],
                                                'scope': 'mysql/1'},
        'reactive.conversations.db:7.mysql/1.local-data.seen': None,  # '' is no value
    }
    keys = ['reactive.conversations.db:7.mysql/0', 'reactive.conversations.db:7.mysql/1']
    assert out.flags['db.connected'] == {'relation': 'db', 'conversations': keys}
    assert out.flags['db.available'] == {'relation': 'db', 'conversations': keys[:1]}
    # published through the model, as charmhelpers' relation-set formatted it
    local = out.get_relation(rel.id).local_unit_data
    assert local['user'] == 'app' and local['port'] == '5432' and 'gone' not in local


def test_each_scope_names_its_conversation(ctx: Context) -> None:
    misc = Relation('misc', remote_app_name='cache', remote_units_data={0: {}, 1: {}}, id=3)
    out = ctx.run(ctx.on.relation_joined(misc, remote_unit=0), State(relations=[misc]))
    assert out.flags['probe.keys'] == [
        'reactive.conversations.misc:3.cache/0', 'reactive.conversations.misc:3.cache',
        'reactive.conversations.misc.global', 'reactive.conversations.misc.custom']
    out = ctx.run(ctx.on.relation_joined(misc, remote_unit=1), out)
    records = conversations(out)
    assert records['reactive.conversations.misc.global']['units'] == ['cache/0', 'cache/1']
    assert records['reactive.conversations.misc.custom'] == {
        'namespace': 'misc', 'units': ['cache/0', 'cache/1'], 'scope': 'custom'}
    assert records['reactive.conversations.misc:3.cache'] == {
        'namespace': 'misc:3', 'units': ['cache/0', 'cache/1'], 'scope': 'cache'}
    assert records['reactive.conversations.misc:3.cache/1']['units'] == ['cache/1']


def test_a_global_conversation_speaks_on_every_relation_of_the_endpoint(
        ctx: Context) -> None:
    one = Relation('shared', remote_app_name='a', remote_units_data={0: {}}, id=1)
    two = Relation('shared', remote_app_name='b', remote_units_data={0: {'host': 'hb'}},
                   id=2)
    state = State(relations=[one, two])
    out = ctx.run(ctx.on.relation_joined(one, remote_unit=0), state)
    assert 'shared.available' not in out.flags  # b/0 is not in the conversation yet
    out = ctx.run(ctx.on.relation_joined(two, remote_unit=0), out)
    assert out.flags['shared.available'] == {
        'relation': 'shared', 'conversations': ['reactive.conversations.shared.global']}
    for relation in (one, two):  # set_remote wrote both relations
        assert out.get_relation(relation.id).local_unit_data['user'] == 'app'
    record = conversations(out)['reactive.conversations.shared.global']
    assert record == {'namespace': 'shared', 'units': ['a/0', 'b/0'], 'scope': 'global'}


def test_a_when_handler_gets_the_relation_object_of_the_flag(ctx: Context) -> None:
    rel = db(u0={'host': 'h0'}, u1={'host': 'h1'})
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=1), State(relations=[rel]))
    assert out.flags['probe.db'] == {'type': 'MySQLClient', 'scopes': ['mysql/1'],
                                     'hosts': ['h1']}


def test_departed_hook_still_reads_the_departing_unit(ctx: Context) -> None:
    rel = db(u0={'host': 'h0'}, u1={'host': 'h1'})
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=0), State(relations=[rel]))
    out = ctx.run(ctx.on.relation_joined(rel, remote_unit=1), out)
    # (the simulated backend keeps a departing unit's data only while the state lists it)
    out = ctx.run(ctx.on.relation_departed(rel, remote_unit=1), out)
    assert out.flags['probe.departed-host'] == 'h1'
    assert out.flags['db.connected']['conversations'] == [
        'reactive.conversations.db:7.mysql/0']  # mysql/1 removed it, mysql/0 still in


def test_conversation_outside_a_relation_hook_is_a_named_error(ctx: Context) -> None:
    rel = db()
    with pytest.raises(UncaughtCharmError) as caught:
        ctx.run(ctx.on.update_status(), State(relations=[rel]))
    error = caught.value.__cause__
    assert isinstance(error, NoRelationContextError)
    assert "scope 'unit'" in str(error) and "'update-status'" in str(error)


def test_the_class_is_found_from_the_interface_module(ctx: Context) -> None:
    out = ctx.run(ctx.on.config_changed(), State())
    # SharedClient is the most derived class of its module; misc has no module
    assert out.flags['probe.lookups'] == {'db': 'MySQLClient', 'shared': 'SharedClient',
                                          'misc': 'NoneType', 'undeclared': 'NoneType'}


def test_decorated_methods_of_relation_classes_are_listed_for_registration() -> None:
    from reactops.reactive import hook, when
    from reactops.reactive.relations import relation_base_handlers

    module = type(json)('relations.hookx.requires')

    class Client(RelationBase):
        @hook('{requires:hookx}-relation-joined')
        def joined(self) -> None:
            pass

        @when('{relation_name}.connected')
        def connected(self) -> None:
            pass

        def plain(self) -> None:
            pass

    Client.__module__ = module.__name__
    module.Client = Client  # type: ignore[attr-defined]
    module.RelationBase = RelationBase  # type: ignore[attr-defined]
    assert relation_base_handlers(module) == [Client.joined, Client.connected]


def test_two_unrelated_relation_classes_in_one_module_are_an_error(
        runtime: ReactiveRuntime, tmp_path: Path) -> None:
    from reactops.reactive.relations import _most_derived

    module = type(json)('relations.twox.requires')
    module.A = type('A', (RelationBase,), {})  # type: ignore[attr-defined]
    module.B = type('B', (RelationBase,), {})  # type: ignore[attr-defined]
    with pytest.raises(RelationBaseLookupError, match=r'2 unrelated.*\(A, B\)'):
        _most_derived(module, 'hooks/relations/twox/requires.py')


# -- departures -------------------------------------------------------------------------------


def departed(unit: str, hook: str = 'db-relation-departed') -> JujuContext:
    return JujuContext(hook_name=hook, relation_name='db', relation_id=7, remote_unit_name=unit)


def test_the_departing_unit_leaves_its_unit_conversation(runtime: ReactiveRuntime) -> None:
    unit = Conversation('db:7', ['mysql/1'], 'mysql/1')
    app = Conversation('db:7', ['mysql/0', 'mysql/1'], 'mysql')
    glob = Conversation('db', ['mysql/0', 'mysql/1'], 'global')
    for conversation in (unit, app, glob):
        conversation._save()
    unit.set_state('db.connected')
    manage_departures(runtime, departed('mysql/1', hook='db-relation-changed'))
    assert runtime.storage.kv_get(unit.key) is not None  # only in -departed hooks
    manage_departures(runtime, departed('mysql/1'))
    assert runtime.storage.kv_get(unit.key) is None
    # as charms.reactive: SERVICE and GLOBAL conversations keep the unit, flags keep the key
    assert runtime.storage.kv_get(app.key)['units'] == ['mysql/0', 'mysql/1']
    assert runtime.storage.kv_get(glob.key)['units'] == ['mysql/0', 'mysql/1']
    assert runtime.value('db.connected')['conversations'] == [unit.key]
    db = MySQLClient.from_flag('db.connected')
    assert db is not None and db.conversations() == []
    manage_departures(runtime, departed('mysql/1'))  # nothing left: no error


# -- a legacy interface layer whose RelationBase class holds the handlers ----------------------

METHODS_IFACE = """
from reactops.reactive import hook
from reactops.reactive.relations import RelationBase, scopes


class PgClient(RelationBase):
    scope = scopes.UNIT
    auto_accessors = ['host']

    @hook('{requires:pgx}-relation-{joined,changed}')
    def changed(self):
        conversation = self.conversation()
        conversation.set_state('{relation_name}.connected')
        if self.host():
            conversation.set_state('{relation_name}.available')

    @hook('{requires:pgx}-relation-departed')
    def departed(self):
        conversation = self.conversation()
        conversation.remove_state('{relation_name}.available')
        conversation.remove_state('{relation_name}.connected')
"""

METHODS_HANDLERS = """
from reactops.reactive import set_flag, when


@when('pg.available')
def use(pg):
    set_flag('app.pg-host', pg.host())
"""


def test_hook_methods_of_a_relation_base_class_run_with_it_as_self(tmp_path: Path) -> None:
    charm = tmp_path / 'legacy-methods'
    (charm / 'hooks' / 'relations' / 'pgx').mkdir(parents=True)
    (charm / 'reactive').mkdir()
    (charm / 'metadata.yaml').write_text('name: app\nrequires:\n  pg:\n    interface: pgx\n')
    (charm / 'hooks' / 'relations' / 'pgx' / 'requires.py').write_text(METHODS_IFACE)
    (charm / 'reactive' / 'app.py').write_text(METHODS_HANDLERS)
    ctx = Context(charm)
    relation = Relation('pg', remote_app_name='pgsql',
                        remote_units_data={0: {'host': '10.0.0.5'}})
    joined = ctx.run(ctx.on.relation_changed(relation, remote_unit=0),
                     State(relations=[relation]))
    assert joined.flags['app.pg-host'] == '10.0.0.5'  # legacy argument: the RelationBase
    assert joined.flags['pg.available']['conversations'] == [
        f'reactive.conversations.pg:{relation.id}.pgsql/0']
    departed = ctx.run(ctx.on.relation_departed(relation, remote_unit=0), joined)
    assert 'pg.available' not in departed.flags and 'pg.connected' not in departed.flags
    # the departing unit left its UNIT-scoped conversation: the record is gone
    assert not [key for key in departed.kv if key.startswith('reactive.conversations.')]
