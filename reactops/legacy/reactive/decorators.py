"""``charms.reactive.decorators`` under reactops: the handler decorators (reactops' own),
and ``not_unless``, which warns through ``hookenv.log`` as charms.reactive did."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ...reactive.decorators import (
    collect_metrics,
    hook,
    meter_status_changed,
    only_once,
    when,
    when_all,
    when_any,
    when_file_changed,
    when_none,
    when_not,
    when_not_all,
)
from ...reactive.flags import get_unset_flags
from .._errors import unsupported

__all__ = [
    'collect_metrics', 'hook', 'meter_status_changed', 'not_unless', 'only_once', 'when',
    'when_all', 'when_any', 'when_file_changed', 'when_none', 'when_not', 'when_not_all',
]

_F = TypeVar('_F', bound=Callable[..., Any])


def not_unless(*desired_flags: str) -> Callable[[_F], _F]:
    """Not a handler: when the function is called before every one of *desired_flags* is
    set, write a warning to the unit's log (``hookenv.log``) naming it and the missing
    flags; the function runs anyway."""
    def decorate(func: _F) -> _F:
        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            unset = set(get_unset_flags(*desired_flags))
            missing = [flag for flag in desired_flags if flag in unset]
            if missing:
                from .. import hookenv
                from ._bus_handlers import _short_action_id

                plural = 's' if len(missing) > 1 else ''
                hookenv.log(f'{_short_action_id(func)} called before flag{plural}: '
                            f'{", ".join(missing)}', hookenv.WARNING)
            return func(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.decorators', name)
