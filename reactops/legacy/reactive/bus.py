"""``charms.reactive.bus`` under reactops.

The flag functions charms.reactive re-exported here (``get_states``, ``set_state`` and
friends) work. The dispatch machinery itself (``discover``, ``dispatch``, ``Handler``,
``FlagWatch``) is reactops' own and is run by :func:`reactops.legacy.main`; calling
``discover()`` or ``dispatch()`` from charm code is an error that says so.
"""

from __future__ import annotations

from typing import Any, NoReturn

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

__all__ = ['State', 'StateList', 'discover', 'dispatch', 'get_state', 'get_states',
           'remove_state', 'set_state']


def get_states() -> dict[str, Any]:
    """Every set flag with its value."""
    from ...reactive._runtime import current

    runtime = current()
    return {flag: _get_flag_value(flag) for flag in runtime.names()}


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
    raise unsupported('charms.reactive.bus', name)
