"""``charms.reactive.flags`` under reactops: the flag functions, with charms.reactive's names.

The functions are reactops' own (:mod:`reactops.reactive.flags`); the ``State`` and
``StateList`` markers, ``TRIGGER_CALLBACKS`` and ``_get_flag_value`` are kept for code that
names them. Outside a dispatch, once the shim is installed, they work on the unit's state
file (see :mod:`reactops.legacy._standalone`), as charms.reactive's did through
``unitdata.kv()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ...reactive.flags import (
    all_flags_set,
    all_states,
    any_flags_set,
    any_states,
    clear_flag,
    get_flags,
    get_state,
    get_states,
    get_unset_flags,
    is_flag_set,
    is_state,
    register_trigger,
    remove_state,
    set_flag,
    set_state,
    toggle_flag,
    toggle_state,
)
from .._errors import unsupported

__all__ = [
    'TRIGGER_CALLBACKS', 'State', 'StateList', 'all_flags_set', 'all_states',
    'any_flags_set', 'any_states', 'clear_flag', 'get_flags', 'get_state', 'get_states',
    'get_unset_flags', 'is_flag_set', 'is_state', 'register_trigger', 'remove_state',
    'set_flag', 'set_state', 'toggle_flag', 'toggle_state',
]


class State(str):
    """A flag name declared in a ``StateList`` (documentation only, as in charms.reactive)."""


class StateList:
    """A class whose attributes are flag names (documentation only)."""


class _TriggerCallbacks(Mapping[str, list[Callable[[], Any]]]):
    """The callbacks of the registered triggers, under charms.reactive's keys
    (``reactive.flag_set_triggers.<flag>``, ``reactive.flag_clear_triggers.<flag>``).

    A read-only view of the running runtime's triggers: register one with
    ``register_trigger(..., callback=...)``.
    """

    _PREFIXES = {True: 'reactive.flag_set_triggers.', False: 'reactive.flag_clear_triggers.'}

    def _callbacks(self) -> dict[str, list[Callable[[], Any]]]:
        from ...reactive._runtime import current

        found: dict[str, list[Callable[[], Any]]] = {}
        for (flag, on_set), triggers in current()._triggers.items():
            callbacks = [c for t in triggers for c in t.callbacks]
            if callbacks:
                found[self._PREFIXES[on_set] + flag] = callbacks
        return found

    def __getitem__(self, key: str) -> list[Callable[[], Any]]:
        return self._callbacks()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._callbacks())

    def __len__(self) -> int:
        return len(self._callbacks())

    def __repr__(self) -> str:
        return f'TRIGGER_CALLBACKS({self._callbacks()!r})'


TRIGGER_CALLBACKS: Mapping[str, list[Callable[[], Any]]] = _TriggerCallbacks()
"""The trigger callbacks by charms.reactive's kv keys (read-only)."""


def _get_flag_value(flag: str, default: Any = None) -> Any:
    """The raw value of *flag* (charms.reactive's private name, used by some layers):
    *default* only when the flag is unset, ``None`` when it was set without a value."""
    from ...reactive._runtime import current

    runtime = current()
    return runtime.flags.get(flag) if runtime.is_set(flag) else default


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.flags', name)
