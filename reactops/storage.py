"""The unit's state store: one SQLite file, one transaction per dispatch.

Juju runs every hook in a fresh process and retries a hook that failed. The state store
makes that safe: everything a dispatch changes (stored state, deferred events, flags, the
key-value store) is written inside one transaction that :meth:`SQLiteStorage.commit`
makes durable. A process that exits without committing, or is killed, leaves the file
exactly as it was before the hook.

Values are JSON (see :mod:`reactops._private.codec`); nothing is pickled. The file holds:

* ``snapshot(handle TEXT PRIMARY KEY, data)``: stored state and event snapshots,
  keyed by handle path (the same layout ops uses);
* ``notice(sequence, event_path, observer_path, method_name)``: the deferred-event queue;
* ``kv(key TEXT PRIMARY KEY, data TEXT)``: a key-value store in charmhelpers' layout, so a
  legacy reactive charm's ``.unit-state.db`` keeps its data when upgraded in place;
* ``reactops_meta(key, value)``: the schema version.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from ._private import codec as _codec
from ._private.typing import TYPE_CHECKING, cast
from .errors import (
    NoSnapshotError,
    StateStoreCorruptError,
    StateStoreError,
    StateStoreLockedError,
    StateStoreVersionError,
)

if TYPE_CHECKING:
    import sqlite3
    from datetime import timedelta
    from typing import Any

    from ._private.jujustate import JujuStateBackend
else:
    try:
        # The C module behind the sqlite3 package, which adds only date/time adapters
        # (and the datetime import they need, about 1.5 ms of every hook) that the store
        # never uses: connect() and the exception classes are the same objects.
        import _sqlite3 as sqlite3
    except ImportError:  # pragma: no cover - a Python whose sqlite3 is laid out otherwise
        import sqlite3

__all__ = ['SCHEMA_VERSION', 'JujuStorage', 'NoSnapshotError', 'SQLiteStorage',
           'juju_backend_available']

#: The layout version this reactops writes; a file with a higher one is refused.
SCHEMA_VERSION = 1

_SCHEMA = (
    'CREATE TABLE IF NOT EXISTS snapshot (handle TEXT PRIMARY KEY, data BLOB)',
    'CREATE TABLE IF NOT EXISTS notice ('
    ' sequence INTEGER PRIMARY KEY AUTOINCREMENT,'
    ' event_path TEXT, observer_path TEXT, method_name TEXT)',
    'CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, data TEXT)',
    'CREATE TABLE IF NOT EXISTS reactops_meta (key TEXT PRIMARY KEY, value TEXT)',
)
# Tables that show a file was written by ops or by charmhelpers' unitdata.
_OPS_TABLES = {'snapshot', 'notice'}
_CHARMHELPERS_TABLES = {'kv'}


class _LockTimeout:
    """``SQLiteStorage.DB_LOCK_TIMEOUT``: a :class:`datetime.timedelta`, as in ops.

    Built on access, so that a hook that never asks does not import :mod:`datetime`;
    the store itself reads :attr:`seconds`. Assigning (or patching) a timedelta on the
    class replaces this descriptor.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __get__(self, obj: object, owner: type | None = None) -> timedelta:
        from datetime import timedelta

        return timedelta(seconds=self.seconds)


class _StatePermissionError(StateStoreError, RuntimeError):
    """The state file's mode could not be made 0600 (a RuntimeError, as in ops)."""


class SQLiteStorage:
    """The state store in a SQLite file (or ``':memory:'`` for tests).

    Opening the store starts the dispatch's transaction and takes the file's write lock,
    so a second process (a concurrent ``juju-exec``) waits up to *timeout* seconds
    (default :attr:`DB_LOCK_TIMEOUT`) and then fails with :class:`StateStoreLockedError`
    (its message says ``database is locked``) instead of interleaving its writes.

    A new file is created with mode 0600. An existing file that others may write to, that
    is not a SQLite database, is damaged, or was written by a newer reactops is refused
    with an error naming it; it is never reset.
    """

    #: How long opening the store waits for another process's lock. ops waits an hour;
    #: reactops fails sooner, since Juju retries a failed hook anyway.
    DB_LOCK_TIMEOUT: timedelta = cast('timedelta', _LockTimeout(300.0))

    def __init__(self, filename: str | os.PathLike[str], *, timeout: float | None = None):
        if timeout is None:
            timeout = _lock_timeout_seconds(type(self))
        self._filename = str(filename)
        self._closed = False
        in_memory = self._filename == ':memory:'
        if not in_memory:
            _prepare_file(self._filename)
        try:
            self._db = sqlite3.connect(self._filename, isolation_level=None,
                                       timeout=timeout, check_same_thread=False)
        except sqlite3.Error as e:
            raise StateStoreError(f'cannot open state file {self._filename}: {e}') from e
        try:
            self._begin()
            self._setup_schema()
        except BaseException:
            self._db.close()
            raise

    @property
    def filename(self) -> str:
        """The path of the state file, or ``':memory:'``."""
        return self._filename

    # -- transactions ------------------------------------------------------------------

    def commit(self) -> None:
        """Make every change since the last commit durable, and start a new transaction."""
        self._check_open()
        self._execute('COMMIT')
        self._begin()

    def rollback(self) -> None:
        """Discard every change since the last commit, and start a new transaction.

        A hook never needs this (a failed dispatch just closes the store); a test harness
        that keeps one store across events does.
        """
        self._check_open()
        self._execute('ROLLBACK')
        self._begin()

    def close(self) -> None:
        """Close the file; changes since the last :meth:`commit` are discarded."""
        if self._closed:
            return
        self._closed = True
        self._db.close()

    # -- snapshots ---------------------------------------------------------------------

    def save_snapshot(self, handle_path: str, snapshot_data: Any) -> None:
        """Store *snapshot_data* (JSON-encodable, see the private codec) under a handle."""
        text = _codec.encode(snapshot_data, where=f'snapshot {handle_path!r}')
        self._execute('REPLACE INTO snapshot VALUES (?, ?)', (handle_path, text))

    def load_snapshot(self, handle_path: str) -> Any:
        """Return the data stored under *handle_path*; raise :class:`NoSnapshotError`."""
        row = self._execute('SELECT data FROM snapshot WHERE handle=?', (handle_path,)).fetchone()
        if row is None:
            raise NoSnapshotError(handle_path)
        return self._decode(row[0], f'snapshot {handle_path!r}')

    def drop_snapshot(self, handle_path: str) -> None:
        """Forget the snapshot under *handle_path* (no error if there is none)."""
        self._execute('DELETE FROM snapshot WHERE handle=?', (handle_path,))

    def list_snapshots(self) -> Iterator[str]:
        """Yield the handle path of every stored snapshot."""
        rows = self._execute('SELECT handle FROM snapshot ORDER BY handle').fetchall()
        for (handle,) in rows:
            yield handle

    # -- notices: the deferred-event queue ---------------------------------------------

    def save_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        """Queue a notice: *observer_path*.*method_name* must see *event_path*."""
        self._execute('INSERT INTO notice (event_path, observer_path, method_name) '
                      'VALUES (?, ?, ?)', (event_path, observer_path, method_name))

    def drop_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        """Remove a notice from the queue."""
        self._execute('DELETE FROM notice WHERE event_path=? AND observer_path=? '
                      'AND method_name=?', (event_path, observer_path, method_name))

    def notices(self, event_path: str | None = None) -> Iterator[tuple[str, str, str]]:
        """Yield queued notices ``(event_path, observer_path, method_name)`` in queue order.

        Only the notices of exactly *event_path* when it is given (``None`` or ``''``
        means all). The rows are read before the first one is yielded, so the caller may
        change the queue while iterating.
        """
        if not event_path:
            cursor = self._execute('SELECT event_path, observer_path, method_name '
                                   'FROM notice ORDER BY sequence')
        else:
            cursor = self._execute('SELECT event_path, observer_path, method_name '
                                   'FROM notice WHERE event_path=? ORDER BY sequence',
                                   (event_path,))
        yield from cursor.fetchall()

    # -- key-value store ---------------------------------------------------------------

    def kv_get(self, key: str, default: Any = None) -> Any:
        """Return the value stored under *key* in the key-value store, or *default*."""
        row = self._execute('SELECT data FROM kv WHERE key=?', (key,)).fetchone()
        return default if row is None else self._decode(row[0], f'kv key {key!r}')

    def kv_set(self, key: str, value: Any) -> None:
        """Store *value* (JSON-encodable) under *key*."""
        text = _codec.encode(value, where=f'kv key {key!r}')
        self._execute('REPLACE INTO kv VALUES (?, ?)', (key, text))

    def kv_set_text(self, key: str, text: str) -> None:
        """Store JSON *text* already made by :func:`reactops._private.codec.encode` under *key*."""
        self._execute('REPLACE INTO kv VALUES (?, ?)', (key, text))

    def kv_delete(self, key: str) -> None:
        """Remove *key* from the key-value store (no error if absent)."""
        self._execute('DELETE FROM kv WHERE key=?', (key,))

    def kv_items(self, prefix: str = '') -> Iterator[tuple[str, Any]]:
        """Yield ``(key, value)`` for every key starting with *prefix*, sorted by key."""
        rows = self._execute('SELECT key, data FROM kv WHERE substr(key, 1, ?) = ? '
                             'ORDER BY key', (len(prefix), prefix)).fetchall()
        for key, data in rows:
            yield key, self._decode(data, f'kv key {key!r}')

    # -- internals ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StateStoreError(f'state file {self._filename} is closed')

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        self._check_open()
        try:
            return self._db.execute(sql, params)
        except sqlite3.OperationalError as e:
            if 'locked' in str(e) or 'busy' in str(e):
                raise StateStoreLockedError(
                    f'state file {self._filename} is locked by another process '
                    f'(another hook or juju-exec still running?): {e}') from e
            raise self._failure(e) from e
        except sqlite3.DatabaseError as e:
            raise self._failure(e) from e

    def _failure(self, error: Exception) -> StateStoreError:
        """The error to raise for *error*: corruption only when SQLite says the file is
        damaged; a full disk, a size limit or a read-only file says so instead."""
        cause = _failure_cause(error, self._filename)
        if cause is None:
            return self._corrupt(error)
        return StateStoreError(
            f'cannot use state file {self._filename}: {cause} ({error}). The state in it is '
            f"unchanged (this dispatch's changes are rolled back, and Juju retries a failed "
            f'hook): do not move or delete the file, fix the cause')

    def _corrupt(self, error: Exception) -> StateStoreError:
        return StateStoreCorruptError(
            f'state file {self._filename} cannot be read ({error}); it is not a reactops, '
            'ops or charmhelpers state database, or it is damaged. reactops does not reset '
            "it, since it holds the unit's state: inspect it, or move it away to start afresh")

    def _decode(self, data: str | bytes, what: str) -> Any:
        if isinstance(data, bytes) and data[:1] == b'\x80':
            raise StateStoreCorruptError(
                f'{what} in {self._filename} was written by ops with pickle, which reactops '
                'never loads; drop that snapshot (or the file) to start this state afresh')
        try:
            return _codec.decode(data)
        except ValueError as e:
            raise StateStoreCorruptError(
                f'{what} in state file {self._filename} is not valid reactops JSON: {e}') from e

    def _schema_version(self, value: object) -> int:
        """The stored schema version: a whole number, else the file is damaged."""
        if isinstance(value, int) or (isinstance(value, str) and value.isascii()
                                      and value.isdigit() and len(value) < 10):
            return int(value)
        raise StateStoreCorruptError(
            f'state file {self._filename} has the schema version {str(value)[:40]!r}, which '
            'is not a whole number: the file is damaged or was written by something else. '
            "reactops does not reset it, since it holds the unit's state: inspect it, or "
            'move it away to start afresh')

    def _begin(self) -> None:
        # IMMEDIATE takes the write lock now, so two processes never interleave a dispatch.
        self._execute('BEGIN IMMEDIATE')

    def _setup_schema(self) -> None:
        tables = {row[0] for row in self._execute(
            "SELECT name FROM sqlite_master WHERE type='table'").fetchall()}
        if 'reactops_meta' in tables:
            row = self._execute(
                "SELECT value FROM reactops_meta WHERE key='schema_version'").fetchone()
            version = self._schema_version(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StateStoreVersionError(
                    f'state file {self._filename} has schema version {version}, written by '
                    f'a newer reactops; this one reads up to version {SCHEMA_VERSION}. '
                    'Upgrade reactops in the charm, or downgrade by restoring a backup')
            if version == SCHEMA_VERSION:
                return
        elif tables - {'sqlite_sequence'} and not (
                _OPS_TABLES <= tables or _CHARMHELPERS_TABLES <= tables):
            raise StateStoreCorruptError(
                f'state file {self._filename} is a SQLite database but not a reactops, ops '
                f'or charmhelpers state store (its tables: {", ".join(sorted(tables))}); '
                'reactops will not change it: point the charm at another file, or move it')
        if 'reactops_meta' not in tables and _OPS_TABLES <= tables:
            # A unit that ran ops: its pickled snapshots become JSON in this transaction.
            from ._private.opsstate import carry_over

            carry_over(self._execute, self._filename)
        for statement in _SCHEMA:
            self._execute(statement)
        self._execute("REPLACE INTO reactops_meta VALUES ('schema_version', ?)",
                      (str(SCHEMA_VERSION),))


class JujuStorage:
    """The framework's snapshots and notices kept by Juju (``state-get``/``state-set``).

    Meant for podspec Kubernetes charms, whose local files do not survive the pod; Juju
    applies the writes only when the hook succeeds, so :meth:`commit` and :meth:`close`
    have nothing to do. The notice queue is one list under :attr:`NOTICE_KEY`. Values are
    YAML (plain data and tuples). ops deprecates this store, and so does reactops.
    """

    NOTICE_KEY = '#notices#'

    def __init__(self, backend: JujuStateBackend | None = None):
        if backend is None:
            from ._private.jujustate import JujuStateBackend

            backend = JujuStateBackend()
        self._backend = backend

    def close(self) -> None:
        """Nothing to close: Juju holds the state."""

    def commit(self) -> None:
        """Nothing to commit: Juju keeps the hook's writes only if the hook succeeds."""

    def save_snapshot(self, handle_path: str, snapshot_data: Any) -> None:
        """Store *snapshot_data* (plain data) under *handle_path*."""
        self._backend.set(handle_path, snapshot_data)

    def load_snapshot(self, handle_path: str) -> Any:
        """Return the data under *handle_path*; raise :class:`NoSnapshotError`."""
        try:
            return self._backend.get(handle_path)
        except KeyError:
            raise NoSnapshotError(handle_path) from None

    def drop_snapshot(self, handle_path: str) -> None:
        """Forget the snapshot under *handle_path* (no error if there is none)."""
        self._backend.delete(handle_path)

    def save_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        """Append a notice to the queue."""
        queue = self._load_notices()
        queue.append((event_path, observer_path, method_name))
        self._backend.set(self.NOTICE_KEY, queue)

    def drop_notice(self, event_path: str, observer_path: str, method_name: str) -> None:
        """Remove a notice from the queue (:class:`ValueError` if it is not queued)."""
        queue = self._load_notices()
        queue.remove((event_path, observer_path, method_name))
        self._backend.set(self.NOTICE_KEY, queue)

    def notices(self, event_path: str | None = None) -> Iterator[tuple[str, str, str]]:
        """Yield the queued notices, only those of exactly *event_path* when given."""
        for notice in self._load_notices():
            if not event_path or notice[0] == event_path:
                yield notice

    def _load_notices(self) -> list[tuple[str, str, str]]:
        try:
            stored = self._backend.get(self.NOTICE_KEY)
        except KeyError:
            return []
        return [(str(e), str(o), str(m)) for e, o, m in stored or ()]


def juju_backend_available() -> bool:
    """Whether Juju's state hook tools (``state-get``) are on ``PATH``."""
    import shutil

    return shutil.which('state-get') is not None


# ops' names for the YAML pieces behind JujuStorage; built on first use (they need yaml).
_JUJU_STATE_NAMES = {'_JujuStorageBackend': 'JujuStateBackend', '_SimpleLoader': 'StateLoader',
                     '_SimpleDumper': 'StateDumper'}


def __getattr__(name: str) -> Any:
    target = _JUJU_STATE_NAMES.get(name)
    if target is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    from ._private import jujustate

    return getattr(jujustate, target)


def _lock_timeout_seconds(cls: type[SQLiteStorage]) -> float:
    """The class's lock timeout in seconds, without importing datetime when unchanged."""
    for klass in cls.__mro__:
        value = klass.__dict__.get('DB_LOCK_TIMEOUT')
        if isinstance(value, _LockTimeout):
            return value.seconds
        if value is not None:
            return float(value.total_seconds())
    return 300.0


def _failure_cause(error: Exception, filename: str) -> str | None:
    """What stopped SQLite, in words, when the file is not at fault; ``None`` when SQLite
    says the file itself is damaged (or the error is not one of the known causes)."""
    text = str(error).lower()
    name = str(getattr(error, 'sqlite_errorname', ''))  # Python 3.11+; else the text
    if name.startswith(('SQLITE_CORRUPT', 'SQLITE_NOTADB')) or 'malformed' in text:
        return None
    if name.startswith('SQLITE_FULL') or 'database or disk is full' in text:
        return _space_cause(filename) or 'the disk (or the temporary directory) is full'
    if name.startswith('SQLITE_READONLY') or 'readonly database' in text:
        return ('the file or its directory is read-only (a read-only mount, or no write '
                'permission)')
    if name.startswith('SQLITE_CANTOPEN') or 'unable to open' in text:
        return _space_cause(filename) or (
            'it or its journal cannot be opened (a directory missing, read-only or not '
            'writable?)')
    if name.startswith('SQLITE_PERM') or 'access permission denied' in text:
        return 'permission denied'
    if name.startswith('SQLITE_IOERR') or 'disk i/o error' in text:
        return _space_cause(filename) or 'the filesystem failed a read or a write'
    return None


def _space_cause(filename: str) -> str | None:
    """Whether this process's file-size limit or a full disk explains a failed write."""
    import resource  # only on this error path

    sizes: list[int] = []
    for name in (filename, f'{filename}-journal', f'{filename}-wal'):
        try:
            sizes.append(os.stat(name).st_size)
        except OSError:
            pass
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and max(sizes, default=0) + 65536 >= soft:
        return (f"this process's file-size limit (ulimit -f, RLIMIT_FSIZE: {soft} bytes) is "
                'reached')
    try:
        fs = os.statvfs(os.path.dirname(os.path.abspath(filename)))
    except OSError:
        return None
    free = fs.f_bavail * fs.f_frsize
    if free < 1024 * 1024 or (fs.f_favail == 0 and fs.f_files):
        return f'the disk is full ({free} bytes free)'
    return None


def _prepare_file(path: str) -> None:
    """Create the state file 0600, or check an existing one is safe to use.

    A symbolic link is refused before anything is done to it or to what it points at, and
    the checks go through one descriptor opened without following links, so the file
    checked is the file changed. As in ops, a mode that cannot be set (or a file that
    appears between the check and the creation) is a :class:`RuntimeError`.
    """
    if os.path.islink(path):  # also a dangling one: nothing may be created through it
        _refuse_link(path)
    if not os.path.exists(path):
        _create(path)
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if os.path.islink(path):  # ELOOP: replaced by a link since the check
            _refuse_link(path)
        raise StateStoreError(f'cannot open state file {path}: {e.strerror}') from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise StateStoreError(f'state file {path} is not a regular file; reactops '
                                  'will not use it: point the charm at a file')
        mode = info.st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise StateStoreError(
                f'state file {path} is writable by group or others (mode '
                f'{stat.S_IMODE(mode):04o}); anyone who can write it controls the charm. '
                f'Fix it with: chmod 600 {path}')
        if stat.S_IMODE(mode) != 0o600:
            try:
                os.chmod(fd, 0o600)  # the file opened, never what a link points at
            except OSError as e:
                raise _StatePermissionError(
                    f'cannot make state file {path} private (chmod 600): {e}') from e
    finally:
        os.close(fd)


def _refuse_link(path: str) -> None:
    raise StateStoreError(
        f'state file {path} is a symbolic link (to {os.readlink(path)}); reactops does not '
        "follow it, since a link could point the unit's state, and the chmod that keeps it "
        'private, at any file. Nothing was changed: replace the link with the file itself')


def _create(path: str) -> None:
    from ._private.lazylog import get_logger

    get_logger(__name__).debug('Initializing SQLite local storage: %s.', path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as e:
        raise _StatePermissionError(f'cannot create state file {path} with mode 0600: {e}') from e
    os.close(fd)
