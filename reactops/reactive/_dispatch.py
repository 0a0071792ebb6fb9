"""How the reactive layer takes part in a dispatch run by ``main()``.

:class:`ReactiveExtension` makes a runtime over the dispatch's state store current for the
whole dispatch (so ops-style observers may use flags too), and after the Juju event has
been emitted discovers the handler modules, builds the registry from them and the charm's
decorated methods, and runs the handlers to a fixed point.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from ..charm import CharmBase
from ..framework import Framework
from ._runtime import ReactiveRuntime, activate, current
from .automatic import clear_hook_flags, install_automatic_flags
from .dispatcher import Dispatcher
from .registry import HandlerRegistry, discover_modules

__all__ = ['ReactiveCharm', 'ReactiveExtension', 'current_charm']


class ReactiveCharm(CharmBase):
    """The charm of a purely reactive charm (``reactops.main()`` with no class).

    It observes nothing; its handlers are the functions in ``reactive/`` and they reach
    the model through :func:`current_charm`.
    """


def current_charm() -> Any:
    """The charm of the running dispatch: ``current_charm().config['port']``."""
    charm = current().charm
    if charm is None:
        raise RuntimeError('no charm: current_charm() works while a dispatch runs (under '
                           'reactops.main() or reactops.testing)')
    return charm


class ReactiveExtension:
    """The reactive layer's part in ``main()``'s dispatch."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.runtime: ReactiveRuntime | None = None
        self.framework: Framework | None = None

    def start(self, framework: Framework, hook_name: str) -> None:
        """Make a runtime over the dispatch's store current."""
        self.framework = framework
        self.runtime = ReactiveRuntime(framework._storage, hook_name=hook_name)
        self._stack.enter_context(activate(self.runtime))

    def after_event(self, charm: CharmBase, restricted: bool) -> None:
        """Discover handlers and run them until the flags settle."""
        assert self.runtime is not None and self.framework is not None
        runtime = self.runtime
        runtime.charm = charm
        install_automatic_flags(runtime, charm, runtime.hook_name)
        charm_dir = self.framework.charm_dir or Path('.')
        modules = discover_modules(charm_dir)
        registry = HandlerRegistry.collect(modules, charm, charm_dir=charm_dir)
        Dispatcher(registry, runtime).dispatch(restricted=restricted)
        if not restricted:
            clear_hook_flags(runtime)

    def stop(self) -> None:
        """Leave the runtime."""
        self._stack.close()
