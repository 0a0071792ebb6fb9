"""The errors a state-transition test can meet (``scenario.errors``, ``ops.testing``).

They report a problem with the test, or the charm failing under test; a charm never
catches them. :class:`InconsistentScenarioError` and :class:`UncaughtCharmError` share
the :class:`ScenarioRuntimeError` root: both come out of ``Context.run``.
"""

from __future__ import annotations

__all__ = [
    'ActionMissingFromContextError', 'AlreadyEmittedError', 'BadOwnerPath',
    'ContextSetupError', 'InconsistentScenarioError', 'MetadataNotFoundError',
    'NoObserverError', 'ScenarioRuntimeError', 'StateValidationError', 'UncaughtCharmError',
]


class ContextSetupError(RuntimeError):
    """A :class:`~reactops.testing.Context` could not be built (no metadata for the charm)."""


class AlreadyEmittedError(RuntimeError):
    """``mgr.run()`` was called a second time: a manager runs its event once."""


class ScenarioRuntimeError(RuntimeError):
    """The root of the errors a run itself raises."""


class UncaughtCharmError(ScenarioRuntimeError):
    """The charm raised while handling the event; ``__cause__`` is what it raised.

    As in Juju, nothing of the failed dispatch is kept: no output state is produced.
    """


class InconsistentScenarioError(ScenarioRuntimeError):
    """The state, event and metadata together describe something Juju could not produce."""


class StateValidationError(RuntimeError):
    """One part of a State is malformed on its own (a bad name, a non-string bag value)."""


class MetadataNotFoundError(RuntimeError):
    """The charm root holds no ``charmcraft.yaml`` (nor ``metadata.yaml``) to load."""


class ActionMissingFromContextError(Exception):
    """An action hook tool was used while no action runs."""


class NoObserverError(RuntimeError):
    """The event to run has no observer on the charm."""


class BadOwnerPath(RuntimeError):  # noqa: N818 - the name Scenario has always used
    """A custom event's owner path does not lead to an ObjectEvents of the charm."""
