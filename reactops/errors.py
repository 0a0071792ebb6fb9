"""The exceptions reactops raises, in one hierarchy under :class:`ReactopsError`.

Catch :class:`ReactopsError` to catch anything reactops raises on purpose. Each layer's
errors have a root of their own (:class:`StateStoreError` for the state store,
:class:`ModelError` for everything that crosses the boundary with Juju,
:class:`MetadataError` for the charm's YAML files). The messages say what happened, why,
and how to fix it.

This module is at the bottom of the house: it imports nothing from reactops.
"""

from __future__ import annotations

__all__ = [
    'ActionParamsError',
    'DispatchLoopError',
    'HandlerDefinitionError',
    'ReactiveError',
    'HookToolMissingError',
    'InvalidStatusError',
    'MetadataError',
    'ModelError',
    'NoSnapshotError',
    'NoTypeError',
    'ReactopsError',
    'RelationDataAccessError',
    'RelationDataError',
    'RelationDataTypeError',
    'RelationNotFoundError',
    'SecretNotFoundError',
    'SnapshotEncodingError',
    'StateStoreCorruptError',
    'StateStoreError',
    'StateStoreLockedError',
    'StateStoreVersionError',
    'TooManyRelatedAppsError',
]


class ReactopsError(Exception):
    """Root of every exception reactops raises on purpose."""


# -- the state store -------------------------------------------------------------------


class StateStoreError(ReactopsError):
    """The unit's state store could not be opened, read or written."""


class StateStoreCorruptError(StateStoreError):
    """The state file is not a state store reactops can read, or it is damaged.

    reactops never resets such a file: it holds the unit's flags, stored state and
    deferred events, so an operator must look at it (or move it away) first.
    """


class StateStoreVersionError(StateStoreError):
    """The state file was written by a newer reactops, whose layout this one does not know."""


class StateStoreLockedError(StateStoreError):
    """Another process (another hook, or ``juju-exec``) held the state store for too long."""


class NoSnapshotError(StateStoreError):
    """No snapshot is stored under the requested handle path."""

    def __init__(self, handle_path: str):
        super().__init__(f'no snapshot data found for {handle_path} object')
        self.handle_path = handle_path


class SnapshotEncodingError(ReactopsError, ValueError):
    """A snapshot or stored value holds something that cannot be stored as JSON.

    Raised when the value is saved, naming the snapshot's handle and the key path of the
    offending value, so the fix is visible at the line that stored it.
    """


class NoTypeError(ReactopsError):
    """No class is registered for a stored handle, so its snapshot cannot be restored.

    This happens when a deferred event's emitter or type no longer exists, for instance
    after an upgrade removed it; the framework drops such notices.
    """

    def __init__(self, handle_path: str):
        super().__init__(f'no type registered for {handle_path!r}')
        self.handle_path = handle_path


# -- the charm's metadata --------------------------------------------------------------


class MetadataError(ReactopsError, ValueError):
    """A charm metadata file (charmcraft.yaml, metadata.yaml, config.yaml, actions.yaml)
    is malformed or has a field of the wrong type; the message names the file and field."""


# -- the boundary with Juju ------------------------------------------------------------


class ModelError(ReactopsError):
    """Juju refused or failed a request (a hook tool failed), or the model was misused.

    When raised for a failing hook tool, the message is the tool's stderr and
    :attr:`command` is the tool's argv with sensitive arguments left out.
    """

    def __init__(self, message: str = '', *, command: list[str] | None = None,
                 stderr: str | None = None, returncode: int | None = None):
        super().__init__(message)
        self.command = command
        self.stderr = stderr
        self.returncode = returncode


class HookToolMissingError(ModelError):
    """A Juju hook tool is not on PATH: the code is running outside a Juju hook.

    Juju puts its hook tools on PATH only while it runs a hook or action. Run the charm
    under Juju, in reactops' local model, or test it with :mod:`reactops.testing`.
    """


class ActionParamsError(ModelError, ValueError):
    """The running action's parameters break the schema in the charm's actions.yaml.

    Juju checks parameters against the deployed charm's schema before it runs the action,
    so this means the charm's actions.yaml and the one Juju holds differ (a refresh that
    changed the schema?). The message names each parameter and rule, never a value.
    """


class RelationNotFoundError(ModelError):
    """The relation is gone (or never existed), so Juju cannot read or write it."""


class TooManyRelatedAppsError(ModelError):
    """A single relation was asked for, but the endpoint has several."""

    def __init__(self, relation_name: str, num_related: int, max_supported: int):
        super().__init__(
            f'Too many remote applications on {relation_name} '
            f'({num_related} > {max_supported}); pass a relation id to choose one')
        self.relation_name = relation_name
        self.num_related = num_related
        self.max_supported = max_supported


class RelationDataError(ModelError):
    """Relation data was read or written against Juju's rules."""


class RelationDataTypeError(RelationDataError, TypeError):
    """A relation data key or value is not a string (Juju stores strings only), or a value
    for a JSON view cannot be written as standard JSON."""


class RelationDataAccessError(RelationDataError):
    """This unit may not read or write that relation data bag (leadership, ownership)."""


class InvalidStatusError(ModelError):
    """A status is not one a charm may set (active, blocked, maintenance, waiting)."""


class SecretNotFoundError(ModelError):
    """The secret does not exist, or this unit has not been granted access to it."""


# -- the reactive layer ----------------------------------------------------------------


class ReactiveError(ReactopsError):
    """The reactive layer was misused, or a dispatch could not settle."""


class HandlerDefinitionError(ReactiveError, TypeError):
    """A handler's decorators were given something they cannot use (a non-string flag,
    an unknown keyword, a callback that is not callable); the message names the handler
    and its file."""


class DispatchLoopError(ReactiveError):
    """Handlers kept changing flags so the dispatch never settled; the message names
    the handlers and flags of the loop."""

    def __init__(self, message: str, *, handlers: list[str], flags: list[str]):
        super().__init__(message)
        self.handlers = handlers
        self.flags = flags
