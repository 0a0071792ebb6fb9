"""``charms.reactive.flags`` under reactops: the flag functions, with charms.reactive's names.

The functions are reactops' own (:mod:`reactops.reactive.flags`); the ``State`` and
``StateList`` markers and ``_get_flag_value`` are kept for code that names them.
"""

from __future__ import annotations

from typing import Any

from ...reactive.flags import (
    all_flags_set,
    all_states,
    any_flags_set,
    any_states,
    clear_flag,
    get_flag_value,
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
    'State', 'StateList', 'all_flags_set', 'all_states', 'any_flags_set', 'any_states',
    'clear_flag', 'get_flags', 'get_state', 'get_states', 'get_unset_flags', 'is_flag_set',
    'is_state', 'register_trigger', 'remove_state', 'set_flag', 'set_state', 'toggle_flag',
    'toggle_state',
]


class State(str):
    """A flag name declared in a ``StateList`` (documentation only, as in charms.reactive)."""


class StateList:
    """A class whose attributes are flag names (documentation only)."""


def _get_flag_value(flag: str, default: Any = None) -> Any:
    """The raw value of *flag* (charms.reactive's private name, used by some layers)."""
    return get_flag_value(flag, default)


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.flags', name)
