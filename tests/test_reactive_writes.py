"""The reactive layer writes only state that changed: flags set to the value their row holds,
hook-only flags, unchanged hashes and marks write nothing (issue 21).

The store is a real SQLite store; what it writes is read from SQLite's trace callback on
its connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reactops.reactive._runtime import FLAG_PREFIX, ReactiveRuntime, activate
from reactops.reactive.automatic import clear_hook_flags, install_automatic_flags, is_hook_flag
from reactops.reactive.helpers import _file_changes, data_changed, mark_invoked, was_invoked
from reactops.storage import SQLiteStorage

_WRITES = ('INSERT', 'REPLACE', 'UPDATE', 'DELETE')


class Written:
    """Every row-changing statement a store runs, from SQLite's trace callback."""

    def __init__(self, storage: SQLiteStorage):
        self.statements: list[str] = []
        storage._db.set_trace_callback(self._seen)

    def _seen(self, statement: str) -> None:
        if statement.split(None, 1)[0].upper() in _WRITES:
            self.statements.append(statement)

    def take(self) -> list[str]:
        taken, self.statements = self.statements, []
        return taken


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SQLiteStorage]:
    store = SQLiteStorage(tmp_path / 'state.db')
    yield store
    store.close()


def _hook(storage: SQLiteStorage) -> ReactiveRuntime:
    """A new dispatch's runtime over the store, as every hook makes one."""
    storage.commit()
    return ReactiveRuntime(storage, hook_name='update-status')


def test_setting_a_flag_to_the_value_it_holds_writes_nothing(storage: SQLiteStorage) -> None:
    runtime = _hook(storage)
    runtime.set('plain')
    runtime.set('valued', {'port': 8080, 'hosts': ['a', 'b']})
    written = Written(storage)
    runtime = _hook(storage)
    runtime.set('plain')
    runtime.set('valued', {'port': 8080, 'hosts': ['a', 'b']})
    runtime.set('plain')
    assert written.take() == []
    runtime.set('valued', {'port': 9090, 'hosts': ['a', 'b']})  # a new value is written
    runtime.set('valued', {'port': 9090, 'hosts': ['a', 'b']})  # once
    assert len(written.take()) == 1
    assert dict(storage.kv_items(FLAG_PREFIX)) == {
        FLAG_PREFIX + 'plain': None, FLAG_PREFIX + 'valued': {'port': 9090, 'hosts': ['a', 'b']}}


def test_a_value_that_compares_equal_but_encodes_otherwise_is_written(
        storage: SQLiteStorage) -> None:
    runtime = _hook(storage)
    runtime.set('n', 1)
    runtime = _hook(storage)
    runtime.set('n', True)  # 1 == True in Python; the stored JSON must say true
    runtime = _hook(storage)
    assert runtime.value('n') is True


def test_clearing_and_setting_again_rewrites_the_row(storage: SQLiteStorage) -> None:
    runtime = _hook(storage)
    runtime.set('x', 'v')
    runtime.clear('x')
    runtime.clear('x')  # not set: nothing to delete
    written = Written(storage)
    runtime.set('x', 'v')
    assert len(written.take()) == 1
    assert _hook(storage).value('x') == 'v'


def test_hook_only_flags_never_reach_the_store(storage: SQLiteStorage) -> None:
    runtime = _hook(storage)
    written = Written(storage)
    install_automatic_flags(runtime, None, 'update-status')
    runtime.set('config.changed.port')
    runtime.set('config.set.port')
    runtime.set('app.kept')
    assert runtime.is_set('config.set.port') and runtime.names() == [
        'app.kept', 'config.changed.port', 'config.set.port']
    runtime.clear('config.changed.port')
    clear_hook_flags(runtime)
    assert [s.split("'")[1] for s in written.take()] == [FLAG_PREFIX + 'app.kept']
    assert runtime.names() == ['app.kept']
    runtime.set('config.after')  # after the dispatch: stored as any flag
    assert dict(storage.kv_items(FLAG_PREFIX)) == {FLAG_PREFIX + 'app.kept': None,
                                                   FLAG_PREFIX + 'config.after': None}


def test_a_hook_only_flag_another_writer_stored_is_removed_at_the_end(
        storage: SQLiteStorage) -> None:
    storage.kv_set(FLAG_PREFIX + 'config.changed', None)  # e.g. charms.reactive's CLI
    runtime = _hook(storage)
    install_automatic_flags(runtime, None, 'config-changed')
    assert runtime.is_set('config.changed')
    clear_hook_flags(runtime)
    assert list(storage.kv_items(FLAG_PREFIX)) == []
    assert not runtime.is_set('config.changed')


def test_the_state_hash_follows_the_flags_written_or_not(storage: SQLiteStorage) -> None:
    runtime = _hook(storage)
    install_automatic_flags(runtime, None, 'update-status')
    empty = runtime.state_hash
    runtime.set('config.set.port')
    runtime.set('app', [1])
    assert runtime.state_hash != empty
    runtime.clear('config.set.port')
    runtime.clear('app')
    assert runtime.state_hash == empty


@pytest.mark.parametrize(('flag', 'hook_only'), [
    ('config.changed', True), ('config.set.port', True), ('configured', False),
    ('container.web.notice.example.com/x', True), ('container.web.check.up.recovered', True),
    ('container.web.ready', False), ('app.config.changed', False)])
def test_which_flags_last_only_for_their_hook(flag: str, hook_only: bool) -> None:
    assert is_hook_flag(flag) is hook_only


def test_unchanged_hashes_and_marks_write_nothing(storage: SQLiteStorage,
                                                  tmp_path: Path) -> None:
    watched = tmp_path / 'watched.conf'
    watched.write_text('a=1\n')
    runtime = _hook(storage)
    with activate(runtime):
        assert data_changed('cfg', {'b': 2, 'a': 1})
        mark_invoked('handler')
        _file_changes(runtime).consume('h', [str(watched)])
    runtime = _hook(storage)
    written = Written(storage)
    with activate(runtime):
        assert not data_changed('cfg', {'a': 1, 'b': 2})
        mark_invoked('handler')
        assert was_invoked('handler')
        changes = _file_changes(runtime)
        assert not changes.pending_for('h', [str(watched)], 'md5')
        changes.consume('h', [str(watched)])
        assert written.take() == []
        assert data_changed('cfg', {'a': 1, 'b': 3})
        assert len(written.take()) == 1
    watched.write_text('a=2\n')
    runtime = _hook(storage)
    with activate(runtime):
        changes = _file_changes(runtime)
        assert changes.pending_for('h', [str(watched)], 'md5')
        changes.consume('h', [str(watched)])
        assert len(written.take()) == 1
        assert not changes.pending_for('h', [str(watched)], 'md5')
