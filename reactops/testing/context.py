"""``scenario.context``: :class:`Context` and :class:`Manager`."""

from __future__ import annotations

from ._context import _DEFAULT_JUJU_VERSION, ActionFailed, Context
from ._events import CharmEvents
from ._manager import Manager

__all__ = ['_DEFAULT_JUJU_VERSION', 'ActionFailed', 'CharmEvents', 'Context', 'Manager']
