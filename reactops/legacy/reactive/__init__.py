"""``charms.reactive`` as reactops provides it (see :mod:`reactops.legacy`).

Every top-level name of charms.reactive 1.5.3 is here, bound to reactops: the flag
functions, the decorators, ``Endpoint`` and ``RelationBase``, the helpers, the
request/response pattern and ``main``. The submodules ``bus``, ``flags``, ``decorators``,
``helpers``, ``relations``, ``endpoints``, ``trace`` and ``patterns`` exist too, with
charms.reactive's deprecated aliases on ``bus`` and ``helpers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import hookenv, unitdata
from . import bus, decorators, endpoints, flags, helpers, relations, trace
from .decorators import (
    collect_metrics,
    hook,
    meter_status_changed,
    not_unless,
    only_once,
    when,
    when_all,
    when_any,
    when_file_changed,
    when_none,
    when_not,
    when_not_all,
)
from .endpoints import Endpoint
from .flags import (
    all_flags_set,
    all_states,
    any_flags_set,
    any_states,
    clear_flag,
    get_flags,
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
from .helpers import any_file_changed, data_changed, is_data_changed
from .relations import (
    RelationBase,
    endpoint_from_flag,
    endpoint_from_name,
    relation_from_flag,
    relation_from_state,
    scopes,
)

__all__ = [
    'BaseRequest', 'BaseResponse', 'Endpoint', 'Field', 'RelationBase',
    'RequesterEndpoint', 'ResponderEndpoint', 'all_flags_set', 'all_states',
    'any_file_changed', 'any_flags_set', 'any_states', 'bus', 'clear_flag',
    'collect_metrics', 'data_changed', 'decorators', 'endpoint_from_flag',
    'endpoint_from_name', 'endpoints', 'flags', 'get_flags', 'get_states',
    'get_unset_flags', 'helpers', 'hook', 'hookenv', 'is_data_changed', 'is_flag_set',
    'is_state', 'main', 'meter_status_changed', 'not_unless', 'only_once', 'patterns',
    'register_trigger', 'relation_from_flag', 'relation_from_state', 'relations',
    'remove_state', 'scopes', 'set_flag', 'set_state', 'toggle_flag', 'toggle_state',
    'trace', 'unitdata', 'when', 'when_all', 'when_any', 'when_file_changed', 'when_none',
    'when_not', 'when_not_all',
]

# The request/response pattern is loaded when first named (few charms use it).
if TYPE_CHECKING:
    from . import patterns
    from .patterns.request_response import (
        BaseRequest,
        BaseResponse,
        Field,
        RequesterEndpoint,
        ResponderEndpoint,
    )

_PATTERN_NAMES = ('BaseRequest', 'BaseResponse', 'Field', 'RequesterEndpoint',
                  'ResponderEndpoint')


def main(relation_name: str | None = None) -> None:
    """Run this hook's dispatch: :func:`reactops.legacy.main` (*relation_name* is unused,
    as in charms.reactive)."""
    from .._main import main as legacy_main

    legacy_main()


def __getattr__(name: str) -> Any:
    if name == 'patterns':
        from . import patterns

        return patterns
    if name in _PATTERN_NAMES:
        import importlib

        module = importlib.import_module(f'{__name__}.patterns.request_response')
        value = getattr(module, name)
        globals()[name] = value
        return value
    from .._errors import unsupported

    raise unsupported('charms.reactive', name)
