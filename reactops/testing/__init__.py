"""Test charms without Juju: state in, one event, state out.

Describe the world before an event as a :class:`State`, run one event on a fresh charm
with :meth:`Context.run`, and assert on the :class:`State` it returns and on what the
context recorded (``ctx.juju_log``, ``ctx.action_results``, ``ctx.handlers_run``, ...)::

    ctx = Context(MyCharm)
    out = ctx.run(ctx.on.config_changed(), State(config={'port': 8080}, leader=True))
    assert out.unit_status == ActiveStatus('serving on :8080')

The names follow ``ops.testing`` (Scenario) where it has the concept; :attr:`State.flags`,
:attr:`State.kv` and the reactive trace (``ctx.reactive_trace``, ``ctx.handlers_run``) are
reactops' own. Names are loaded on first use, so loading the pytest plugin
(``reactops.testing.plugin``, a submodule) imports none of the framework.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> module that defines it, loaded on first access.
_EXPORTS: dict[str, str] = {
    'JujuLogLine': '_backend',
    'SimulatedBackend': '_backend',
    'InconsistentScenarioError': '_consistency',
    'ActionFailed': '_harness_results',
    'AppUnitOrName': '_harness_base',
    'CharmType': '_harness_base',
    'ExecArgs': '_harness_results',
    'ExecHandler': '_harness_results',
    'ExecResult': '_harness_results',
    'ReadableBuffer': '_harness_results',
    'YAMLStringOrFile': '_harness_results',
    'Context': '_context',
    'Event': '_events',
    'ActionOutput': '_harness_results',
    'Harness': '_harness',
    'UncaughtCharmError': '_context',
    'DEFAULT_UNIT_DATA': '_state',
    'DeferredEvent': '_state',
    'ICMPPort': '_state',
    'Model': '_state',
    'Network': '_state',
    'PeerRelation': '_state',
    'Port': '_state',
    'Relation': '_state',
    'RelationBase': '_state',
    'Resource': '_state',
    'Secret': '_state',
    'State': '_state',
    'Storage': '_state',
    'StoredState': '_state',
    'SubordinateRelation': '_state',
    'TCPPort': '_state',
    'UDPPort': '_state',
}

__all__ = [
    'DEFAULT_UNIT_DATA',
    'ActionFailed',
    'ActionOutput',
    'AppUnitOrName',
    'CharmType',
    'Context',
    'DeferredEvent',
    'Event',
    'ExecArgs',
    'ExecHandler',
    'ExecResult',
    'Harness',
    'ICMPPort',
    'InconsistentScenarioError',
    'JujuLogLine',
    'Model',
    'Network',
    'PeerRelation',
    'Port',
    'ReadableBuffer',
    'Relation',
    'RelationBase',
    'Resource',
    'Secret',
    'SimulatedBackend',
    'State',
    'Storage',
    'StoredState',
    'SubordinateRelation',
    'TCPPort',
    'UDPPort',
    'UncaughtCharmError',
    'YAMLStringOrFile',
]

if TYPE_CHECKING:
    from ._backend import JujuLogLine, SimulatedBackend
    from ._consistency import InconsistentScenarioError
    from ._context import Context, UncaughtCharmError
    from ._events import Event
    from ._harness import Harness
    from ._harness_base import AppUnitOrName, CharmType
    from ._harness_results import (
        ActionFailed,
        ActionOutput,
        ExecArgs,
        ExecHandler,
        ExecResult,
        ReadableBuffer,
        YAMLStringOrFile,
    )
    from ._state import (
        DEFAULT_UNIT_DATA,
        DeferredEvent,
        ICMPPort,
        Model,
        Network,
        PeerRelation,
        Port,
        Relation,
        RelationBase,
        Resource,
        Secret,
        State,
        Storage,
        StoredState,
        SubordinateRelation,
        TCPPort,
        UDPPort,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    # Looked up on every use, not cached here: pytest's in-process runs (pytester) drop
    # the modules imported during a run, and a cached class would outlive its module.
    return getattr(importlib.import_module(f'.{module}', __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
