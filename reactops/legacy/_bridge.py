"""How an external handler's ``charms.reactive`` commands reach the running dispatch.

charms.reactive committed the state store before running an external handler, so the
handler's ``charms.reactive set_flag ...`` could write to it. reactops keeps one
transaction per dispatch, so instead the dispatch writes a *bridge file* (JSON, mode
0600, named by ``$REACTOPS_LEGACY_BRIDGE``) with the flags, the phase and the hook; the
CLI answers from it and appends what the handler changed; after the handler exits the
dispatch applies those changes to its own flags, in order (so triggers fire then). Outside
a dispatch (``juju exec -- charms.reactive set_flag x``) the CLI opens the state store
itself and commits.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ['BRIDGE_ENV', 'Bridge', 'StoreBridge', 'open_bridge']

BRIDGE_ENV = 'REACTOPS_LEGACY_BRIDGE'


class Bridge:
    """The flags and context an external handler sees, and the changes it makes."""

    def __init__(self, data: dict[str, Any], path: Path | None = None):
        self.data = data
        self.path = path

    @classmethod
    def create(cls, directory: Path, *, flags: dict[str, Any], phase: str, hook: str,
               invoked: list[str]) -> Bridge:
        """A new bridge file in *directory* for one run of an external handler."""
        fd, name = tempfile.mkstemp(prefix='bridge-', suffix='.json', dir=directory)
        os.close(fd)
        bridge = cls({'flags': dict(flags), 'phase': phase, 'hook': hook,
                      'invoked': list(invoked), 'ops': [], 'tested': []}, Path(name))
        bridge.save()
        return bridge

    @classmethod
    def load(cls, path: Path) -> Bridge:
        """The bridge file at *path*."""
        return cls(json.loads(path.read_text()), path)

    def save(self) -> None:
        """Write the bridge back to its file."""
        assert self.path is not None
        self.path.write_text(json.dumps(self.data))

    # -- what the CLI reads and changes ------------------------------------------------

    @property
    def flags(self) -> dict[str, Any]:
        flags: dict[str, Any] = self.data['flags']
        return flags

    @property
    def phase(self) -> str:
        return str(self.data['phase'])

    @property
    def hook(self) -> str:
        return str(self.data['hook'])

    def set_flag(self, flag: str, value: Any = None) -> None:
        self.flags[flag] = value
        self.data['ops'].append(['set', flag, value])

    def clear_flag(self, flag: str) -> None:
        self.flags.pop(flag, None)
        self.data['ops'].append(['clear', flag])

    def was_invoked(self, handler_id: str) -> bool:
        return handler_id in self.data['invoked']

    def mark_invoked(self, handler_id: str) -> None:
        self.data['invoked'].append(handler_id)
        self.data['ops'].append(['invoked', handler_id])

    def tested(self, flags: list[str]) -> None:
        """Record that the handler's ``--test`` read *flags* (the dispatch re-tests it
        when one of them changes)."""
        self.data['tested'].extend(f for f in flags if f not in self.data['tested'])

    def close(self) -> None:
        """Save the changes."""
        self.save()


class StoreBridge(Bridge):
    """The CLI outside a dispatch: reads and writes the unit's state store directly."""

    def __init__(self, state_file: str):
        from ..reactive._runtime import FLAG_PREFIX
        from ..storage import SQLiteStorage

        self.storage = SQLiteStorage(state_file)
        self._prefix = FLAG_PREFIX
        flags = {key[len(FLAG_PREFIX):]: value
                 for key, value in self.storage.kv_items(FLAG_PREFIX)}
        super().__init__({'flags': flags, 'phase': 'other',
                          'hook': os.environ.get('JUJU_HOOK_NAME', ''), 'invoked': [],
                          'ops': [], 'tested': []})

    def set_flag(self, flag: str, value: Any = None) -> None:
        super().set_flag(flag, value)
        self.storage.kv_set(self._prefix + flag, value)

    def clear_flag(self, flag: str) -> None:
        super().clear_flag(flag)
        self.storage.kv_delete(self._prefix + flag)

    def was_invoked(self, handler_id: str) -> bool:
        return bool(self.storage.kv_get(f'reactive.invoked.{handler_id}', False))

    def mark_invoked(self, handler_id: str) -> None:
        self.storage.kv_set(f'reactive.invoked.{handler_id}', True)

    def close(self) -> None:
        self.storage.commit()
        self.storage.close()


def open_bridge() -> Bridge:
    """The running dispatch's bridge, else the unit's state store."""
    path = os.environ.get(BRIDGE_ENV)
    if path:
        return Bridge.load(Path(path))
    state = os.environ.get('UNIT_STATE_DB')
    if not state:
        charm_dir = os.environ.get('JUJU_CHARM_DIR') or os.environ.get('CHARM_DIR')
        if not charm_dir:
            from ._errors import LegacyError

            raise LegacyError('charms.reactive: no CHARM_DIR (or UNIT_STATE_DB) in the '
                              'environment; run it in a hook or with `juju exec`')
        state = str(Path(charm_dir) / '.unit-state.db')
    return StoreBridge(state)
