"""``scenario._runtime``: one charm run, as a :class:`Runtime` object.

A thin front over :class:`~reactops.testing.Context`, for code that drives runs with the
Scenario runtime's signature.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._context import ActionFailed, Context, UncaughtCharmError, _bare_charm_errors
from ._events import _Event
from ._run_bridge import _environ
from ._spec import _CharmSpec
from ._state import State

__all__ = ['Runtime']


class Runtime:
    """Runs events on the charm of *charm_spec* as unit *unit_id* of *app_name*, running
    Juju *juju_version*: these name the unit even when the run uses a given context (whose
    records, such as ``juju_log``, receive the run's side effects)."""

    def __init__(self, app_name: str, charm_spec: _CharmSpec[Any],
                 charm_root: str | os.PathLike[str] | None = None,
                 juju_version: str = '3.0.0', unit_id: int | None = 0,
                 machine_id: str | None = None, availability_zone: str | None = None,
                 principal_unit: str | None = None):
        self._spec = charm_spec
        self._charm_root = charm_root
        self._unit: dict[str, Any] = {
            'app_name': app_name, 'unit_id': 0 if unit_id is None else unit_id,
            'juju_version': juju_version, '_machine_id': machine_id,
            '_availability_zone': availability_zone, '_principal_unit': principal_unit}

    def _context(self, context: Context | None) -> Context:
        if context is not None:
            return context
        spec, unit = self._spec, self._unit
        return Context(spec.charm_type, dict(spec.meta), actions=spec.actions,
                       config=spec.config, charm_root=self._charm_root,
                       juju_version=unit['juju_version'], app_name=unit['app_name'],
                       unit_id=unit['unit_id'], machine_id=unit['_machine_id'],
                       availability_zone=unit['_availability_zone'],
                       principal_unit=unit['_principal_unit'])

    def _get_event_env(self, state: State, event: _Event, charm_root: Path) -> dict[str, str]:
        """The ``JUJU_*`` environment a run of *event* sees, with *charm_root* as the
        charm directory."""
        ctx = self._context(None)
        ctx._charm_dir = Path(charm_root)
        return _environ(ctx._juju_context(event, state))

    @contextlib.contextmanager
    def exec(self, state: State, event: _Event, context: Context | None = None
             ) -> Iterator[Any]:
        """Run *event* against *state* inside the block; the block gets the manager."""
        ctx = self._context(context)
        # The given context runs as this runtime's unit for the block's duration.
        before = {name: getattr(ctx, name) for name in self._unit}
        for name, value in self._unit.items():
            setattr(ctx, name, value)
        try:
            with ctx(event, state) as manager:
                yield manager
        except (ActionFailed, UncaughtCharmError):
            raise
        except Exception as error:
            # An error in the block counts as the charm's, as in Scenario's runtime.
            if _bare_charm_errors():
                raise
            raise UncaughtCharmError(f'Uncaught {type(error).__name__} in charm: '
                                     f'{error!r}') from error
        finally:
            for name, value in before.items():
                setattr(ctx, name, value)
