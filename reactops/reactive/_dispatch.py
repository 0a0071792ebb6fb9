"""How the reactive layer takes part in a dispatch run by ``main()``.

:class:`ReactiveExtension` makes a runtime over the dispatch's state store current for the
whole dispatch (so ops-style observers may use flags too), and after the Juju event has
been emitted discovers the handler modules, builds the registry from them and the charm's
decorated methods, and runs the handlers to a fixed point.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from types import ModuleType

from .._private.lazypath import path_text
from .._private.typing import TYPE_CHECKING
from ..charm import CharmBase
from ..framework import Framework
from ._runtime import ReactiveRuntime, activate, current

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

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
    """The reactive layer's part in ``main()``'s dispatch.

    The runtime is current for the whole dispatch, so flags set by ops-style observers
    persist even in a charm without handlers (*run_handlers* False: nothing is discovered
    and no handler module is imported). Handlers do not run for actions: an action is an
    operator's request, not a change of the model, and charms.reactive never dispatched
    handlers for one.
    """

    def __init__(self, *, run_handlers: bool = True) -> None:
        self.run_handlers = run_handlers
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
        is_action = (self.framework._event_name or '').endswith('_action')
        if not self.run_handlers or is_action:
            return
        from .automatic import clear_hook_flags, install_automatic_flags
        from .dispatcher import Dispatcher
        from .registry import HandlerRegistry, discover_modules

        install_automatic_flags(runtime, charm, runtime.hook_name)
        # As text: a Path would import pathlib (3 ms) in every hook.
        charm_dir = path_text(self.framework, 'charm_dir') or '.'
        modules = discover_modules(charm_dir)
        endpoints: list[Any] = []
        from_flag: Callable[[str], Any] | None = None
        hook_relation: Callable[[], Any] | None = None
        legacy_functions: list[Callable[..., Any]] = []
        if not restricted and getattr(self.framework.meta, 'relations', None):
            # Only charms with relation endpoints pay for the endpoint machinery.
            from .endpoint import create_endpoints, endpoint_from_flag, hook_endpoint

            endpoints = create_endpoints(runtime, charm, charm_dir)
            modules += _interface_modules(endpoints, modules)
            from_flag, hook_relation = endpoint_from_flag, hook_endpoint
            # A RelationBase subclass can exist only once its module is loaded: when no
            # handler module loaded it, there is nothing to find and no import to pay.
            if f'{__package__}.relations' in sys.modules:
                from .relations import relation_base_handlers

                legacy_functions = [f for m in modules for f in relation_base_handlers(m)]
        registry = HandlerRegistry.collect(modules, charm, charm_dir=charm_dir,
                                           endpoints=endpoints, functions=legacy_functions)
        if type(self).before_dispatch is not ReactiveExtension.before_dispatch:
            self.before_dispatch(registry, _as_path(charm_dir))
        try:
            Dispatcher(registry, runtime, endpoint_from_flag=from_flag,
                       hook_relation=hook_relation).dispatch(restricted=restricted)
            if legacy_functions or endpoints:
                juju_context = charm.model._backend._juju_context
                if juju_context.hook_name.endswith('-relation-departed'):  # else no work
                    from .relations import manage_departures

                    manage_departures(runtime, juju_context)
        finally:
            clear_hook_flags(runtime)

    def before_dispatch(self, registry: Any, charm_dir: Path) -> None:
        """Called with the dispatch's handler registry just before the handlers run
        (the legacy entry point adds external handlers and runs ``atstart`` callbacks)."""

    def stop(self) -> None:
        """Leave the runtime."""
        self._stack.close()


def _as_path(directory: str) -> Path:
    from pathlib import Path

    return Path(directory)


def _interface_modules(endpoints: list[Any], known: list[ModuleType]) -> list[ModuleType]:
    """The modules of the endpoints' classes that discovery did not import (a charm's
    ``interfaces/`` directory), so their module-level handlers are registered too;
    installed and built-in layers register only their Endpoint methods."""
    seen = {id(module) for module in known}
    extra: list[ModuleType] = []
    for endpoint in endpoints:
        module = sys.modules.get(type(endpoint).__module__)
        if module is not None and id(module) not in seen and \
                module.__name__.split('.')[0] == 'interfaces':
            seen.add(id(module))
            extra.append(module)
    return extra
