"""In-place upgrade from charms.reactive: carry its memory keys over to reactops' form.

Most of charms.reactive's state store is reactops' layout already (flags, data_changed
hashes, conversations, departed units, kv data), so it is read as it is. Two kinds of key
differ, because reactops names handlers by a path relative to the charm directory while
charms.reactive used the absolute path of the handler's file:

* ``@only_once``: ``reactive.invoked.<absolute file>:<line>:<name>`` becomes
  ``reactive.invoked.<relative file>:<line>:<name>``, so a handler that ran before the
  upgrade does not run again;
* ``@when_file_changed``: charms.reactive kept one hash per file
  (``reactive.files_changed.<file>``); reactops remembers what each handler saw, so each
  watching handler starts from the hash charms.reactive last stored, and fires only when
  the file changes after the upgrade.

The mapping runs in the first dispatch whose store has charms.reactive's keys and none of
reactops' upgrade marker; it is part of that dispatch's transaction (kept only if it
succeeds). charms.reactive's bookkeeping keys that mean nothing to reactops
(``reactive.dispatch.*``, ``reactive.state_watch``, trigger records) are removed then.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..storage import SQLiteStorage

__all__ = ['MARKER_KEY', 'map_legacy_keys', 'needs_upgrade']

#: Set once the store's charms.reactive keys were mapped.
MARKER_KEY = 'reactops.legacy.upgraded'
_INVOKED = 'reactive.invoked.'
_FILES = 'reactive.files_changed.'
_SEEN = 'reactops.files_seen.'
_OBSOLETE = ('reactive.dispatch.', 'reactive.state_watch', 'reactive.flag_set_triggers.',
             'reactive.flag_clear_triggers.', 'reactive.flag_triggers.')
# Where a charm's handler files live, to recognise them under another charm directory.
_ROOTS = ('reactive/', 'hooks/reactive/', 'hooks/relations/')


def needs_upgrade(storage: SQLiteStorage) -> bool:
    """Whether the store holds charms.reactive keys not yet mapped."""
    if storage.kv_get(MARKER_KEY) is not None:
        return False
    return any(True for _ in storage.kv_items('reactive.'))


def relative_handler_id(legacy_id: str, charm_dir: Path) -> str | None:
    """reactops' id for charms.reactive's absolute ``<file>:<line>:<name>`` id, or None
    when the file is not one of the charm's handler files."""
    parts = legacy_id.rsplit(':', 2)
    if len(parts) != 3 or not os.path.isabs(parts[0]):
        return None
    path, line, name = parts
    root = str(charm_dir).rstrip('/') + '/'
    if path.startswith(root):
        return f'{path[len(root):]}:{line}:{name}'
    # The unit's charm directory moved (or the state file was copied): find the handler
    # root in the path instead.
    for marker in _ROOTS:
        index = path.rfind('/' + marker)
        if index >= 0:
            return f'{path[index + 1:]}:{line}:{name}'
    return None


def map_legacy_keys(storage: SQLiteStorage, charm_dir: Path,
                    file_watchers: Iterable[tuple[str, Iterable[str]]] = ()) -> dict[str, Any]:
    """Map charms.reactive's keys in *storage* (see the module docstring) and return what
    was done: ``{'invoked': [...], 'files': [...], 'removed': n}``.

    *file_watchers* gives each ``@when_file_changed`` handler's id and file names.
    """
    done: dict[str, Any] = {'invoked': [], 'files': [], 'removed': 0}
    for key, value in list(storage.kv_items(_INVOKED)):
        new_id = relative_handler_id(key[len(_INVOKED):], charm_dir)
        if new_id is not None:
            storage.kv_set(_INVOKED + new_id, value)
            storage.kv_delete(key)
            done['invoked'].append(new_id)
    for handler_id, files in file_watchers:
        for name in files:
            seen_key = f'{_SEEN}{handler_id}:{name}'
            stored = storage.kv_get(_FILES + name, _MISSING)
            if stored is not _MISSING and storage.kv_get(seen_key, _MISSING) is _MISSING:
                storage.kv_set(seen_key, stored)
                done['files'].append(seen_key)
    for prefix in _OBSOLETE:
        for key, _ in list(storage.kv_items(prefix)):
            storage.kv_delete(key)
            done['removed'] += 1
    storage.kv_set(MARKER_KEY, True)
    return done


_MISSING: Any = object()
