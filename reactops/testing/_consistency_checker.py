"""``scenario._consistency_checker``: :func:`check_consistency` with Scenario's signature
(state, event, charm spec, Juju version, unit id)."""

from __future__ import annotations

from typing import Any

from ._consistency import check_consistency as _check
from ._events import _Event
from ._spec import _CharmSpec
from ._state import State

__all__ = ['check_consistency']


def check_consistency(state: State, event: _Event, charm_spec: _CharmSpec[Any],
                      juju_version: str, unit_id: int = 0) -> None:
    """Raise InconsistentScenarioError if *state* and *event* could not happen in Juju."""
    from ..errors import MetadataError
    from ._charm_loading import _meta_from_spec
    from ._consistency import InconsistentScenarioError

    try:
        meta = _meta_from_spec(charm_spec, juju_version)
    except MetadataError as error:
        # Metadata Juju would refuse makes the scenario impossible.
        raise InconsistentScenarioError([str(error)]) from error
    _check(state, event, meta, juju_version=juju_version, unit_id=unit_id)
