"""Change detection for handlers: ``data_changed``, ``any_file_changed`` and friends.

The hashes live in the state store. ``data_changed`` and ``any_file_changed`` use the keys
charms.reactive used (``reactive.data_changed.<id>``, ``reactive.files_changed.<file>``),
so a charm upgraded in place does not see that data as changed again. Two differ: the
``@when_file_changed`` predicate remembers what each handler saw
(``reactops.files_seen.<handler>:<file>``), and ``@only_once`` keys on a handler id
relative to the charm directory (``reactive.invoked.<id>``); after an in-place upgrade
from charms.reactive, such handlers run once more. Like flags, everything is kept only
when the dispatch succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._private import fastjson
from .._private.typing import TYPE_CHECKING
from ._runtime import current

if TYPE_CHECKING:
    from typing import Any

    from ._runtime import ReactiveRuntime

__all__ = ['any_file_changed', 'data_changed', 'is_data_changed', 'mark_invoked',
           'was_invoked']

_DATA_KEY = 'reactive.data_changed.'
_FILE_KEY = 'reactive.files_changed.'
_HANDLER_FILE_KEY = 'reactops.files_seen.'
_INVOKED_KEY = 'reactive.invoked.'
_ABSENT = object()  # no row (a missing file's hash is None, and is stored)


def _data_hash(data: Any, hash_type: str) -> str:
    try:
        # json.dumps' default separators, as charms.reactive hashed: the same hashes.
        text = fastjson.dumps(data, sort_keys=True, separators=(', ', ': '))
    except TypeError as e:
        raise TypeError(f'data_changed needs JSON-serialisable data: {e}') from None
    return _hexdigest(hash_type, text.encode('utf-8'))


def _hexdigest(hash_type: str, data: bytes) -> str:
    """The *hash_type* digest of *data*, in hex (as ``hashlib.new(hash_type, data)``).

    MD5, the default, comes from CPython's built-in ``_md5`` where there is one: importing
    ``hashlib`` loads OpenSSL, about 3 ms of a hook that compares relation data.
    """
    if hash_type == 'md5':
        try:
            from _md5 import md5  # type: ignore[import-not-found]
        except ImportError:  # a Python built without its own MD5: OpenSSL's is the same
            pass
        else:
            digest: str = md5(data).hexdigest()
            return digest
    import hashlib

    return hashlib.new(hash_type, data).hexdigest()


def data_changed(data_id: str, data: Any, hash_type: str = 'md5') -> bool:
    """Whether *data* differs from what was last given for *data_id* (True the first
    time); remembers it. Dicts compare by content, whatever their key order."""
    storage = current().storage
    new = _data_hash(data, hash_type)
    changed: bool = storage.kv_get(_DATA_KEY + data_id) != new
    if changed:
        storage.kv_set(_DATA_KEY + data_id, new)
    return changed


def is_data_changed(data_id: str, data: Any, hash_type: str = 'md5') -> bool:
    """Like :func:`data_changed`, without remembering *data*."""
    stored: object = current().storage.kv_get(_DATA_KEY + data_id)
    return stored != _data_hash(data, hash_type)


def _file_hash(path: str, hash_type: str) -> str | None:
    try:
        with open(path, 'rb') as f:
            return _hexdigest(hash_type, f.read())
    except FileNotFoundError:
        return None


def _name(file: str | Callable[[], str]) -> str:
    return str(file()) if callable(file) else file


def any_file_changed(filenames: Iterable[str | Callable[[], str]],
                     hash_type: str = 'md5') -> bool:
    """Whether any file changed since the last call for it; remembers every file's hash.

    A missing file hashes as ``None``; names may be callables returning a name.
    """
    storage = current().storage
    changed = False
    for file in filenames:
        name = _name(file)
        new = _file_hash(name, hash_type)
        if storage.kv_get(_FILE_KEY + name) != new:
            storage.kv_set(_FILE_KEY + name, new)
            changed = True
    return changed


def was_invoked(invocation_id: str) -> bool:
    """Whether :func:`mark_invoked` was called for this id on this unit."""
    return bool(current().storage.kv_get(_INVOKED_KEY + invocation_id, False))


def mark_invoked(invocation_id: str) -> None:
    """Remember that *invocation_id* ran (``@only_once`` uses the handler's id)."""
    storage = current().storage
    if storage.kv_get(_INVOKED_KEY + invocation_id) is not True:
        storage.kv_set(_INVOKED_KEY + invocation_id, True)


class _FileChanges:
    """Per dispatch: each file hashed once; each handler sees each change once."""

    def __init__(self, runtime: ReactiveRuntime):
        self._storage = runtime.storage
        self._hashes: dict[tuple[str, str], str | None] = {}

    def _hash(self, name: str, hash_type: str) -> str | None:
        key = (name, hash_type)
        if key not in self._hashes:
            self._hashes[key] = _file_hash(name, hash_type)
        return self._hashes[key]

    def pending_for(self, handler_id: str, files: Iterable[str | Callable[[], str]],
                    hash_type: str) -> bool:
        """Whether a file changed since *handler_id* last ran on it."""
        return any(
            self._storage.kv_get(f'{_HANDLER_FILE_KEY}{handler_id}:{name}') !=
            self._hash(name, hash_type)
            for name in map(_name, files))

    def consume(self, handler_id: str, files: Iterable[str | Callable[[], str]],
                hash_type: str = 'md5') -> None:
        """Record that *handler_id* ran on the files as they are now (a file whose hash
        the store already holds is not written again)."""
        for name in map(_name, files):
            key, new = f'{_HANDLER_FILE_KEY}{handler_id}:{name}', self._hash(name, hash_type)
            if self._storage.kv_get(key, _ABSENT) != new:
                self._storage.kv_set(key, new)


def _file_changes(runtime: ReactiveRuntime) -> _FileChanges:
    changes = getattr(runtime, '_file_changes', None)
    if changes is None:
        changes = _FileChanges(runtime)
        runtime._file_changes = changes  # type: ignore[attr-defined]
    return changes
