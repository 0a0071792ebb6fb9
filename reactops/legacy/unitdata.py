"""``charmhelpers.core.unitdata`` as reactops provides it: :func:`kv` over the state store.

During a dispatch ``kv()`` is the dispatch's own key-value table, in the dispatch's
transaction: what a handler stores is kept only if the hook succeeds, together with the
flags. ``flush()`` therefore commits nothing by itself inside a dispatch (the dispatch
commits at its end). Outside a dispatch (an action script) ``kv()`` opens the unit's
state file, and ``flush()`` commits as charmhelpers did.

Values are JSON, as charmhelpers stored them, so data written by charmhelpers before an
in-place upgrade reads back unchanged. charmhelpers' per-hook history (``hook_scope``,
``gethistory``, :class:`HookData`) lives in :mod:`._unitdata_history`, loaded when used.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from ..storage import SQLiteStorage
from ._errors import LegacyError, unsupported

if TYPE_CHECKING:
    from ._unitdata_history import HookData

__all__ = ['Delta', 'DeltaSet', 'HookData', 'Record', 'Storage', 'kv']

_ABSENT = object()
#: charms.reactive's key of the dispatch phase (see :meth:`Storage.get`).
PHASE_KEY = 'reactive.dispatch.phase'


class Record(dict[str, Any]):
    """A dict whose keys read as attributes too (``get(key, record=True)``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Delta(NamedTuple):
    """How one key changed: its *previous* and *current* value."""

    previous: Any
    current: Any


class DeltaSet(Record):
    """Key -> :class:`Delta`, for the keys that changed."""


class Storage:
    """The unit's key-value store with charmhelpers' methods.

    With *storage* given (the dispatch's), it shares that transaction; otherwise it opens
    *path* (``$UNIT_STATE_DB``, else ``<charm dir>/.unit-state.db``).
    """

    def __init__(self, path: str | None = None, *, storage: SQLiteStorage | None = None):
        self._shared = storage is not None
        if storage is None:
            from ._session import charm_dir

            storage = SQLiteStorage(path or os.environ.get('UNIT_STATE_DB') or
                                    str(charm_dir() / '.unit-state.db'))
        self._storage = storage
        self._cursor: tuple[SQLiteStorage, sqlite3.Cursor] | None = None
        #: The path of the state file (``':memory:'`` for an in-memory store).
        self.db_path = storage.filename
        #: The revision :meth:`hook_scope` records changes under (``None`` outside one).
        self.revision: int | None = None

    @property
    def conn(self) -> _Connection:
        """The store's SQLite connection, for SQL of the charm's own; its ``commit()`` and
        ``rollback()`` are :meth:`flush` and ``flush(False)``, so a dispatch's
        transaction stays whole."""
        return _Connection(self)

    @property
    def cursor(self) -> sqlite3.Cursor:
        """A cursor of the store's connection (the same one until the store reopens)."""
        # reactops' store keeps its connection private: the legacy layer, part of
        # reactops, reaches it here only, for charms that ran their own SQL.
        if self._cursor is None or self._cursor[0] is not self._storage:
            self._cursor = (self._storage, self._storage._db.cursor())
        return self._cursor[1]

    def get(self, key: str, default: Any = None, record: bool = False) -> Any:
        """The value of *key* (*default* when absent); with *record*, a :class:`Record`.

        During a dispatch, ``reactive.dispatch.phase`` reads as the dispatch's phase
        (``hooks``, ``other``, ``restricted``), which charms.reactive kept under that key
        and layers' own decorators test; reactops never stores it.
        """
        if key == PHASE_KEY and self._shared:
            from .reactive.helpers import dispatch_phase

            return dispatch_phase()
        value = self._storage.kv_get(key, default)
        return Record(value) if record and isinstance(value, dict) else value

    def getrange(self, key_prefix: str, strip: bool = False) -> dict[str, Any]:
        """Every key starting with *key_prefix* (exactly: no SQL wildcards), with the
        prefix removed when *strip*."""
        return {(key[len(key_prefix):] if strip else key): value
                for key, value in self._storage.kv_items(key_prefix)}

    def set(self, key: str, value: Any) -> Any:
        """Store *value* under *key*; returns *value*."""
        try:
            # Plain JSON, as charmhelpers stored it: a tuple reads back as a list.
            text = json.dumps(value)
        except (TypeError, ValueError) as e:
            raise TypeError(f'unitdata.kv().set({key!r}): the value must be JSON-serializable '
                            f'({e})') from None
        previous = self.get(key, _ABSENT) if self.revision else None
        self._storage.kv_set_text(key, text)
        if self.revision and previous != value:
            from ._unitdata_history import record_change

            record_change(self, key, value)
        return value

    def update(self, mapping: Mapping[str, Any], prefix: str = '') -> None:
        """Store every item of *mapping*, keys prefixed with *prefix*."""
        for key, value in mapping.items():
            self.set(prefix + key, value)

    def unset(self, key: str) -> None:
        """Remove *key* (no error if absent)."""
        present = self.revision and self.get(key, _ABSENT) is not _ABSENT
        self._storage.kv_delete(key)
        if present:
            from ._unitdata_history import DELETED, record_change

            record_change(self, key, DELETED)

    def unsetrange(self, keys: Iterable[str] | None = None, prefix: str = '') -> None:
        """Remove *keys* (each prefixed), or with no *keys* every key under *prefix*."""
        if keys is not None:
            for key in keys:
                self.unset(prefix + key)
            return
        for key in list(self.getrange(prefix)):
            self.unset(key)

    def delta(self, mapping: Mapping[str, Any], prefix: str) -> DeltaSet:
        """How *mapping* differs from what is stored under *prefix* (nothing is stored)."""
        previous = self.getrange(prefix, strip=True)
        changes = DeltaSet()
        for key in set(previous) | set(mapping):
            before, after = previous.get(key), mapping.get(key)
            if key not in previous or key not in mapping or before != after:
                changes[key] = Delta(before, after)
        return changes

    def flush(self, save: bool = True) -> None:
        """Commit (outside a dispatch). Inside one, the dispatch commits when it succeeds;
        ``flush(save=False)`` cannot drop part of a dispatch and raises."""
        if self._shared:
            if not save:
                raise LegacyError(
                    'unitdata.kv().flush(save=False) cannot roll back part of a reactops '
                    'dispatch: raise an exception instead, and the whole hook is undone')
            return
        if save:
            self._storage.commit()
        else:
            self._storage.close()
            self._storage = SQLiteStorage(self.db_path)

    def close(self) -> None:
        """Close a store opened outside a dispatch (uncommitted changes are dropped)."""
        if not self._shared:
            self._storage.close()

    def hook_scope(self, name: str = '') -> contextlib.AbstractContextManager[int]:
        """Record the changes of the block under a new revision named *name* (the hook),
        for :meth:`gethistory`; commit them if it succeeds (see :meth:`flush`)."""
        from ._unitdata_history import hook_scope

        return hook_scope(self, name)

    def gethistory(self, key: str, deserialize: bool = False) -> list[tuple[Any, ...]]:
        """Every recorded change of *key*: ``(revision, key, data, hook, date)``, with
        *data* decoded and *date* a datetime when *deserialize*."""
        from ._unitdata_history import gethistory

        return gethistory(self, key, deserialize)

    def debug(self, fh: IO[str] = sys.stderr) -> None:
        """Print every key and every recorded change to *fh*."""
        from ._unitdata_history import debug

        debug(self, fh)

    def __getattr__(self, name: str) -> Any:
        raise unsupported('charmhelpers.core.unitdata.Storage', name)


class _Connection:
    """:attr:`Storage.conn`: SQL on the store's connection, with the store's commit."""

    def __init__(self, storage: Storage):
        self._storage = storage

    def cursor(self) -> sqlite3.Cursor:
        """A new cursor of the connection."""
        return self._storage.cursor.connection.cursor()

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """Run one SQL statement (with a sequence or mapping of *parameters*); its
        cursor."""
        return self._storage.cursor.connection.execute(sql, parameters)

    def commit(self) -> None:
        """:meth:`Storage.flush` (inside a dispatch, the dispatch commits at its end)."""
        self._storage.flush()

    def rollback(self) -> None:
        """``Storage.flush(False)``: drop the changes since the last commit."""
        self._storage.flush(False)

    def close(self) -> None:
        """:meth:`Storage.close`."""
        self._storage.close()


_KV: list[Storage] = []


def kv() -> Storage:
    """The unit's key-value store: the running dispatch's, else the state file's."""
    from ..reactive._runtime import current, is_dispatching

    if is_dispatching():
        storage = current().storage
        if not _KV or _KV[0]._storage is not storage:
            _KV[:] = [Storage(storage=storage)]
        return _KV[0]
    if not _KV or _KV[0]._shared:
        _KV[:] = [Storage()]
    return _KV[0]


def __getattr__(name: str) -> Any:
    if name == 'HookData':
        from ._unitdata_history import HookData

        globals()[name] = HookData
        return HookData
    raise unsupported('charmhelpers.core.unitdata', name)
