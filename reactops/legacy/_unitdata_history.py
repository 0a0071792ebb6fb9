"""charmhelpers' per-hook history of the key-value store, and :class:`HookData`.

Inside :meth:`Storage.hook_scope <reactops.legacy.unitdata.Storage.hook_scope>` every change
is also recorded under the scope's revision, in charmhelpers' tables (``hooks``: one row
per scope; ``kv_revisions``: the value each key got in it), so ``gethistory`` reads the
history charmhelpers wrote before an in-place upgrade too. The tables are made only when
a charm first opens a scope. Part of :mod:`reactops.legacy.unitdata`, loaded when used.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import pprint
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from ._errors import LegacyError

if TYPE_CHECKING:
    from .unitdata import DeltaSet, Storage

__all__ = ['DELETED', 'HookData', 'debug', 'gethistory', 'hook_scope', 'record_change']

#: The value recorded for a key deleted in a scope (charmhelpers' marker).
DELETED = 'DELETED'
_DATE_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'
_TABLES = (
    'CREATE TABLE IF NOT EXISTS kv_revisions (key text, revision integer, data text, '
    'primary key (key, revision))',
    'CREATE TABLE IF NOT EXISTS hooks (version integer primary key autoincrement, '
    'hook text, date text)',
)


def _execute(storage: Storage, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
    return storage.cursor.connection.execute(sql, parameters)


def record_change(storage: Storage, key: str, value: Any) -> None:
    """Record that *key* got *value* (or :data:`DELETED`) in the open scope."""
    _execute(storage, 'REPLACE INTO kv_revisions (key, revision, data) VALUES (?, ?, ?)',
             (key, storage.revision, json.dumps(value)))


@contextlib.contextmanager
def hook_scope(storage: Storage, name: str = '') -> Iterator[int]:
    """See :meth:`Storage.hook_scope`: a failure drops the block's changes (inside a
    dispatch, the whole dispatch's, which fails too)."""
    if storage.revision:
        raise LegacyError('unitdata.kv().hook_scope() is already open: scopes do not nest')
    for statement in _TABLES:
        _execute(storage, statement)
    now = datetime.datetime.now(datetime.timezone.utc).strftime(_DATE_FORMAT)
    cursor = _execute(storage, 'INSERT INTO hooks (hook, date) VALUES (?, ?)',
                      (name or sys.argv[0], now))
    storage.revision = cursor.lastrowid
    try:
        yield cursor.lastrowid
    except Exception:
        storage.revision = None
        if not storage._shared:
            storage.flush(False)
        raise
    storage.revision = None
    storage.flush()


def _tables(storage: Storage) -> set[str]:
    rows = _execute(storage, "SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {row[0] for row in rows}


def gethistory(storage: Storage, key: str, deserialize: bool = False) -> list[tuple[Any, ...]]:
    """See :meth:`Storage.gethistory`."""
    if not {'kv_revisions', 'hooks'} <= _tables(storage):
        return []
    rows = _execute(
        storage, 'SELECT r.revision, r.key, r.data, h.hook, h.date FROM kv_revisions r, '
        'hooks h WHERE r.key = ? AND r.revision = h.version ORDER BY r.revision',
        (key,)).fetchall()
    if not deserialize:
        return [tuple(row) for row in rows]
    return [(revision, name, json.loads(data), hook,
             datetime.datetime.strptime(date, _DATE_FORMAT))
            for revision, name, data, hook, date in rows]


def debug(storage: Storage, fh: IO[str]) -> None:
    """See :meth:`Storage.debug`."""
    pprint.pprint(_execute(storage, 'SELECT * FROM kv').fetchall(), stream=fh)
    if 'kv_revisions' in _tables(storage):
        pprint.pprint(_execute(storage, 'SELECT * FROM kv_revisions').fetchall(), stream=fh)


class HookData:
    """Records each hook's context in the store and how it changed since the last hook::

        changes = unitdata.HookData()
        with changes() as (kv, config_delta, relation_delta):
            hooks.execute(sys.argv)

    Inside, :attr:`conf` and :attr:`rels` are the :class:`DeltaSet` of the config and of
    the relation data (``hookenv.relations()``) against what the store holds under the
    prefixes ``config`` and ``rels`` (as in charmhelpers, HookData does not store them:
    ``kv.update(config, prefix='config')`` does). The environment, unit and relation id
    are stored as ``env``, ``unit`` and ``relid``, the charm's revision in
    ``charm_revisions``, all under the scope's revision.
    """

    def __init__(self) -> None:
        from .unitdata import kv

        self.kv = kv()
        self.conf: DeltaSet | None = None
        self.rels: DeltaSet | None = None

    @contextlib.contextmanager
    def __call__(self) -> Iterator[tuple[Storage, DeltaSet, DeltaSet]]:
        from . import hookenv

        with self.kv.hook_scope(hookenv.hook_name()):
            self._record_charm_revision(hookenv.charm_dir())
            data = hookenv.execution_environment()
            self.conf = self.kv.delta(data['conf'], 'config')
            self.rels = self.kv.delta(data['rels'], 'rels')
            self.kv.set('env', dict(data['env']))
            self.kv.set('unit', data['unit'])
            self.kv.set('relid', data.get('relid'))
            yield self.kv, self.conf, self.rels

    def _record_charm_revision(self, charm_dir: str) -> None:
        # A charm without a revision file (every charm since charmcraft) counts as 0,
        # where charmhelpers failed to open it.
        try:
            with open(os.path.join(charm_dir, 'revision')) as file:
                revision = file.read().strip() or '0'
        except FileNotFoundError:
            revision = '0'
        seen = self.kv.get('charm_revisions', [])
        if revision not in seen:
            self.kv.set('charm_revisions', [*seen, revision])
