"""``charmhelpers.core.unitdata`` as reactops provides it: :func:`kv` over the state store.

During a dispatch ``kv()`` is the dispatch's own key-value table, in the dispatch's
transaction: what a handler stores is kept only if the hook succeeds, together with the
flags. ``flush()`` therefore commits nothing by itself inside a dispatch (the dispatch
commits at its end). Outside a dispatch (an action script) ``kv()`` opens the unit's
state file, and ``flush()`` commits as charmhelpers did.

Values are JSON, as charmhelpers stored them, so data written by charmhelpers before an
in-place upgrade reads back unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..storage import SQLiteStorage
from ._errors import LegacyError, unsupported

__all__ = ['Delta', 'DeltaSet', 'Record', 'Storage', 'kv']


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
        self.db_path = storage.filename

    def get(self, key: str, default: Any = None, record: bool = False) -> Any:
        """The value of *key* (*default* when absent); with *record*, a :class:`Record`."""
        value = self._storage.kv_get(key, default)
        return Record(value) if record and isinstance(value, dict) else value

    def getrange(self, key_prefix: str, strip: bool = False) -> dict[str, Any]:
        """Every key starting with *key_prefix* (exactly: no SQL wildcards), with the
        prefix removed when *strip*."""
        return {(key[len(key_prefix):] if strip else key): value
                for key, value in self._storage.kv_items(key_prefix)}

    def set(self, key: str, value: Any) -> Any:
        """Store *value* under *key*; returns *value*."""
        self._storage.kv_set(key, value)
        return value

    def update(self, mapping: Mapping[str, Any], prefix: str = '') -> None:
        """Store every item of *mapping*, keys prefixed with *prefix*."""
        for key, value in mapping.items():
            self.set(prefix + key, value)

    def unset(self, key: str) -> None:
        """Remove *key* (no error if absent)."""
        self._storage.kv_delete(key)

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

    def __getattr__(self, name: str) -> Any:
        raise unsupported('charmhelpers.core.unitdata.Storage', name)


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
    raise unsupported('charmhelpers.core.unitdata', name)
