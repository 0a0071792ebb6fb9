"""reactops: write Juju charms as ops-style observers, reactive flag handlers, or both.

The names charm authors use are available here; everything else is reached through its
module (:mod:`reactops.framework`, :mod:`reactops.storage`, ...). Names are loaded on first
use, so ``import reactops`` costs almost nothing in a hook that needs little of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = '0.1.0.dev0'

# name -> module that defines it, loaded on first access.
_EXPORTS: dict[str, str] = {
    # the event core
    'BoundEvent': 'framework',
    'CommitEvent': 'framework',
    'EventBase': 'framework',
    'EventSource': 'framework',
    'Framework': 'framework',
    'Handle': 'framework',
    'LifecycleEvent': 'framework',
    'Object': 'framework',
    'ObjectEvents': 'framework',
    'PreCommitEvent': 'framework',
    'StoredState': 'stored',
    'StoredDict': 'stored',
    'StoredList': 'stored',
    'StoredSet': 'stored',
    'SQLiteStorage': 'storage',
    # errors
    'ReactopsError': 'errors',
    'StateStoreError': 'errors',
    'ModelError': 'errors',
    'MetadataError': 'errors',
}

__all__ = [
    '__version__',
    'BoundEvent',
    'CommitEvent',
    'EventBase',
    'EventSource',
    'Framework',
    'Handle',
    'LifecycleEvent',
    'MetadataError',
    'ModelError',
    'Object',
    'ObjectEvents',
    'PreCommitEvent',
    'ReactopsError',
    'SQLiteStorage',
    'StateStoreError',
    'StoredDict',
    'StoredList',
    'StoredSet',
    'StoredState',
]

if TYPE_CHECKING:
    from .errors import MetadataError, ModelError, ReactopsError, StateStoreError
    from .framework import (
        BoundEvent,
        CommitEvent,
        EventBase,
        EventSource,
        Framework,
        Handle,
        LifecycleEvent,
        Object,
        ObjectEvents,
        PreCommitEvent,
    )
    from .storage import SQLiteStorage
    from .stored import StoredDict, StoredList, StoredSet, StoredState


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    value = getattr(importlib.import_module(f'.{module_name}', __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
