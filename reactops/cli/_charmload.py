"""Load a charm directory's handlers without running a hook, for ``graph``, ``check``
and ``explain``.

The handlers are found as a dispatch finds them (the modules under the discovery roots,
the decorated methods of the charm class in ``src/charm.py``, the methods of the
endpoints' interface layers, legacy ``RelationBase`` hooks) and get the same ids, so a
dispatch trace of the charm matches them. Methods that are no handlers but set flags
(ops-style observers, an interface layer's ``manage_flags``) are collected too, for the
graph's ``observer`` nodes, and so are the functions of the charm's ``charms.*`` libraries
in ``lib/`` that change flags (``library`` nodes). Nothing is called: handler modules are
imported, as ``main()`` imports them, with the charm's ``lib/``, ``venv/`` and ``src/``
on ``sys.path`` as its ``dispatch`` script puts them there.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._common import CliError

if TYPE_CHECKING:
    from ..meta import CharmMeta
    from ..reactive.graph import FlagGraph
    from ..reactive.registry import HandlerRegistry

__all__ = ['LoadedCharm', 'load_charm']

# Top-level package names of handler modules; dropped before each load so a second load
# in one process (tests) imports the files afresh and registers their triggers again.
_HANDLER_PACKAGES = ('reactive', 'relations', 'interfaces')
# Imports that make a handler module legacy (charms.reactive + charmhelpers + layers).
_LEGACY_PACKAGES = ('charms.reactive', 'charms.layer', 'charmhelpers')


@dataclass
class LoadedCharm:
    """A charm's metadata and handlers, loaded for inspection.

    *observers* are the methods that are no handlers but set or clear flags with literal
    names: ops-style observers of a mixed charm, an endpoint's ``manage_flags``. Each is
    (the id a handler there would have, the function, its endpoint's name or None).
    """

    charm_dir: Path
    meta: CharmMeta
    registry: HandlerRegistry
    triggers: tuple[Any, ...]
    observers: list[tuple[str, Any, str | None]]
    #: Legacy ``RelationBase`` handler id -> the endpoints its class serves.
    relation_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (id, function) of the charm's library functions that change flags.
    libraries: list[tuple[str, Any]] = field(default_factory=list)

    def graph(self, automatic_prefixes: tuple[str, ...] = (),
              trace: dict[str, Any] | None = None) -> FlagGraph:
        """The flag graph of these handlers; *automatic_prefixes* are added to the
        default ones; *trace* (a stored dispatch trace) adds what the dispatch saw."""
        from ..reactive.graph import DEFAULT_AUTOMATIC_PREFIXES, FlagGraph

        prefixes = (*DEFAULT_AUTOMATIC_PREFIXES, *automatic_prefixes)
        graph = FlagGraph.from_registry(self.registry, triggers=self.triggers,
                                        automatic_prefixes=prefixes,
                                        relation_names=self.relation_names)
        for observer_id, function, endpoint_name in self.observers:
            graph.add_observer(observer_id, function, endpoint_name=endpoint_name)
        for library_id, function in self.libraries:
            graph.add_observer(library_id, function, is_method=False, phase='library')
        if trace is not None:
            graph.merge_trace(trace)
        return graph

    def relative(self, file: str | None) -> str | None:
        """*file* relative to the charm directory when it is inside it."""
        if file is None:
            return None
        try:
            return str(Path(file).resolve().relative_to(self.charm_dir))
        except ValueError:
            return file


def load_charm(charm_dir: str | Path) -> LoadedCharm:
    """Import the handlers of the charm in *charm_dir* and collect them in a registry.

    Raises :class:`CliError` naming the file when a module fails to import.
    """
    from ..meta import CharmMeta
    from ..reactive import _runtime
    from ..reactive.registry import HandlerRegistry, discover_modules

    root = Path(charm_dir).resolve()
    if not root.is_dir():
        raise CliError(f'{charm_dir} is not a directory; give the directory of a charm '
                       '(the one with charmcraft.yaml or metadata.yaml)')
    meta = CharmMeta.from_charm_root(root)
    _runtime.reset_default()  # triggers registered at import by a charm loaded before
    for name in list(sys.modules):
        if name.split('.')[0] in _HANDLER_PACKAGES:
            del sys.modules[name]
    with _charm_paths(root), _legacy_names(root), _naming_the_file(root):
        modules = discover_modules(root)
        charm_class = _charm_class(root)
        # Made without __init__ (which needs a running dispatch): the registry only binds
        # the methods to it, and nothing calls them.
        charm = object.__new__(charm_class) \
            if charm_class is not None and _has_handlers(charm_class) else None
        endpoint_classes = _endpoint_classes(root, meta)
        functions: list[Any] = []
        if meta.relations:
            from ..reactive.relations import relation_base_handlers

            modules += _interface_modules(endpoint_classes, modules)
            functions = [f for m in modules for f in relation_base_handlers(m)]
        registry = HandlerRegistry.collect(modules, charm, charm_dir=root, functions=functions)
        for name, cls in endpoint_classes:
            _add_endpoint_methods(registry, cls, name, root)
        libraries = _library_functions(root)  # while the shim still has the modules
    observers = _observers(charm_class, root, None)
    for name, cls in endpoint_classes:
        observers += _observers(cls, root, name)
    legacy = {id(f) for f in functions}
    relation_names = {h.id: _served_endpoints(h.action, root, meta) for h in registry
                      if id(getattr(h.action, '__func__', h.action)) in legacy}
    return LoadedCharm(root, meta, registry, tuple(_runtime.static_trigger_flags()),
                       observers, {k: v for k, v in relation_names.items() if v},
                       libraries)


def _served_endpoints(function: Any, root: Path, meta: CharmMeta) -> tuple[str, ...]:
    """The endpoints a legacy ``RelationBase`` handler serves: those of the interface and
    role of its file, ``hooks/relations/<interface>/<role>.py``."""
    file = inspect.getsourcefile(function)
    try:
        parts = Path(file or '').resolve().relative_to(root / 'hooks' / 'relations').parts
    except ValueError:
        return ()
    if len(parts) != 2:
        return ()
    interface, role = parts[0], Path(parts[1]).stem
    return tuple(sorted(name for name, rel in meta.relations.items()
                        if rel.interface_name == interface
                        and {'peer': 'peers'}.get(rel.role.value, rel.role.value) == role))


@contextlib.contextmanager
def _charm_paths(root: Path) -> Iterator[None]:
    """The charm's ``lib/``, ``venv/`` and ``src/`` first on ``sys.path`` while loading."""
    paths = [str(root / sub) for sub in ('lib', 'venv', 'src') if (root / sub).is_dir()]
    sys.path[:0] = paths
    try:
        yield
    finally:
        for path in paths:
            if path in sys.path:
                sys.path.remove(path)


@contextlib.contextmanager
def _legacy_names(root: Path) -> Iterator[None]:
    """While loading a legacy charm (its handler modules import ``charms.reactive``,
    ``charms.layer`` or ``charmhelpers``), those names resolve to reactops' shim, as in
    its hooks; the shim is taken away again unless it was there before."""
    from .. import legacy

    if legacy.is_installed() or not _imports_legacy(root):
        yield
        return
    legacy.install()
    try:
        yield
    finally:
        legacy.uninstall()


def _imports_legacy(root: Path) -> bool:
    """Whether a handler module of the charm names a legacy package (a text search: a
    false hit only installs the shim, which answers nothing else)."""
    from ..reactive._detect import DISCOVERY_ROOTS

    for sub in DISCOVERY_ROOTS:
        for path in sorted((root / sub).rglob('*.py')) if (root / sub).is_dir() else ():
            try:
                text = path.read_text(encoding='utf-8', errors='replace')
            except OSError:
                continue
            if any(name in text for name in _LEGACY_PACKAGES):
                return True
    return False


@contextlib.contextmanager
def _naming_the_file(root: Path) -> Iterator[None]:
    """Turn an exception raised while importing the charm's files into one line naming
    the charm file (and line) where it happened."""
    try:
        yield
    except CliError:
        raise
    except Exception as exc:
        where = _charm_frame(exc, root)
        what = ' '.join(f'{type(exc).__name__}: {exc}'.split())
        if isinstance(exc, ModuleNotFoundError):  # the message says what to pack
            raise CliError(f'cannot load the handlers of {root}: importing {where} raised '
                           f'{what}') from exc
        hint = ('handler modules may reach the charm (current_charm(), config, relations) '
                'only inside handlers, not when they are imported')
        raise CliError(f'cannot load the handlers of {root}: importing {where} raised {what}; '
                       f'fix the module ({hint})') from exc


def _charm_frame(exc: BaseException, root: Path) -> str:
    """``reactive/app.py:12``: the deepest place inside the charm the error passed."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return _within(exc.filename, exc.lineno, root) or exc.filename
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        found = _within(frame.filename, frame.lineno, root) or found
    return found or 'a module of the charm'


def _within(filename: str, line: int | None, root: Path) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(root)
    except (ValueError, OSError):
        return None
    return f'{relative}:{line}' if line else str(relative)


def _charm_class(root: Path) -> type[Any] | None:
    """The charm class of ``src/charm.py`` (the most derived CharmBase subclass it
    defines), or None."""
    from ..charm import CharmBase

    source = root / 'src' / 'charm.py'
    if not source.is_file():
        return None
    module = _import_file(source, f'_reactops_cli_charm_{abs(hash(str(source))):x}')
    found = [obj for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, CharmBase)
             and obj.__module__ == module.__name__]
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) > 1:
        names = ', '.join(sorted(c.__name__ for c in leaves))
        raise CliError(f'{source} defines several charm classes ({names}); a charm has one '
                       '(move the others to a module under lib/)')
    return leaves[0] if leaves else None


def _has_handlers(charm_class: type[Any]) -> bool:
    from ..reactive.decorators import handler_spec

    return any(
        handler_spec(value) is not None for klass in charm_class.__mro__
        for value in vars(klass).values() if inspect.isfunction(value))


def _observers(cls: type[Any] | None, root: Path,
               endpoint_name: str | None) -> list[tuple[str, Any, str | None]]:
    """The methods of a charm or endpoint class that are no handlers but change flags
    literally (reactops's own base classes excluded; its interface layers included)."""
    if cls is None:
        return []
    from ..reactive._graph_ast import function_facts
    from ..reactive.decorators import handler_spec
    from ..reactive.registry import handler_id

    found = []
    for klass in reversed(cls.__mro__):
        module = klass.__module__
        if module.startswith('reactops.') and not module.startswith('reactops.layers.'):
            continue
        for value in vars(klass).values():
            if inspect.isfunction(value) and handler_spec(value) is None and \
                    function_facts(value, endpoint_name).writes:
                ident = handler_id(value, root)
                if endpoint_name is not None:
                    ident = f'{ident}:{endpoint_name}'
                found.append((ident, value, endpoint_name))
    return found


def _library_functions(root: Path) -> list[tuple[str, Any]]:
    """The functions (and methods) of the charm's ``charms.*`` libraries in ``lib/`` that
    loading imported and that change flags: layer-apt's ``queue_install()`` sets
    ``apt.queued_installs`` for the handlers waiting on it."""
    from ..reactive._graph_ast import function_facts
    from ..reactive.registry import handler_id

    lib = root / 'lib'
    found = []
    for name, module in sorted(sys.modules.items()):
        file = getattr(module, '__file__', None)
        if not name.startswith('charms.') or not file or not _inside(file, lib):
            continue
        for value in _functions_of(module):
            facts = function_facts(value)
            if facts.writes or facts.prefix_writes:
                found.append((handler_id(value, root), value))
    return found


def _inside(file: str, directory: Path) -> bool:
    try:
        Path(file).resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


def _functions_of(module: ModuleType) -> list[Any]:
    """The functions a module defines, and the methods of the classes it defines."""
    found = []
    for value in vars(module).values():
        if getattr(value, '__module__', None) != module.__name__:
            continue
        if inspect.isfunction(value):
            found.append(value)
        elif inspect.isclass(value):
            found += [v for v in vars(value).values() if inspect.isfunction(v)]
    return found


def _import_file(source: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _endpoint_classes(root: Path, meta: CharmMeta) -> list[tuple[str, type[Any]]]:
    """(endpoint name, Endpoint class) for each relation endpoint, as a dispatch picks
    them: the charm's interface layers, installed ones, the built-ins, else Endpoint."""
    if not meta.relations:
        return []
    from ..reactive.endpoint import Endpoint, find_endpoint_class

    found = []
    for name in sorted(meta.relations):
        rel_meta = meta.relations[name]
        role = {'peer': 'peers'}.get(rel_meta.role.value, rel_meta.role.value)
        cls = find_endpoint_class(root, rel_meta.interface_name, role) or Endpoint
        found.append((name, cls))
    return found


def _interface_modules(classes: list[tuple[str, type[Any]]],
                       known: list[ModuleType]) -> list[ModuleType]:
    """The charm's own ``interfaces/`` modules of the endpoint classes, which discovery
    did not import, so their module-level handlers count too (as in a dispatch)."""
    seen = {id(module) for module in known}
    extra = []
    for _, cls in classes:
        module = sys.modules.get(cls.__module__)
        if module is not None and id(module) not in seen and \
                module.__name__.split('.')[0] == 'interfaces':
            seen.add(id(module))
            extra.append(module)
    return extra


@dataclass(frozen=True)
class _EndpointStandIn:
    """What an endpoint handler is bound to here: only its name is read, never called.
    (A real Endpoint needs the model of a running dispatch.)"""

    endpoint_name: str


def _add_endpoint_methods(registry: HandlerRegistry, cls: type[Any], name: str,
                          root: Path) -> None:
    from ..reactive.decorators import handler_spec

    methods = []
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            spec = handler_spec(value) if inspect.isfunction(value) else None
            if spec is not None:
                methods.append((spec.order, value))
    for _, method in sorted(methods, key=lambda item: item[0]):
        registry.add_endpoint_method(method, _EndpointStandIn(name), charm_dir=root)
