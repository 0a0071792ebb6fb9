"""``scenario._runtime``: one charm run, as a :class:`Runtime` object.

A thin front over :class:`~reactops.testing.Context`, for code that drives runs with the
Scenario runtime's signature.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from ._context import _DEFAULT_JUJU_VERSION, Context
from ._events import _Event
from ._spec import _CharmSpec
from ._state import State

__all__ = ['Runtime']


class Runtime:
    """Runs events on the charm of *charm_spec*, as a unit of *app_name*."""

    def __init__(self, charm_spec: _CharmSpec[Any], charm_root: str | os.PathLike[str] | None
                 = None, juju_version: str = _DEFAULT_JUJU_VERSION,
                 app_name: str | None = None, unit_id: int | None = 0,
                 machine_id: str | None = None, availability_zone: str | None = None,
                 principal_unit: str | None = None):
        self._spec = charm_spec
        self._kwargs: dict[str, Any] = dict(
            charm_root=charm_root, juju_version=juju_version, app_name=app_name,
            unit_id=unit_id, machine_id=machine_id, availability_zone=availability_zone,
            principal_unit=principal_unit)

    def _context(self, context: Context | None) -> Context:
        if context is not None:
            return context
        spec = self._spec
        return Context(spec.charm_type, dict(spec.meta), actions=spec.actions,
                       config=spec.config, **self._kwargs)

    @contextlib.contextmanager
    def exec(self, state: State, event: _Event, context: Context | None = None
             ) -> Iterator[Any]:
        """Run *event* against *state* inside the block; the block gets the manager."""
        ctx = self._context(context)
        with ctx(event, state) as manager:
            yield manager
