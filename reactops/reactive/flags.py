"""Flags: named, persistent facts about the unit that handlers react to.

A flag is set or not, and may carry a JSON value. Flags persist in the unit's state store
across hooks, within the dispatch's transaction, so a failed hook keeps none of its flag
changes. The names are charms.reactive's, including the deprecated ``*_state`` aliases.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from .._private import jujurules
from .._private.typing import TYPE_CHECKING
from ..errors import HandlerDefinitionError
from ._runtime import Trigger, add_trigger, current

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    'all_flags_set', 'all_states', 'any_flags_set', 'any_states', 'clear_flag',
    'get_flag_value', 'get_flags', 'get_state', 'get_states', 'get_unset_flags',
    'is_flag_set', 'is_state', 'register_trigger', 'remove_state', 'set_flag', 'set_state',
    'toggle_flag', 'toggle_state',
]


def set_flag(flag: str, value: Any = None) -> None:
    """Set *flag*, optionally with a JSON *value* (setting it again replaces the value)."""
    current().set(flag, value)


def clear_flag(flag: str) -> None:
    """Clear *flag* (no error if it is not set)."""
    current().clear(flag)


def toggle_flag(flag: str, should_set: Any) -> None:
    """Set *flag* if *should_set* is truthy, else clear it."""
    if should_set:
        set_flag(flag)
    else:
        clear_flag(flag)


def is_flag_set(flag: str) -> bool:
    """Whether *flag* is set."""
    return current().is_set(flag)


def all_flags_set(*flags: str) -> bool:
    """Whether every one of *flags* is set (True for none)."""
    runtime = current()
    return all(runtime.is_set(flag) for flag in flags)


def any_flags_set(*flags: str) -> bool:
    """Whether at least one of *flags* is set (False for none)."""
    runtime = current()
    return any(runtime.is_set(flag) for flag in flags)


def get_flags() -> list[str]:
    """Every set flag, sorted."""
    return current().names()


def get_unset_flags(*flags: str) -> list[str]:
    """The ones of *flags* that are not set, sorted."""
    runtime = current()
    return sorted(flag for flag in flags if not runtime.is_set(flag))


def get_flag_value(flag: str, default: Any = None) -> Any:
    """The value *flag* was set with; *default* if unset or set without a value."""
    return current().value(flag, default)


def register_trigger(when: str | None = None, when_not: str | None = None,
                     set_flag: str | None = None, clear_flag: str | None = None,
                     callback: Callable[[], Any] | None = None) -> None:
    """When *when* becomes set (or *when_not* becomes unset), at once set *set_flag*,
    clear *clear_flag* and call *callback*.

    Triggers registered while a dispatch runs last for that dispatch; registered outside
    one (at module import), for every dispatch of the process.
    """
    if (when is None) == (when_not is None):
        raise HandlerDefinitionError(
            'register_trigger needs exactly one of when= or when_not= (the flag that fires it)')
    if set_flag is None and clear_flag is None and callback is None:
        raise HandlerDefinitionError(
            f'register_trigger(when={when!r}, when_not={when_not!r}) does nothing: give '
            'set_flag=, clear_flag= or callback=')
    if callback is not None and not callable(callback):
        raise HandlerDefinitionError(f'register_trigger: callback {callback!r} is not callable')
    for name, value in (('when', when), ('when_not', when_not), ('set_flag', set_flag),
                        ('clear_flag', clear_flag)):
        if value is not None and not jujurules.is_flag_name(value):
            raise HandlerDefinitionError(
                f'register_trigger: {name}= must be a flag name (a non-empty string), '
                f'got {value!r}')
    add_trigger(Trigger(
        flag=when if when is not None else str(when_not), on_set=when is not None,
        set_flags=[set_flag] if set_flag else [], clear_flags=[clear_flag] if clear_flag else [],
        callbacks=[callback] if callback else []))


# -- the deprecated "state" names of charms.reactive ----------------------------------------


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f'{old} is deprecated; use {new}', DeprecationWarning, stacklevel=3)


def set_state(state: str, value: Any = None) -> None:
    """Deprecated name of :func:`set_flag`."""
    _deprecated('set_state', 'set_flag')
    set_flag(state, value)


def remove_state(state: str) -> None:
    """Deprecated name of :func:`clear_flag`."""
    _deprecated('remove_state', 'clear_flag')
    clear_flag(state)


def toggle_state(state: str, should_set: Any) -> None:
    """Deprecated name of :func:`toggle_flag`."""
    _deprecated('toggle_state', 'toggle_flag')
    toggle_flag(state, should_set)


def is_state(state: str) -> bool:
    """Deprecated name of :func:`is_flag_set`."""
    _deprecated('is_state', 'is_flag_set')
    return is_flag_set(state)


def all_states(*states: str) -> bool:
    """Deprecated name of :func:`all_flags_set`."""
    _deprecated('all_states', 'all_flags_set')
    return all_flags_set(*states)


def any_states(*states: str) -> bool:
    """Deprecated name of :func:`any_flags_set`."""
    _deprecated('any_states', 'any_flags_set')
    return any_flags_set(*states)


def get_states() -> dict[str, Any]:
    """Deprecated: every set flag with its value (a dict, unlike :func:`get_flags`)."""
    _deprecated('get_states', 'get_flags')
    runtime = current()
    return {flag: runtime.value(flag) for flag in runtime.names()}


def get_state(state: str, default: Any = None) -> Any:
    """Deprecated name of :func:`get_flag_value`."""
    _deprecated('get_state', 'get_flag_value')
    return get_flag_value(state, default)
