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
    'ActionFailed': '_harness_results',
    'ActionOutput': '_harness_results',
    'ActiveStatus': 'state',
    'Address': 'state',
    'AlreadyEmittedError': 'errors',
    'AppUnitOrName': '_harness_base',
    'BindAddress': 'state',
    'BlockedStatus': 'state',
    'CharmEvents': '_events',
    'CharmType': '_harness_base',
    'CheckInfo': 'state',
    'CloudCredential': 'state',
    'CloudSpec': 'state',
    'Container': 'state',
    'Context': '_context',
    'ContextSetupError': 'errors',
    'DEFAULT_UNIT_DATA': 'state',
    'DeferredEvent': 'state',
    'ErrorStatus': 'state',
    'Event': '_events',
    'Exec': 'state',
    'ExecArgs': '_harness_results',
    'ExecHandler': '_harness_results',
    'ExecResult': '_harness_results',
    'Harness': '_harness',
    'ICMPPort': 'state',
    'InconsistentScenarioError': 'errors',
    'JujuLogLine': 'state',
    'MaintenanceStatus': 'state',
    'Manager': '_manager',
    'MetadataNotFoundError': 'errors',
    'Model': 'state',
    'Mount': 'state',
    'Network': 'state',
    'Notice': 'state',
    'PeerRelation': 'state',
    'Port': 'state',
    'ReadableBuffer': '_harness_results',
    'Relation': 'state',
    'RelationBase': 'state',
    'Resource': 'state',
    'ScenarioRuntimeError': 'errors',
    'Secret': 'state',
    'SimulatedBackend': '_backend',
    'State': 'state',
    'StateValidationError': 'errors',
    'Storage': 'state',
    'StoredState': 'state',
    'SubordinateRelation': 'state',
    'TCPPort': 'state',
    'UDPPort': 'state',
    'UncaughtCharmError': 'errors',
    'UnknownStatus': 'state',
    'WaitingStatus': 'state',
    'YAMLStringOrFile': '_harness_results',
    'layer_from_rockcraft': 'state',
}

__all__ = [
    'DEFAULT_UNIT_DATA',
    'ActionFailed',
    'ActionOutput',
    'ActiveStatus',
    'Address',
    'AlreadyEmittedError',
    'AppUnitOrName',
    'BindAddress',
    'BlockedStatus',
    'CharmEvents',
    'CharmType',
    'CheckInfo',
    'CloudCredential',
    'CloudSpec',
    'Container',
    'Context',
    'ContextSetupError',
    'DeferredEvent',
    'ErrorStatus',
    'Event',
    'Exec',
    'ExecArgs',
    'ExecHandler',
    'ExecResult',
    'Harness',
    'ICMPPort',
    'InconsistentScenarioError',
    'JujuLogLine',
    'MaintenanceStatus',
    'Manager',
    'MetadataNotFoundError',
    'Model',
    'Mount',
    'Network',
    'Notice',
    'PeerRelation',
    'Port',
    'ReadableBuffer',
    'Relation',
    'RelationBase',
    'Resource',
    'ScenarioRuntimeError',
    'Secret',
    'SimulatedBackend',
    'State',
    'StateValidationError',
    'Storage',
    'StoredState',
    'SubordinateRelation',
    'TCPPort',
    'UDPPort',
    'UncaughtCharmError',
    'UnknownStatus',
    'WaitingStatus',
    'YAMLStringOrFile',
    'layer_from_rockcraft',
]

if TYPE_CHECKING:
    from ._backend import (
        SimulatedBackend,
    )
    from ._context import (
        Context,
    )
    from ._events import (
        CharmEvents,
        Event,
    )
    from ._harness import (
        Harness,
    )
    from ._harness_base import (
        AppUnitOrName,
        CharmType,
    )
    from ._harness_results import (
        ActionFailed,
        ActionOutput,
        ExecArgs,
        ExecHandler,
        ExecResult,
        ReadableBuffer,
        YAMLStringOrFile,
    )
    from ._manager import (
        Manager,
    )
    from .errors import (
        AlreadyEmittedError,
        ContextSetupError,
        InconsistentScenarioError,
        MetadataNotFoundError,
        ScenarioRuntimeError,
        StateValidationError,
        UncaughtCharmError,
    )
    from .state import (
        DEFAULT_UNIT_DATA,
        ActiveStatus,
        Address,
        BindAddress,
        BlockedStatus,
        CheckInfo,
        CloudCredential,
        CloudSpec,
        Container,
        DeferredEvent,
        ErrorStatus,
        Exec,
        ICMPPort,
        JujuLogLine,
        MaintenanceStatus,
        Model,
        Mount,
        Network,
        Notice,
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
        UnknownStatus,
        WaitingStatus,
        layer_from_rockcraft,
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
