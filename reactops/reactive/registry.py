"""Handlers and the registry that holds them for one dispatch.

A :class:`HandlerRegistry` is an ordinary object: a dispatch (or a test) builds one from
the handler modules it discovered and the charm's decorated methods. There is no global
registry to reset. Registration order is the order the functions were first decorated
(import order across modules, definition order within one), with ``priority=`` (opt-in)
ordering before that.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FunctionType, ModuleType

from .._private.typing import TYPE_CHECKING
from ..errors import HandlerDefinitionError
from ._detect import DISCOVERY_ROOTS
from ._runtime import importing_handler_modules
from .decorators import HandlerSpec, handler_spec, takes_arguments
from .predicates import HOOKS, MAIN, RESTRICTED, HookMatches, Predicate

if TYPE_CHECKING:
    from typing import Any

__all__ = ['DISCOVERY_ROOTS', 'Handler', 'HandlerRegistry', 'discover_modules']



class Handler:
    """A registered handler: a callable, its predicates and where it came from.

    A plain class (equal only to itself): a dataclass would cost about half a
    millisecond to create in every hook of a reactive charm.
    """

    # Slots: a dispatch touches every handler, and at thousands of them a smaller object
    # is fewer cache misses (the dispatch's time per handler stays flat).
    __slots__ = ('id', 'action', 'predicates', 'spec', 'is_method', 'endpoint_name', '_args',
                 '_phase')

    def __init__(self, id: str, action: Callable[..., Any], predicates: list[Predicate],
                 spec: HandlerSpec, is_method: bool = False, endpoint_name: str | None = None,
                 _args: list[Any] | None = None):
        self.id = id
        self.action = action
        self.predicates = predicates
        self.spec = spec
        self.is_method = is_method
        self.endpoint_name = endpoint_name
        self._args = _args
        self._phase: str | None = None

    @property
    def flags(self) -> list[str]:
        """Every flag a predicate of this handler reads."""
        return list(dict.fromkeys(f for p in self.predicates for f in p.flags))

    @property
    def phase(self) -> str:
        """The dispatch phase the handler can run in: hooks, other, restricted, or any."""
        if self._phase is None:
            phases = {p.phase for p in self.predicates if p.phase is not None}
            self._phase = 'never' if len(phases) > 1 else phases.pop() if phases else 'any'
        return self._phase

    @property
    def priority(self) -> int:
        """Opt-in ordering: lower runs first; unset counts as 0."""
        return self.spec.priority or 0

    @property
    def name(self) -> str:
        """The function's qualified name."""
        return getattr(self.action, '__qualname__', self.id)

    def runs_in(self, phase: str) -> bool:
        """Whether the handler's predicates allow *phase*."""
        own = self.phase
        if own == 'any':  # @only_once or @when_file_changed alone: any phase, as before
            return phase in (HOOKS, MAIN, RESTRICTED)
        return own == phase

    def __repr__(self) -> str:
        return f'<Handler {self.id}>'


class HandlerRegistry:
    """The handlers of one dispatch, in registration order."""

    def __init__(self, handlers: Iterable[Handler] = ()):
        self._handlers: list[Handler] = []
        self._ids: set[str] = set()
        self._index: dict[str, list[Handler]] | None = None
        for handler in handlers:
            self.add(handler)

    def add(self, handler: Handler) -> None:
        """Register *handler*; the same id twice is an error."""
        if handler.id in self._ids:
            raise HandlerDefinitionError(f'two handlers have the id {handler.id!r}')
        self._ids.add(handler.id)
        self._handlers.append(handler)
        self._index = None

    def add_function(self, func: Callable[..., Any], *, charm_dir: Path | None = None,
                     bound_to: Any = None) -> Handler:
        """Register a decorated function (or, with *bound_to*, a method of that object)."""
        spec = handler_spec(func)
        if spec is None:
            raise HandlerDefinitionError(f'{func!r} has no handler decorators')
        action = func.__get__(bound_to, type(bound_to)) if bound_to is not None else func
        handler = Handler(handler_id(func, charm_dir), action, list(spec.predicates), spec,
                          is_method=bound_to is not None)
        self.add(handler)
        return handler

    def ordered(self) -> list[Handler]:
        """Handlers in dispatch order: by priority, then registration order."""
        if any(h.spec.priority for h in self._handlers):
            return sorted(self._handlers, key=lambda h: (h.priority, h.spec.order))
        return list(self._handlers)

    def readers_of(self, flag: str) -> list[Handler]:
        """The handlers whose predicates read *flag*."""
        if self._index is None:
            index: dict[str, list[Handler]] = {}
            for handler in self._handlers:
                for name in handler.flags:
                    index.setdefault(name, []).append(handler)
            self._index = index
        return self._index.get(flag, [])

    def get(self, handler_id: str) -> Handler:
        """The handler with this id (``KeyError`` if none)."""
        for handler in self._handlers:
            if handler.id == handler_id:
                return handler
        raise KeyError(handler_id)

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)

    def add_endpoint_method(self, func: Callable[..., Any], endpoint: Any, *,
                            charm_dir: Path | None = None) -> Handler:
        """Register a decorated method of an Endpoint subclass for one *endpoint*.

        ``{endpoint_name}`` in its flags and hook patterns becomes the endpoint's name,
        the id gets ``:<endpoint name>`` appended, and ``self`` is *endpoint*.
        """
        spec = handler_spec(func)
        if spec is None:
            raise HandlerDefinitionError(f'{func!r} has no handler decorators')
        name: str = endpoint.endpoint_name
        predicates = [_for_endpoint(p, name) for p in spec.predicates]
        handler = Handler(f'{handler_id(func, charm_dir)}:{name}',
                          func.__get__(endpoint, type(endpoint)), predicates, spec,
                          is_method=True, endpoint_name=name)
        self.add(handler)
        return handler

    @classmethod
    def collect(cls, modules: Iterable[ModuleType] = (), charm: Any = None, *,
                charm_dir: Path | None = None, endpoints: Iterable[Any] = (),
                functions: Iterable[Callable[..., Any]] = ()) -> HandlerRegistry:
        """Build a registry from the handlers defined in *modules*, on *charm*'s class
        and on the classes of *endpoints* (once per endpoint, see
        :meth:`add_endpoint_method`).

        Handlers are registered in the order they were decorated (an endpoint method
        used by several endpoints: in endpoint-name order).
        """
        found: list[tuple[int, Callable[..., Any], Any]] = []
        seen: set[int] = set()
        for module in modules:
            for value in list(vars(module).values()):
                spec = handler_spec(value) if callable(value) else None
                if spec is None or id(value) in seen:
                    continue
                if getattr(value, '__module__', None) != module.__name__:
                    continue  # imported from another module: registered there
                seen.add(id(value))
                found.append((spec.order, value, None))
        for value in functions:  # e.g. @hook methods of legacy RelationBase classes
            spec = handler_spec(value)
            if spec is not None and id(value) not in seen:
                seen.add(id(value))
                found.append((spec.order, value, None))
        if charm is not None:
            for klass in reversed(type(charm).__mro__):
                for value in vars(klass).values():
                    spec = handler_spec(value) if isinstance(value, FunctionType) else None
                    if spec is not None and id(value) not in seen:
                        seen.add(id(value))
                        found.append((spec.order, value, charm))
        for endpoint in endpoints:  # already in name order
            for klass in reversed(type(endpoint).__mro__):
                for value in vars(klass).values():
                    spec = handler_spec(value) if isinstance(value, FunctionType) else None
                    if spec is not None:
                        found.append((spec.order, value, _EndpointBinding(endpoint)))
        registry = cls()
        for _, func, bound in sorted(found, key=lambda item: item[0]):
            if isinstance(bound, _EndpointBinding):
                registry.add_endpoint_method(func, bound.endpoint, charm_dir=charm_dir)
            else:
                registry.add_function(func, charm_dir=charm_dir, bound_to=bound)
        return registry


class _EndpointBinding:
    """The endpoint instance a handler found on an endpoint class is bound to.

    A plain class: a dataclass would cost about half a millisecond to create in every
    hook of a reactive charm.
    """

    __slots__ = ('endpoint',)

    def __init__(self, endpoint: Any):
        self.endpoint = endpoint


def _for_endpoint(predicate: Predicate, endpoint_name: str) -> Predicate:
    if isinstance(predicate, HookMatches):
        return HookMatches(tuple(p.replace('{endpoint_name}', endpoint_name)
                                 for p in predicate.patterns))
    return predicate.with_endpoint(endpoint_name)


def handler_id(func: Callable[..., Any], charm_dir: Path | None = None) -> str:
    """``<file relative to the charm>:<line>:<qualified name>``, as charms.reactive logs it."""
    code = getattr(func, '__code__', None)
    name = getattr(func, '__qualname__', getattr(func, '__name__', repr(func)))
    if code is None:
        return name
    filename = code.co_filename
    if charm_dir is not None:
        try:
            filename = os.path.relpath(filename, charm_dir)
        except ValueError:
            pass
        if filename.startswith('..'):
            filename = code.co_filename
    return f'{filename}:{code.co_firstlineno}:{name}'


def legacy_arguments(handler: Handler, endpoint_from_flag: Callable[[str], Any],
                     hook_relation: Callable[[], Any]) -> list[Any]:
    """charms.reactive's arguments for a handler: the endpoints named by ``@when`` flags
    (one per flag that names one), or ``@hook``'s relation. Computed once per dispatch."""
    if handler._args is not None:
        return handler._args
    args: list[Any] = []
    if handler.endpoint_name is None and not handler.is_method:
        if handler.spec.passes_hook_relation:
            relation = hook_relation()
            if relation is not None:
                args.append(relation)
        for group in handler.spec.when_arg_groups:  # bottom decorator first
            args.extend(e for e in map(endpoint_from_flag, group) if e is not None)
        if args and not takes_arguments(handler.action):
            args = []
    handler._args = args
    return args


def discover_modules(charm_dir: Path) -> list[ModuleType]:
    """Import the handler modules under the charm's discovery roots, in sorted order.

    ``reactive/a.py`` is imported as ``reactive.a`` and ``hooks/relations/pgsql/requires.py``
    as ``relations.pgsql.requires``, as charms.reactive does; the charm directory and its
    ``hooks/`` directory are added to the end of ``sys.path``. Unlike charms.reactive,
    directories and files are visited in sorted order, so the order does not depend on the
    filesystem.
    """
    _switch_charm(charm_dir)
    modules: list[ModuleType] = []
    for root_name in DISCOVERY_ROOTS:
        root = charm_dir / root_name
        if not root.is_dir():
            continue
        package = root.name
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
            for filename in sorted(filenames):
                if not filename.endswith('.py'):
                    continue
                relative = Path(dirpath, filename).relative_to(root).with_suffix('')
                parts = [package, *relative.parts]
                if parts[-1] == '__init__':
                    parts.pop()
                with importing_handler_modules():
                    modules.append(importlib.import_module('.'.join(parts)))
    return modules


# The charm directories discover_modules() put on sys.path (one charm at a time).
_added_paths: list[str] = []


def _switch_charm(charm_dir: Path) -> None:
    """Put *charm_dir* on sys.path, dropping another charm's paths and modules first, so
    two charms loaded one after the other in one process (tests) never mix handlers."""
    wanted = [str(charm_dir), str(charm_dir / 'hooks')]
    if _added_paths == wanted:
        return
    stale = [name for name in sys.modules
             if name.split('.')[0] in ('reactive', 'relations', 'interfaces')]
    if _added_paths or stale:  # another charm was loaded in this process: forget it
        for path in _added_paths:
            while path in sys.path:
                sys.path.remove(path)
        for name in stale:
            del sys.modules[name]
        # Only then: it makes every later import list its directories again (milliseconds).
        importlib.invalidate_caches()
    _added_paths[:] = wanted
    sys.path.extend(path for path in wanted if path not in sys.path)
