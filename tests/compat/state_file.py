"""What a unit's state file (``.unit-state.db``, charmhelpers' ``kv`` table) holds after a
step of a ``"main"`` scenario, read after the step's process has ended: what the next hook,
action or script of the unit would see.

Both frameworks keep flags and the charm's data in the same table, with the same keys, so
one reader serves both. Which keys count as the charm's own data is :func:`is_charm_key`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

FLAG_PREFIX = 'reactive.states.'
#: Kept although under ``reactive.``: a RelationBase conversation (its units, scope, and
#: what ``set_local`` stored) is data the charm's interface layer wrote.
CONVERSATION_PREFIX = 'reactive.conversations.'
#: Framework bookkeeping, left out of the comparison: charms.reactive's own keys
#: (``reactive.dispatch.*``, ``reactive.state_watch``, triggers, ``data_changed`` hashes,
#: ``@only_once`` and file-change records, an Endpoint's departed units) and reactops'
#: (``reactops.*``, e.g. the in-place upgrade marker). How each framework keeps its own
#: bookkeeping is not behaviour; the flags are compared on their own.
BOOKKEEPING_PREFIXES = ('reactive.', 'reactops.')


def is_charm_key(key: str) -> bool:
    """Whether *key* is data the charm (or its layers) stored through ``unitdata.kv()``."""
    return key.startswith(CONVERSATION_PREFIX) or not key.startswith(BOOKKEEPING_PREFIXES)


def _rows(path: Path) -> list[tuple[str, Any]]:
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    try:
        table = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='kv'"
                           ).fetchone()
        rows = db.execute('SELECT key, data FROM kv').fetchall() if table else []
    finally:
        db.close()
    return [(key, json.loads(data)) for key, data in sorted(rows)]


def committed(path: Path) -> dict[str, Any]:
    """``flags`` (sorted names), ``values`` (flags whose value is not null) and ``kv`` (the
    charm's keys, see :func:`is_charm_key`) as committed in the state file at *path*."""
    rows = _rows(path)
    flags = {key[len(FLAG_PREFIX):]: value for key, value in rows
             if key.startswith(FLAG_PREFIX)}
    names = sorted(flags)
    return {'flags': names,
            'values': {name: flags[name] for name in names if flags[name] is not None},
            'kv': {key: value for key, value in rows if is_charm_key(key)}}
