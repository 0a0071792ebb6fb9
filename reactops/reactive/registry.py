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
from types import FunctionType, ModuleType

from .._private.typing import TYPE_CHECKING
from ..errors import HandlerDefinitionError
from ._declared import DECLARED
from ._detect import DISCOVERY_ROOTS
from ._runtime import importing_handler_modules
from .decorators import handler_spec, takes_arguments
from .predicates import HOOKS, MAIN, RESTRICTED, HookMatches

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from .decorators import HandlerSpec
    from .predicates import Predicate

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
    """The handlers of one dispatch, in registration order.

    It holds two kinds of entries. Handler objects added one by one (:meth:`add`, the
    charm's decorated methods, endpoint methods, legacy functions), and the module-level
    functions of the modules given to :meth:`collect`, which stay in the declaration
    index (:mod:`._declared`) until a dispatch needs them: :meth:`may_be_ready` and
    :meth:`readers_of` make Handler objects only for what they return, so a dispatch of a
    charm with thousands of handlers pays for the few that may run, not for every one.
    Asking for every handler (iterating, :func:`len`, :meth:`ordered`, :meth:`get`) makes
    them all, for the flag graph and tools that want the whole picture.
    """

    def __init__(self, handlers: Iterable[Handler] = ()):
        self._eager: list[Handler] = []
        self._ids: set[str] = set()
        # Handler id -> its place in registration order: (0, decoration order, n) for
        # what collect() found (module functions n=0), (1, n) for handlers added later.
        self._keys: dict[str, tuple[int, ...]] = {}
        self._index: dict[str, list[Handler]] | None = None  # flag -> eager readers
        self._requiring: tuple[dict[str, list[Handler]], list[Handler]] | None = None
        self._modules: dict[str, ModuleType] = {}  # whose functions are registered lazily
        self._charm_dir: Path | str | None = None
        self._resolved: dict[int, Handler | None] = {}  # id(spec) -> its handler, if any
        self._by_spec: dict[str, dict[int, Callable[..., Any]]] = {}  # module -> id(spec) -> value
        self._prioritised: bool | None = None
        self._every: list[Handler] | None = None
        self._added = 0
        for handler in handlers:
            self.add(handler)

    # -- adding ------------------------------------------------------------------------

    def add(self, handler: Handler) -> None:
        """Register *handler*; the same id twice is an error."""
        self._add(handler, (1, self._added))
        self._added += 1

    def _add(self, handler: Handler, key: tuple[int, ...]) -> None:
        self._claim(handler, key)
        self._eager.append(handler)
        self._index = None
        self._prioritised = None
        self._every = None

    def _claim(self, handler: Handler, key: tuple[int, ...]) -> None:
        if handler.id in self._ids:
            raise HandlerDefinitionError(f'two handlers have the id {handler.id!r}')
        self._ids.add(handler.id)
        self._keys[handler.id] = key

    def add_function(self, func: Callable[..., Any], *, charm_dir: Path | str | None = None,
                     bound_to: Any = None) -> Handler:
        """Register a decorated function (or, with *bound_to*, a method of that object)."""
        handler = self._function_handler(func, charm_dir, bound_to)
        self.add(handler)
        return handler

    def _function_handler(self, func: Callable[..., Any], charm_dir: Path | str | None,
                          bound_to: Any) -> Handler:
        spec = handler_spec(func)
        if spec is None:
            raise HandlerDefinitionError(f'{func!r} has no handler decorators')
        action = func.__get__(bound_to, type(bound_to)) if bound_to is not None else func
        return Handler(handler_id(func, charm_dir), action, list(spec.predicates), spec,
                       is_method=bound_to is not None)

    def add_endpoint_method(self, func: Callable[..., Any], endpoint: Any, *,
                            charm_dir: Path | str | None = None) -> Handler:
        """Register a decorated method of an Endpoint subclass for one *endpoint*.

        ``{endpoint_name}`` in its flags and hook patterns becomes the endpoint's name,
        the id gets ``:<endpoint name>`` appended, and ``self`` is *endpoint*.
        """
        handler = self._endpoint_handler(func, endpoint, charm_dir)
        self.add(handler)
        return handler

    def _endpoint_handler(self, func: Callable[..., Any], endpoint: Any,
                          charm_dir: Path | str | None) -> Handler:
        spec = handler_spec(func)
        if spec is None:
            raise HandlerDefinitionError(f'{func!r} has no handler decorators')
        name: str = endpoint.endpoint_name
        predicates = [_for_endpoint(p, name) for p in spec.predicates]
        return Handler(f'{handler_id(func, charm_dir)}:{name}',
                       func.__get__(endpoint, type(endpoint)), predicates, spec,
                       is_method=True, endpoint_name=name)

    @classmethod
    def collect(cls, modules: Iterable[ModuleType] = (), charm: Any = None, *,
                charm_dir: Path | str | None = None, endpoints: Iterable[Any] = (),
                functions: Iterable[Callable[..., Any]] = ()) -> HandlerRegistry:
        """Build a registry from the handlers defined in *modules*, on *charm*'s class
        and on the classes of *endpoints* (once per endpoint, see
        :meth:`add_endpoint_method`).

        Handlers are registered in the order they were decorated (an endpoint method
        used by several endpoints: in endpoint-name order). A module's functions are
        those that are its attributes and were defined in it (one imported from another
        module is registered there).
        """
        registry = cls()
        registry._charm_dir = charm_dir
        for module in modules:
            registry._modules.setdefault(module.__name__, module)
        found: list[tuple[int, Callable[..., Any], Any]] = []
        seen: set[int] = set()

        def consider(value: Any, bound: Any) -> None:
            spec = handler_spec(value)
            if spec is None or id(value) in seen or registry._lazily_registered(spec):
                return
            seen.add(id(value))
            found.append((spec.order, value, bound))

        for value in functions:  # e.g. @hook methods of legacy RelationBase classes
            consider(value, None)
        if charm is not None:
            for klass in reversed(type(charm).__mro__):
                for value in list(vars(klass).values()):
                    if isinstance(value, FunctionType):
                        consider(value, charm)
        for endpoint in endpoints:  # already in name order
            for klass in reversed(type(endpoint).__mro__):
                for value in vars(klass).values():
                    spec = handler_spec(value) if isinstance(value, FunctionType) else None
                    if spec is not None:
                        found.append((spec.order, value, _EndpointBinding(endpoint)))
        for n, (order, func, bound) in enumerate(sorted(found, key=lambda item: item[0])):
            if isinstance(bound, _EndpointBinding):
                handler = registry._endpoint_handler(func, bound.endpoint, charm_dir)
            else:
                handler = registry._function_handler(func, charm_dir, bound)
            registry._add(handler, (0, order, n + 1))
        return registry

    # -- the lazily registered module functions -----------------------------------------

    def _lazily_registered(self, spec: HandlerSpec) -> bool:
        return spec.module in self._modules and self._resolve(spec) is not None

    def _resolve(self, spec: HandlerSpec) -> Handler | None:
        """The handler of a declared function of a collected module (``None``: it is not
        one, e.g. a method, or a function no longer the module's attribute)."""
        try:
            return self._resolved[id(spec)]
        except KeyError:
            pass
        handler = None
        module = self._modules.get(spec.module or '')
        if module is not None and spec.func is not None:
            value = vars(module).get(getattr(spec.func, '__name__', ''))
            if value is None or handler_spec(value) is not spec \
                    or getattr(value, '__module__', None) != module.__name__:
                value = self._values_by_spec(module).get(id(spec))
            if value is not None:
                handler = Handler(handler_id(value, self._charm_dir), value,
                                  list(spec.predicates), spec)
                self._claim(handler, (0, spec.order, 0))
        self._resolved[id(spec)] = handler
        return handler

    def _values_by_spec(self, module: ModuleType) -> dict[int, Callable[..., Any]]:
        """id(spec) -> the module attribute carrying it (for a handler renamed or
        wrapped), first one wins as in a scan of the module; made once per module."""
        table = self._by_spec.get(module.__name__)
        if table is None:
            table = {}
            for value in list(vars(module).values()):
                spec = handler_spec(value) if callable(value) else None
                if spec is not None and id(spec) not in table \
                        and getattr(value, '__module__', None) == module.__name__:
                    table[id(spec)] = value
            self._by_spec[module.__name__] = table
        return table

    def _declared(self, table: dict[str, dict[int, HandlerSpec]]) -> list[Handler]:
        """The handlers of the collected modules' specs in one of DECLARED's tables."""
        found: list[Handler] = []
        for name in self._modules:
            for spec in list(table.get(name, {}).values()):
                handler = self._resolve(spec)
                if handler is not None:
                    found.append(handler)
        return found

    # -- what a dispatch asks --------------------------------------------------------------

    def may_be_ready(self, set_flags: Iterable[str]) -> list[Handler]:
        """Every handler that may be ready while exactly *set_flags* are set, in dispatch
        order: all but those whose required flags (see
        :meth:`~reactops.reactive.predicates.Predicate.required_flags`) are all unset."""
        found: dict[str, Handler] = {h.id: h for h in self._declared(DECLARED.free)}
        eager_requiring, eager_free = self._eager_requiring()
        for handler in eager_free:
            found[handler.id] = handler
        declared, modules = DECLARED.requiring, self._modules
        for flag in set_flags:
            for spec in declared.get(flag, ()):
                if spec.module in modules:
                    resolved = self._resolve(spec)
                    if resolved is not None:
                        found[resolved.id] = resolved
            for handler in eager_requiring.get(flag, ()):
                found[handler.id] = handler
        return self.in_dispatch_order(found.values())

    def _eager_requiring(self) -> tuple[dict[str, list[Handler]], list[Handler]]:
        """The handlers added as objects: flag -> those requiring it, and those requiring
        none (made again when a handler is added, or when the ``_index`` is dropped)."""
        if self._index is None or self._requiring is None:
            self._index = None
            self._eager_index()
        assert self._requiring is not None
        return self._requiring

    def requires_flag_under(self, prefix: str) -> bool:
        """Whether a registered handler requires a flag starting with *prefix* (so a
        family of automatic flags computed on first use must be computed first)."""
        if any(flag.startswith(prefix) for flag in self._eager_requiring()[0]):
            return True
        dot = prefix.find('.')
        flags = DECLARED.required_by_segment.get(prefix[:dot], ()) if dot > 0 \
            else list(DECLARED.requiring)  # only flags with a dot are indexed by segment
        for flag in flags:
            if flag.startswith(prefix) and any(
                    spec.module in self._modules and self._resolve(spec) is not None
                    for spec in DECLARED.requiring.get(flag, ())):
                return True
        return False

    def readers_of(self, flag: str) -> list[Handler]:
        """The handlers whose predicates read *flag*, in registration order."""
        readers = self._eager_index().get(flag, [])
        declared = DECLARED.readers.get(flag)
        if declared:
            lazy: dict[str, Handler] = {}
            for spec in declared:
                if spec.module in self._modules:
                    found = self._resolve(spec)
                    if found is not None:
                        lazy[found.id] = found
            if lazy:
                readers = sorted([*readers, *lazy.values()], key=self._registration_key)
        return readers

    def _eager_index(self) -> dict[str, list[Handler]]:
        """Flag -> the handlers added as objects that read it (and, beside it, the
        table of :meth:`_eager_requiring`)."""
        if self._index is None:
            index: dict[str, list[Handler]] = {}
            requiring: dict[str, list[Handler]] = {}
            free: list[Handler] = []
            for handler in self._eager:
                for name in handler.flags:
                    index.setdefault(name, []).append(handler)
                required = next((flags for p in handler.predicates
                                 if (flags := p.required_flags()) is not None), None)
                if required is None:
                    free.append(handler)
                for name in required or ():
                    requiring.setdefault(name, []).append(handler)
            self._index = index
            self._requiring = (requiring, free)
        return self._index

    def without_rerun(self) -> list[Handler]:
        """The handlers declared with ``rerun=False``."""
        return [*self._declared(DECLARED.no_rerun),
                *(h for h in self._eager if not h.spec.rerun)]

    def size_bound(self) -> int:
        """At least the number of handlers, without making them: the functions declared
        in the collected modules (methods among them) plus the handlers added."""
        return len(self._eager) + sum(len(DECLARED.by_module.get(name, ()))
                                      for name in self._modules)

    def in_dispatch_order(self, handlers: Iterable[Handler]) -> list[Handler]:
        """*handlers* sorted as they run: by priority, then registration order."""
        if self._has_priorities():
            return sorted(handlers, key=self._dispatch_key)
        return sorted(handlers, key=self._registration_key)

    def _registration_key(self, handler: Handler) -> tuple[int, ...]:
        return self._keys[handler.id]

    def _dispatch_key(self, handler: Handler) -> tuple[Any, ...]:
        return (handler.priority, handler.spec.order, self._keys[handler.id])

    def _has_priorities(self) -> bool:
        if self._prioritised is None:
            self._prioritised = any(h.spec.priority for h in self._eager) or \
                bool(self._declared(DECLARED.prioritized))
        return self._prioritised

    # -- the whole picture -------------------------------------------------------------

    def _all(self) -> list[Handler]:
        """Every handler, in registration order."""
        if self._every is None:
            handlers = list(self._eager)
            for name in self._modules:
                for spec in list(DECLARED.by_module.get(name, ())):
                    handler = self._resolve(spec)
                    if handler is not None:
                        handlers.append(handler)
            self._every = sorted(handlers, key=self._registration_key)
        return self._every

    def ordered(self) -> list[Handler]:
        """Handlers in dispatch order: by priority, then registration order."""
        return self.in_dispatch_order(self._all())

    def get(self, handler_id: str) -> Handler:
        """The handler with this id (``KeyError`` if none)."""
        for handler in self._all():
            if handler.id == handler_id:
                return handler
        raise KeyError(handler_id)

    def __iter__(self) -> Iterator[Handler]:
        return iter(list(self._all()))

    def __len__(self) -> int:
        return len(self._all())


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


def handler_id(func: Callable[..., Any], charm_dir: Path | str | None = None) -> str:
    """``<file relative to the charm>:<line>:<qualified name>``, as charms.reactive logs it."""
    code = getattr(func, '__code__', None)
    name = getattr(func, '__qualname__', getattr(func, '__name__', repr(func)))
    if code is None:
        return name
    filename = code.co_filename
    if charm_dir is not None:
        filename = _relative(filename, os.fspath(charm_dir))
    return f'{filename}:{code.co_firstlineno}:{name}'


_RELATIVE: dict[tuple[str, str], str] = {}  # (file, charm dir) -> the name ids use


def _relative(filename: str, charm_dir: str) -> str:
    """*filename* relative to *charm_dir* when inside it (worked out once per file: a
    module of a thousand handlers would otherwise pay relpath a thousand times)."""
    key = (filename, charm_dir)
    relative = _RELATIVE.get(key)
    if relative is None:
        try:
            relative = os.path.relpath(filename, charm_dir)
        except ValueError:
            relative = filename
        if relative.startswith('..'):
            relative = filename
        _RELATIVE[key] = relative
    return relative


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


def discover_modules(charm_dir: Path | str) -> list[ModuleType]:
    """Import the handler modules under the charm's discovery roots, in sorted order.

    ``reactive/a.py`` is imported as ``reactive.a`` and ``hooks/relations/pgsql/requires.py``
    as ``relations.pgsql.requires``, as charms.reactive does; the charm directory and its
    ``hooks/`` directory are added to the end of ``sys.path``. Unlike charms.reactive,
    directories and files are visited in sorted order, so the order does not depend on the
    filesystem.
    """
    charm_dir = os.fspath(charm_dir)
    _switch_charm(charm_dir)
    modules: list[ModuleType] = []
    for root_name in DISCOVERY_ROOTS:
        root = os.path.join(charm_dir, root_name)
        if not os.path.isdir(root):
            continue
        package = os.path.basename(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
            inside = os.path.relpath(dirpath, root)
            prefix = [package] if inside == '.' else [package, *inside.split(os.sep)]
            for filename in sorted(filenames):
                if not filename.endswith('.py'):
                    continue
                parts = [*prefix, filename[:-3]]
                if parts[-1] == '__init__':
                    parts.pop()
                with importing_handler_modules():
                    modules.append(importlib.import_module('.'.join(parts)))
    return modules


# The charm directories discover_modules() put on sys.path (one charm at a time).
_added_paths: list[str] = []


def _switch_charm(charm_dir: Path | str) -> None:
    """Put *charm_dir* on sys.path, dropping another charm's paths and modules first, so
    two charms loaded one after the other in one process (tests) never mix handlers."""
    directory = os.fspath(charm_dir)
    wanted = [directory, os.path.join(directory, 'hooks')]
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
