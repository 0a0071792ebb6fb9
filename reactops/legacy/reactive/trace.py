"""``charms.reactive.trace`` under reactops.

charms.reactive's dispatch told a tracer about every flag change and handler queue, and
installed a :class:`LogTracer` at the start of each hook. reactops records the dispatch
itself (``reactops explain``) and calls no tracer: the classes keep their names and
methods, :class:`LogTracer` logs what it is told when charm code calls it, and
:func:`install_tracer` only remembers the tracer for :func:`tracer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._errors import unsupported

__all__ = ['LogTracer', 'NullTracer', 'install_tracer', 'tracer']


class NullTracer:
    """A tracer that does nothing: the base of tracers, and the one installed."""

    def start_dispatch(self) -> None:
        """The handlers are about to be dispatched."""

    def start_dispatch_phase(self, phase: str, handlers: Iterable[Any]) -> None:
        """A dispatch phase (hooks, restricted, other) starts with *handlers* queued."""

    def start_dispatch_iteration(self, iteration: int, handlers: Iterable[Any]) -> None:
        """An iteration of the main loop starts with *handlers* queued."""

    def set_flag(self, flag: str) -> None:
        """*flag* is being set."""

    def clear_flag(self, flag: str) -> None:
        """*flag* is being cleared."""


class LogTracer(NullTracer):
    """A tracer that writes what it is told to the unit's log (at :attr:`LEVEL`)."""

    LEVEL = 'DEBUG'

    def _log(self, lines: list[str]) -> None:
        from .. import hookenv

        text = '\n'.join(f'tracer: {line}' for line in lines)
        hookenv.log(f'tracer>\n{text}' if len(lines) > 1 else text, self.LEVEL)

    def start_dispatch(self) -> None:
        from ...reactive.flags import get_flags

        flags = get_flags()
        self._log([f'starting handler dispatch, {len(flags)} flags set',
                   *(f'set flag {flag}' for flag in flags)])

    def start_dispatch_phase(self, phase: str, handlers: Iterable[Any]) -> None:
        queued = sorted(_handler_id(h) for h in handlers)
        title = f'main dispatch loop, {len(queued)} handlers queued' if phase == 'other' \
            else f'{phase} phase, {len(queued)} handlers queued'
        self._log([title, *(f'++   queue handler {h}' for h in queued)])

    def set_flag(self, flag: str) -> None:
        self._log([f'set flag {flag}'])

    def clear_flag(self, flag: str) -> None:
        self._log([f'cleared flag {flag}'])


def _handler_id(handler: Any) -> str:
    ident = getattr(handler, 'id', handler)
    return str(ident() if callable(ident) else ident)


_TRACER: list[NullTracer] = [NullTracer()]


def install_tracer(tracer_instance: NullTracer) -> None:
    """Make *tracer_instance* the one :func:`tracer` returns (reactops' dispatch calls
    none: it keeps its own record)."""
    _TRACER[0] = tracer_instance


def tracer() -> NullTracer:
    """The tracer last installed (a :class:`NullTracer` at first)."""
    return _TRACER[0]


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.trace', name)
