"""A unit that ran ops carries on under reactops: stored state and deferred events kept.

The state file is the one the real ops 3.9 wrote (``tests/charms/opscharm/state``, made as
its README says), so no ops is needed here. The first reactops hook reads ops' pickles
with a reader that builds plain data only, and rewrites them as JSON in the hook's own
transaction; a pickle that names anything else is refused before any handler runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import pickletools
import shutil
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from opsunit import DispatchUnit

from reactops._private.opsstate import OpsStateRefused, read_snapshot
from reactops.errors import StateStoreCorruptError
from reactops.storage import SQLiteStorage

OPSCHARM = Path(__file__).resolve().parent / 'charms' / 'opscharm'
sys.path.insert(0, str(OPSCHARM))
from make_state import COUNTER, DEFERALL, RELATION, Unit, deploy, release  # noqa: E402

FIXTURE = COUNTER.fixture

STORED = 'CounterCharm/StoredStateData[_stored]'
CONFIG_EVENT = 'CounterCharm/on/config_changed[5]'
DB_EVENT = 'CounterCharm/on/db_relation_changed[9]'


def _upgraded_unit(root: Path, unit: Unit = COUNTER) -> DispatchUnit:
    """*unit* as ops left it after its hooks, now running on reactops."""
    deployed: DispatchUnit = deploy(root, sys.executable, unit)
    shutil.copyfile(unit.fixture, deployed.state_file)
    os.chmod(deployed.state_file, 0o600)
    return deployed


def _table_dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def _replace_snapshot(path: Path, handle: str, data: bytes) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute('UPDATE snapshot SET data=? WHERE handle=?', (data, handle)).rowcount


# -- the upgrade, end to end -------------------------------------------------------------


def test_the_fixture_is_what_ops_left_after_its_hooks() -> None:
    assert [hook for hook, _ in COUNTER.hooks] == [
        'install', 'config-changed', 'db-relation-changed']
    with sqlite3.connect(FIXTURE) as db:
        rows = dict(db.execute('SELECT handle, data FROM snapshot'))
        notices = db.execute('SELECT event_path, observer_path, method_name FROM notice '
                             'ORDER BY sequence').fetchall()
    assert all(isinstance(data, bytes) and data[:1] == b'\x80' for data in rows.values())
    assert read_snapshot(rows[STORED]) == {
        'hooks': 1, 'seen': ['InstallEvent'], 'ports': set(), 'blob': b'\x00installed\xff',
        'db': {}, 'started': False}
    assert read_snapshot(rows[DB_EVENT]) == {
        'relation_name': 'db', 'relation_id': 3, 'app_name': 'pg', 'unit_name': 'pg/0'}
    assert notices == [(CONFIG_EVENT, 'CounterCharm', '_on_config_changed'),
                       (DB_EVENT, 'CounterCharm', '_on_db_changed')]


def test_stored_state_and_deferred_events_carry_on_under_reactops(tmp_path: Path) -> None:
    unit = _upgraded_unit(tmp_path)

    # The deferred events come first, still deferred (not started); the count goes on.
    unit.ok('hooks/start')
    assert unit.logs('INFO') == ['not started yet: deferring the configuration',
                                 'not started yet: deferring db']
    assert unit.juju.state()['status']['unit'] == {
        'status': 'active', 'message': '2 hooks; ports -', 'data': {}}
    snapshots = unit.snapshots()
    assert all(isinstance(data, str) for data in snapshots.values())  # JSON, never pickle
    assert json.loads(snapshots['StoredStateData[_stored]'])['event_count'] > 12
    assert unit.notices() == [(CONFIG_EVENT, 'CounterCharm', '_on_config_changed'),
                              (DB_EVENT, 'CounterCharm', '_on_db_changed')]

    # Now started: both deferred events run, in order, with the relation they were about.
    argvs = unit.ok('hooks/update-status')
    assert ['open-port', '8080/tcp'] in argvs
    assert ['relation-get', '--format=json', '-r', 'db:3', '-', 'pg/0'] in argvs
    assert argvs.index(['open-port', '8080/tcp']) < argvs.index(
        ['relation-get', '--format=json', '-r', 'db:3', '-', 'pg/0'])
    assert unit.juju.state()['status']['unit']['message'] == '5 hooks; ports 8080'
    assert unit.notices() == []
    store = SQLiteStorage(unit.state_file)
    try:
        assert store.load_snapshot(STORED) == {
            'hooks': 5, 'started': True, 'ports': {8080}, 'blob': b'\x00installed\xff',
            'db': {'3': RELATION['data']['pg/0']},
            'seen': ['InstallEvent', 'StartEvent', 'ConfigChangedEvent',
                     'RelationChangedEvent', 'UpdateStatusEvent']}
    finally:
        store.close()


def test_deferred_events_of_every_kind_come_back_as_ops_would_deliver_them(
        tmp_path: Path) -> None:
    # What the deferall charm recorded when ops itself ran the releasing hook.
    expected = json.loads(DEFERALL.received.read_text())
    assert [event['type'] for event in expected] == [
        'InstallEvent', 'StorageAttachedEvent', 'LeaderElectedEvent', 'RelationCreatedEvent',
        'RelationJoinedEvent', 'RelationChangedEvent', 'RelationDepartedEvent',
        'SecretChangedEvent', 'SecretRemoveEvent', 'UpgradeCharmEvent', 'UpdateStatusEvent',
        'ConfigChangedEvent']
    unit = _upgraded_unit(tmp_path, DEFERALL)
    assert release(unit, DEFERALL) == expected
    assert unit.notices() == []


def test_a_failed_first_hook_leaves_ops_file_as_it_was(tmp_path: Path) -> None:
    unit = _upgraded_unit(tmp_path)
    before = _table_dump(unit.state_file)
    unit.juju.fail('relation-ids', stderr='ERROR connection to the controller lost')
    result = unit.run('hooks/start')
    assert result.returncode != 0
    assert _table_dump(unit.state_file) == before  # still ops' pickles: retried afresh
    unit.juju.heal()
    unit.ok('hooks/start')
    assert unit.juju.state()['status']['unit']['message'] == '2 hooks; ports -'


# -- a hostile or foreign pickle ---------------------------------------------------------


class _RunsCode:
    """Pickles as a call of os.system: what a tampered state file would hold."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, (self.command,)


@pytest.mark.parametrize('handle', [STORED, DB_EVENT])
def test_a_hostile_pickle_is_refused_and_nothing_runs(tmp_path: Path, handle: str) -> None:
    unit = _upgraded_unit(tmp_path)
    marker = tmp_path / 'pwned'
    _replace_snapshot(unit.state_file, handle, pickle.dumps(_RunsCode(f'touch {marker}')))
    before = hashlib.sha256(unit.state_file.read_bytes()).hexdigest()

    result = unit.run('hooks/start')

    assert result.returncode != 0
    assert not marker.exists()
    assert f'snapshot {handle!r} in the ops state file {unit.state_file}' in result.stderr
    assert 'refers to posix.system' in result.stderr
    assert not unit.logs('INFO')  # no handler ran
    assert not unit.tools()  # and nothing reached Juju
    assert hashlib.sha256(unit.state_file.read_bytes()).hexdigest() == before


def test_a_stored_object_is_refused_by_name_even_a_harmless_one(tmp_path: Path) -> None:
    unit = _upgraded_unit(tmp_path)
    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    _replace_snapshot(unit.state_file, STORED, pickle.dumps({'hooks': 1, 'when': when}))
    with pytest.raises(OpsStateRefused, match=r'refers to datetime\.datetime') as caught:
        SQLiteStorage(unit.state_file)
    assert isinstance(caught.value, StateStoreCorruptError)
    assert 'delete that snapshot row' in str(caught.value)
    with sqlite3.connect(unit.state_file) as db:
        tables = {name for (name,) in db.execute('SELECT name FROM sqlite_master')}
    assert 'reactops_meta' not in tables  # not adopted: the next hook tries again


# -- the restricted reader ---------------------------------------------------------------

PLAIN: dict[str, Any] = {
    'none': None, 'flags': [True, False], 'int': -(2 ** 70), 'float': 1.5, 'text': 'é\n',
    'bytes': b'\x00\xff', 'empty': b'', 'tuple': (1, ('a',)), 'set': {1, 'x'},
    'frozen': frozenset({(1, 2)}), 'nested': {'list': [{}, [], ()]}, 7: 'int key',
    (1, 'a'): 'tuple key'}


@pytest.mark.parametrize('protocol', range(pickle.HIGHEST_PROTOCOL + 1))
def test_plain_data_reads_back_from_every_pickle_protocol(protocol: int) -> None:
    assert read_snapshot(pickle.dumps(PLAIN, protocol)) == PLAIN


def test_shared_values_are_plain_data() -> None:
    shared = [1, 2]
    value = read_snapshot(pickle.dumps({'a': shared, 'b': shared}))
    assert value == {'a': [1, 2], 'b': [1, 2]}


def _hostile(protocol: int) -> bytes:
    return pickle.dumps(_RunsCode('true'), protocol)


class _Object:
    pass


class _BuildsASet:
    def __reduce__(self) -> tuple[Any, ...]:
        return set, (), {'x': 1}  # a BUILD on top of an allowed constructor


def _opcodes(data: bytes) -> set[str]:
    return {op.name for op, _, _ in pickletools.genops(data)}


def _extension_pickle() -> bytes:
    import copyreg

    module = os.system.__module__
    copyreg.add_extension(module, 'system', 0x7FF0)
    try:
        return pickle.dumps(os.system, 2)
    finally:
        copyreg.remove_extension(module, 'system', 0x7FF0)


def _recursive_list() -> bytes:
    loop: list[Any] = []
    loop.append(loop)
    return pickle.dumps(loop)


REFUSED = {
    'os.system, GLOBAL': (_hostile(0), r'refers to posix\.system'),
    'os.system, STACK_GLOBAL': (_hostile(4), r'refers to posix\.system'),
    'eval': (b'cbuiltins\neval\n(Vprint(1)\ntR.', r'refers to builtins\.eval'),
    'getattr': (b'\x80\x04\x8c\x08builtins\x8c\x07getattr\x93.', r'refers to builtins\.getattr'),
    'an object': (pickle.dumps(_Object()), 'opcode NEWOBJ'),
    'an object, protocol 2': (pickle.dumps(_Object(), 2), r'refers to .*\._Object'),
    'BUILD': (pickle.dumps(_BuildsASet()), 'opcode BUILD'),
    'an extension code': (_extension_pickle(), 'opcode EXT2'),
    'a persistent id': (b'\x80\x04Pfoo\n.', 'opcode PERSID'),
    'a bytearray': (pickle.dumps(bytearray(b'x'), 5), 'opcode BYTEARRAY8'),
    'bytes(n)': (b'c__builtin__\nbytes\n(I99999999999\ntR.', 'bytes.. with arguments'),
    'another codec': (b'c_codecs\nencode\n(Vabc\nVrot13\ntR.', 'latin-1'),
    'a set of a string': (b'c__builtin__\nset\n(Vabc\ntR.', 'a set built from str'),
    'a value inside itself': (_recursive_list(), 'contains itself'),
    'not a pickle': (b'\x80\x04garbage', 'not a valid pickle'),
    'a truncated pickle': (pickle.dumps(PLAIN)[:-5], 'not a valid pickle'),
}


@pytest.mark.parametrize('data, message', REFUSED.values(), ids=REFUSED.keys())
def test_anything_but_plain_data_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(OpsStateRefused, match=message) as caught:
        read_snapshot(data, filename='/charm/.unit-state.db', handle='C/StoredStateData[_s]')
    assert "snapshot 'C/StoredStateData[_s]' in the ops state file /charm/.unit-state.db" in (
        str(caught.value))


def test_the_unpickler_itself_resolves_only_the_plain_constructors() -> None:
    # STACK_GLOBAL passes the opcode check; the name it builds is what the unpickler refuses.
    assert 'STACK_GLOBAL' in _opcodes(_hostile(4))
    from reactops._private.opsstate import _PlainUnpickler

    with pytest.raises(OpsStateRefused, match=r'refers to posix\.system'):
        _PlainUnpickler(io.BytesIO(_hostile(4)), 'here').load()
    assert _PlainUnpickler(io.BytesIO(pickle.dumps({1, 2}, 2)), 'here').load() == {1, 2}
