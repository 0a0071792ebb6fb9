"""``charms.reactive.helpers`` under reactops: change detection and hook matching.

``data_changed`` and ``any_file_changed`` keep their hashes under charms.reactive's keys,
so data seen before an in-place upgrade is not seen as changed after it. The private
phase tests charms.reactive's own decorators used (``_hook``, ``_when_all``, ...) are kept
for layers that build decorators of their own on them; the phase is the running
dispatch's (:func:`dispatch_phase`), never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...reactive._runtime import current, is_dispatching
from ...reactive.flags import (
    all_flags_set,
    any_flags_set,
)
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
           'dispatch_phase', 'is_data_changed', 'is_state', 'mark_invoked', 'toggle_state',
           'was_invoked']

# The phase outside a dispatch: charms.reactive's store kept the last one there, which a
# finished dispatch always left at its main loop.
_IDLE_PHASE = 'other'


def dispatch_phase() -> str | None:
    """The phase of the running dispatch, in charms.reactive's words: ``hooks``,
    ``other`` (the main loop) or ``restricted``; ``None`` before its handlers start;
    ``other`` outside a dispatch."""
    if not is_dispatching():
        return _IDLE_PHASE
    recorder = current().recorder
    if recorder is None:
        return None
    if recorder.iteration in ('hooks', 'restricted'):
        return str(recorder.iteration)
    return 'other'


def any_hook(*hook_patterns: str) -> bool:
    """Whether the running hook matches one of the patterns (``{requires:pgsql}-relation-
    {joined,changed}`` forms included). Outside a dispatch the hook is
    ``hookenv.hook_name()``'s, as in charms.reactive."""
    from ...reactive.predicates import expand_hook_patterns

    runtime = current()
    dispatching = is_dispatching()
    if dispatching and runtime.hook_name:
        hook = runtime.hook_name
    else:
        from .. import hookenv

        hook = hookenv.hook_name()
    charm = runtime.charm if dispatching else None
    meta = charm.framework.meta if charm is not None else _charm_meta(hook_patterns)
    return hook in expand_hook_patterns(hook_patterns, meta)


def _charm_meta(patterns: Iterable[str]) -> Any:
    """The charm's metadata when a pattern names a role and interface (else not read)."""
    if not any('{' in pattern and ':' in pattern for pattern in patterns):
        return None
    from ...meta import CharmMeta
    from .._session import charm_dir

    return CharmMeta.from_charm_root(charm_dir())


def _hook(hook_patterns: Iterable[str]) -> bool:
    return dispatch_phase() == 'hooks' and any_hook(*hook_patterns)


def _restricted_hook(hook_name: str) -> bool:
    from .. import hookenv

    return dispatch_phase() == 'restricted' and hookenv.hook_name() == hook_name


def _when_all(flags: Iterable[str]) -> bool:
    return dispatch_phase() == 'other' and all_flags_set(*flags)


def _when_any(flags: Iterable[str]) -> bool:
    return dispatch_phase() == 'other' and any_flags_set(*flags)


def _when_none(flags: Iterable[str]) -> bool:
    return dispatch_phase() == 'other' and not any_flags_set(*flags)


def _when_not_all(flags: Iterable[str]) -> bool:
    return dispatch_phase() == 'other' and not all_flags_set(*flags)


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.helpers', name)
