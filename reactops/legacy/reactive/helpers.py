"""``charms.reactive.helpers`` under reactops: change detection and hook matching.

``data_changed`` and ``any_file_changed`` keep their hashes under charms.reactive's keys,
so data seen before an in-place upgrade is not seen as changed after it.
"""

from __future__ import annotations

from typing import Any

from ...reactive._runtime import current
from ...reactive.flags import (
    all_flags_set as all_states,
)
from ...reactive.flags import (
    any_flags_set as any_states,
)
from ...reactive.flags import (
    is_flag_set as is_state,
)
from ...reactive.flags import (
    toggle_flag as toggle_state,
)
from ...reactive.helpers import (
    any_file_changed,
    data_changed,
    is_data_changed,
    mark_invoked,
    was_invoked,
)
from .._errors import unsupported

__all__ = ['all_states', 'any_file_changed', 'any_hook', 'any_states', 'data_changed',
           'is_data_changed', 'is_state', 'mark_invoked', 'toggle_state', 'was_invoked']


def any_hook(*hook_patterns: str) -> bool:
    """Whether the running hook matches one of the patterns (``{requires:pgsql}-relation-
    {joined,changed}`` forms included)."""
    from ...reactive.predicates import expand_hook_patterns

    runtime = current()
    charm = runtime.charm
    meta = charm.framework.meta if charm is not None else None
    return runtime.hook_name in expand_hook_patterns(hook_patterns, meta)


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.helpers', name)
