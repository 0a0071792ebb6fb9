"""``charms.reactive.bus`` under reactops.

The flag functions charms.reactive re-exported here (``get_states``, ``set_state`` and
friends) work, and so do its handler classes (``Handler``, ``ExternalHandler``,
``FlagWatch``, ``BrokenHandlerException``: :mod:`._bus_handlers`, loaded when first
named). The dispatch itself is reactops' own and is run by :func:`reactops.legacy.main`:
calling ``discover()`` or ``dispatch()`` from charm code is an error that says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from ...reactive.flags import (
    clear_flag as remove_state,
)
from ...reactive.flags import (
    get_flag_value as get_state,
)
from ...reactive.flags import (
    set_flag as set_state,
)
from .._errors import LegacyError, unsupported
from .flags import State, StateList, _get_flag_value
from .trace import tracer

if TYPE_CHECKING:
    from ._bus_handlers import BrokenHandlerException, ExternalHandler, FlagWatch, Handler

__all__ = ['LOG_OPTS', 'BrokenHandlerException', 'ExternalHandler', 'FlagWatch', 'Handler',
           'State', 'StateList', 'discover', 'dispatch', 'get_state', 'get_states',
           'remove_state', 'set_state', 'tracer']

_HANDLER_CLASSES = ('BrokenHandlerException', 'ExternalHandler', 'FlagWatch', 'Handler')

#: charms.reactive's logging switches, from ``$REACTIVE_LOG_OPTS`` (``register``: log each
#: handler registration). reactops logs what its dispatch does in its own record.
LOG_OPTS: dict[str, bool] = {
    'register': 'register' in os.environ.get('REACTIVE_LOG_OPTS', '').split(','),
}


def get_states() -> dict[str, Any]:
    """Every set flag with its value."""
    from ...reactive._runtime import current

    runtime = current()
    return {flag: _get_flag_value(flag) for flag in runtime.names()}


def _action_id(action: Callable[..., Any], suffix: str | None = None) -> str:
    """charms.reactive's key of a handler (its file, line and name), which layers' own
    decorators use."""
    from ._bus_handlers import _action_id as action_id

    return action_id(action, suffix)


def _short_action_id(action: Callable[..., Any], suffix: str | None = None) -> str:
    """The id charms.reactive logged a handler by (its file relative to the charm)."""
    from ._bus_handlers import _short_action_id as short_action_id

    return short_action_id(action, suffix)


def _not_here(what: str) -> NoReturn:
    raise LegacyError(
        f'charms.reactive.bus.{what}() is run by reactops itself: call '
        f'reactops.legacy.main() (or charms.reactive.main()) from the hook instead')


def discover() -> None:
    """Not available: :func:`reactops.legacy.main` discovers the handlers."""
    _not_here('discover')


def dispatch(restricted: bool = False) -> None:
    """Not available: :func:`reactops.legacy.main` runs the dispatch."""
    _not_here('dispatch')


def __getattr__(name: str) -> Any:
    if name in _HANDLER_CLASSES:
        from . import _bus_handlers

        value = getattr(_bus_handlers, name)
        globals()[name] = value
        return value
    raise unsupported('charms.reactive.bus', name)
