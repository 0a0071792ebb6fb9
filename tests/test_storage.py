"""The state store: transactions, file safety, JSON values, foreign and corrupt files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from reactops._private import codec as _codec
from reactops.errors import (
    NoSnapshotError,
    SnapshotEncodingError,
    StateStoreCorruptError,
    StateStoreError,
    StateStoreLockedError,
    StateStoreVersionError,
)
from reactops.storage import SCHEMA_VERSION, SQLiteStorage


def test_a_new_state_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    SQLiteStorage(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_state_file_others_can_write_is_refused(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    SQLiteStorage(path).close()
    os.chmod(path, 0o666)
    with pytest.raises(StateStoreError, match=r'writable by group or others.*chmod 600'):
        SQLiteStorage(path)


def test_a_readable_state_file_is_tightened_to_0600(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    SQLiteStorage(path).close()
    os.chmod(path, 0o644)
    SQLiteStorage(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rollback_discards_changes_since_the_commit_and_keeps_the_store_usable(
        tmp_path: Path) -> None:
    store = SQLiteStorage(tmp_path / 'state.db')
    store.kv_set('kept', 1)
    store.commit()
    store.kv_set('kept', 2)
    store.kv_set('dropped', 3)
    store.rollback()
    assert (store.kv_get('kept'), store.kv_get('dropped')) == (1, None)
    store.kv_set('after', 4)  # a new transaction is open
    store.commit()
    store.close()
    store = SQLiteStorage(tmp_path / 'state.db')
    assert (store.kv_get('kept'), store.kv_get('after')) == (1, 4)
    store.close()


def test_changes_are_kept_only_after_commit(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    store = SQLiteStorage(path)
    store.save_snapshot('a', {'n': 1})
    store.kv_set('k', 1)
    store.save_notice('E/on/x[1]', 'O', 'm')
    store.close()

    store = SQLiteStorage(path)
    with pytest.raises(NoSnapshotError, match='no snapshot data found for a object'):
        store.load_snapshot('a')
    assert store.kv_get('k') is None
    assert list(store.notices()) == []
    store.save_snapshot('a', {'n': 2})
    store.commit()
    store.save_snapshot('a', {'n': 3})  # after the commit: a new transaction
    store.close()

    store = SQLiteStorage(path)
    assert store.load_snapshot('a') == {'n': 2}
    store.close()


def test_values_are_stored_as_json_text(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    store = SQLiteStorage(path)
    store.save_snapshot('h', {'pair': (1, 2), 'name': 'x'})
    store.kv_set('reactive.states.db.ready', None)
    store.commit()
    store.close()
    with sqlite3.connect(path) as db:
        (data,) = db.execute("SELECT data FROM snapshot WHERE handle='h'").fetchone()
        (kv,) = db.execute('SELECT data FROM kv').fetchone()
    assert isinstance(data, str)
    assert data == '{"pair":{"__reactops__":"tuple","items":[1,2]},"name":"x"}'
    assert kv == 'null'


def test_notices_keep_queue_order_and_filter_by_event(tmp_path: Path) -> None:
    store = SQLiteStorage(':memory:')
    store.save_notice('A/on/x[1]', 'O', 'm')
    store.save_notice('A/on/x[2]', 'O', 'm')
    store.save_notice('A/on/x[1]', 'P', 'n')
    assert [n[0] for n in store.notices()] == ['A/on/x[1]', 'A/on/x[2]', 'A/on/x[1]']
    assert list(store.notices('A/on/x[1]')) == [('A/on/x[1]', 'O', 'm'), ('A/on/x[1]', 'P', 'n')]
    store.drop_notice('A/on/x[1]', 'O', 'm')
    assert len(list(store.notices())) == 2


def test_kv_items_filter_by_exact_prefix(tmp_path: Path) -> None:
    store = SQLiteStorage(':memory:')
    store.kv_set('reactive.states.a', {'v': 1})
    store.kv_set('reactive.states.b', None)
    store.kv_set('REACTIVE.states.c', 1)   # prefix match is case-sensitive
    store.kv_set('reactive_states_d', 1)   # '_' is not a wildcard
    assert list(store.kv_items('reactive.states.')) == [
        ('reactive.states.a', {'v': 1}), ('reactive.states.b', None)]
    store.kv_delete('reactive.states.a')
    assert store.kv_get('reactive.states.a', 'gone') == 'gone'


def test_a_value_that_is_not_json_safe_names_its_key(tmp_path: Path) -> None:
    store = SQLiteStorage(':memory:')
    with pytest.raises(SnapshotEncodingError, match=r"snapshot 'h'.*datetime.*\['b'\]\[0\]"):
        import datetime

        store.save_snapshot('h', {'a': 1, 'b': [datetime.datetime.now()]})
    with pytest.raises(ValueError, match='dict key of type object'):
        store.kv_set('k', {object(): 1})


def test_a_file_that_is_not_a_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    path.write_bytes(b"this is not sqlite, it is somebody else's file" * 100)
    os.chmod(path, 0o600)
    before = path.read_bytes()
    with pytest.raises(StateStoreCorruptError, match=str(path)):
        SQLiteStorage(path)
    assert path.read_bytes() == before


def test_a_damaged_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    store = SQLiteStorage(path)
    for i in range(200):
        store.save_snapshot(f'h{i}', {'data': 'x' * 200})
    store.commit()
    store.close()
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b'\xff' * (4096 - 100)  # clobber the schema page
    path.write_bytes(bytes(raw))
    with pytest.raises(StateStoreCorruptError, match='damaged'):
        store = SQLiteStorage(path)
        list(store.list_snapshots())


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / 'other.db'
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE customers (id INTEGER, name TEXT)')
    os.chmod(path, 0o600)
    with pytest.raises(StateStoreCorruptError, match=r'not a reactops.*customers'):
        SQLiteStorage(path)


def test_a_file_from_a_newer_reactops_is_refused(tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    store = SQLiteStorage(path)
    store.commit()
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE reactops_meta SET value=? WHERE key='schema_version'",
                   (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StateStoreVersionError, match='newer reactops'):
        SQLiteStorage(path)


def test_a_charmhelpers_unitdata_file_is_adopted_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE kv (key TEXT PRIMARY KEY, data TEXT)')
        db.execute('CREATE TABLE kv_revisions (key TEXT, revision INTEGER, data TEXT, '
                   'PRIMARY KEY (key, revision))')
        db.execute('CREATE TABLE hooks (version INTEGER PRIMARY KEY AUTOINCREMENT, '
                   'hook TEXT, date TEXT)')
        db.execute("INSERT INTO kv VALUES ('reactive.states.db.connected', "
                   "'{\"value\": null, \"conversations\": []}')")
    os.chmod(path, 0o600)
    store = SQLiteStorage(path)
    assert store.kv_get('reactive.states.db.connected') == {'value': None, 'conversations': []}
    store.save_snapshot('Charm/StoredStateData[_stored]', {})
    store.commit()
    store.close()


def test_an_ops_state_file_is_adopted_and_its_plain_pickles_become_json(tmp_path: Path) -> None:
    path = tmp_path / '.unit-state.db'
    with sqlite3.connect(path) as db:
        db.execute('CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB)')
        db.execute('CREATE TABLE notice (sequence INTEGER PRIMARY KEY AUTOINCREMENT, '
                   'event_path TEXT, observer_path TEXT, method_name TEXT)')
        # pickle protocol 4 of {'event_count': 5}: plain data, read by the restricted
        # reader (tests/test_ops_state_upgrade.py) and rewritten as JSON.
        db.execute("INSERT INTO snapshot VALUES ('StoredStateData[_stored]', ?)",
                   (b'\x80\x04\x95\x13\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0bevent_count'
                    b'\x94K\x05s.',))
    os.chmod(path, 0o600)
    store = SQLiteStorage(path)
    assert store.load_snapshot('StoredStateData[_stored]') == {'event_count': 5}
    store.kv_set('k', 1)
    store.commit()
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute('SELECT data FROM snapshot').fetchall() == [('{"event_count":5}',)]


def test_a_second_process_waits_then_fails_clearly_while_the_store_is_held(
        tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    first = SQLiteStorage(path)
    with pytest.raises(StateStoreLockedError, match='locked by another process'):
        SQLiteStorage(path, timeout=0.1)
    first.close()
    SQLiteStorage(path, timeout=0.1).close()


def test_a_closed_store_refuses_use(tmp_path: Path) -> None:
    store = SQLiteStorage(':memory:')
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(StateStoreError, match='closed'):
        store.kv_get('x')


def test_codec_round_trips_every_supported_type() -> None:
    value = {
        'a': (1, (2, 3)), 'b': {1, 2}, 'c': frozenset({'x'}), 'd': b'\x00',
        'e': {(1, 2): 'tuple key', 3: 'int key'}, '__reactops__': 'own tag key',
        'f': [None, True, 1.5, 'txt'], 'g': {'nested': {frozenset({1}): [b'y']}},
    }
    assert _codec.decode(_codec.encode(value)) == value


def test_codec_refuses_unknown_tags() -> None:
    with pytest.raises(ValueError, match='newer reactops'):
        _codec.decode('{"__reactops__": "complex", "items": []}')
