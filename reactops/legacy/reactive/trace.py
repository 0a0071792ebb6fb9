"""``charms.reactive.trace`` under reactops.

charms.reactive logged every flag change and queue change through a tracer; reactops
records the dispatch itself (``reactops explain``), so installing a tracer does nothing.
"""

from __future__ import annotations

from typing import Any

from .._errors import unsupported

__all__ = ['LogTracer', 'NullTracer', 'install_tracer', 'tracer']


class NullTracer:
    """A tracer that records nothing (every callback is accepted and ignored)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith('_'):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


class LogTracer(NullTracer):
    """charms.reactive's logging tracer; reactops' own dispatch record replaces it."""


_TRACER: list[NullTracer] = [NullTracer()]


def install_tracer(tracer_instance: NullTracer) -> None:
    """Accepted for compatibility; reactops keeps its own record of each dispatch."""
    _TRACER[0] = tracer_instance


def tracer() -> NullTracer:
    """The tracer last installed."""
    return _TRACER[0]


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.trace', name)
