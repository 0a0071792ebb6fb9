"""The reactive layer: flags, handlers that run when flag predicates hold, and dispatch.

Write handlers as decorated functions (in ``reactive/*.py`` of the charm) or as methods of
the charm class::

    from reactops import when, when_not, set_flag, current_charm

    @when_not('app.installed')
    def install():
        ...
        set_flag('app.installed')

    @when('app.installed', 'config.changed.port')
    def configure():
        current_charm().unit.set_ports(current_charm().config['port'])

The names are those of ``charms.reactive``; ``docs/flags-and-handlers.md`` states every rule
of the dispatch. The flag graph (:mod:`reactops.reactive.graph`, networkx) and the signals
(:mod:`reactops.reactive.signals`, blinker) are imported only when used.
"""

from __future__ import annotations

from .._private.lazy import lazy_exports
from .._private.typing import TYPE_CHECKING

# name -> module of this package that defines it, loaded on first access so that a charm
# pays only for what it uses.
_EXPORTS: dict[str, str] = {
    'relation_from_state': 'relations',
    'relation_from_flag': 'relations',
    'relation_from_name': 'relations',
    'scopes': 'relations',
    'Conversation': 'relations',
    'RelationBase': 'relations',
    'Dispatcher': 'dispatcher',
    'Endpoint': 'endpoint',
    'endpoint_from_flag': 'endpoint',
    'endpoint_from_name': 'endpoint',
    'Handler': 'registry',
    'HandlerRegistry': 'registry',
    'ReactiveCharm': '_dispatch',
    'ReactiveRuntime': '_runtime',
    'activate': '_runtime',
    'all_flags_set': 'flags',
    'all_states': 'flags',
    'any_file_changed': 'helpers',
    'any_flags_set': 'flags',
    'any_states': 'flags',
    'clear_flag': 'flags',
    'collect_metrics': 'decorators',
    'current_charm': '_dispatch',
    'data_changed': 'helpers',
    'get_flag_value': 'flags',
    'get_flags': 'flags',
    'get_state': 'flags',
    'get_states': 'flags',
    'get_unset_flags': 'flags',
    'hook': 'decorators',
    'is_data_changed': 'helpers',
    'is_flag_set': 'flags',
    'is_state': 'flags',
    'load_trace': '_trace',
    'meter_status_changed': 'decorators',
    'not_unless': 'decorators',
    'only_once': 'decorators',
    'register_trigger': 'flags',
    'remove_state': 'flags',
    'set_flag': 'flags',
    'set_state': 'flags',
    'set_trace_limit': '_trace',
    'toggle_flag': 'flags',
    'toggle_state': 'flags',
    'when': 'decorators',
    'when_all': 'decorators',
    'when_any': 'decorators',
    'when_file_changed': 'decorators',
    'when_none': 'decorators',
    'when_not': 'decorators',
    'when_not_all': 'decorators',
}

if TYPE_CHECKING:
    from ._dispatch import (
        ReactiveCharm,
        current_charm,
    )
    from ._runtime import (
        ReactiveRuntime,
        activate,
    )
    from ._trace import load_trace, set_trace_limit
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
    from .dispatcher import (
        Dispatcher,
    )
    from .endpoint import (
        Endpoint,
        endpoint_from_flag,
        endpoint_from_name,
    )
    from .flags import (
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
    from .helpers import (
        any_file_changed,
        data_changed,
        is_data_changed,
    )
    from .registry import (
        Handler,
        HandlerRegistry,
    )
    from .relations import (
        Conversation,
        RelationBase,
        relation_from_flag,
        relation_from_name,
        relation_from_state,
        scopes,
    )

__all__ = [
    'Conversation', 'RelationBase', 'relation_from_flag', 'relation_from_name',
    'relation_from_state', 'scopes',
    'Dispatcher', 'Endpoint', 'Handler', 'HandlerRegistry', 'ReactiveCharm', 'ReactiveRuntime',
    'activate', 'all_flags_set', 'all_states', 'any_file_changed', 'any_flags_set',
    'any_states', 'clear_flag', 'collect_metrics', 'current_charm', 'data_changed',
    'endpoint_from_flag', 'endpoint_from_name',
    'get_flag_value', 'get_flags', 'get_state', 'get_states', 'get_unset_flags', 'hook',
    'is_data_changed', 'is_flag_set', 'is_state', 'load_trace', 'meter_status_changed',
    'not_unless',
    'only_once', 'register_trigger', 'remove_state', 'set_flag', 'set_state',
    'set_trace_limit', 'toggle_flag',
    'toggle_state', 'when', 'when_all', 'when_any', 'when_file_changed', 'when_none',
    'when_not', 'when_not_all',
]


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
