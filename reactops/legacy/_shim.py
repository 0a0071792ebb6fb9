"""The import shim: ``charms.reactive`` and parts of ``charmhelpers`` resolve to reactops.

:func:`install` puts one finder first on :data:`sys.meta_path`. It answers only for the
names in :data:`ALIASES` (each an alias of a reactops module, imported when first used)
and for the packages around them:

* ``charms`` is a namespace package over every ``charms/`` directory on ``sys.path``
  (the charm's ``lib/charms``), so ``charms.layer.status`` or ``charms.apt`` from the
  charm's ``lib/`` import as before;
* ``charms.layer`` is a package over every ``charms/layer`` directory, standing in for
  layer-basic's: its ``options`` and ``basic`` modules are reactops' own, every other
  library is the charm's, imported when first named (``layer.status.maintenance(...)``
  with only ``from charms import layer``), and ``import_layer_libs()`` imports them all;
* ``charmhelpers`` and ``charmhelpers.core`` are the real packages when the charm packs
  charmhelpers (so ``charmhelpers.fetch`` and ``charmhelpers.core.host`` are that copy's),
  else empty packages: then ``charmhelpers.core.host`` is reactops' file helpers and any
  other charmhelpers module fails to import with a message naming the package to pack.

Nothing of this happens on ``import reactops``: only :func:`install` (or the legacy
entry point) changes the import system. While installed, legacy code outside a dispatch
reads and writes flags in the unit's state file (:mod:`._standalone`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ['ALIASES', 'install', 'is_installed', 'uninstall']

#: Legacy module name -> the reactops module it is.
ALIASES: dict[str, str] = {
    'charms.reactive': 'reactops.legacy.reactive',
    'charms.reactive.bus': 'reactops.legacy.reactive.bus',
    'charms.reactive.flags': 'reactops.legacy.reactive.flags',
    'charms.reactive.decorators': 'reactops.legacy.reactive.decorators',
    'charms.reactive.helpers': 'reactops.legacy.reactive.helpers',
    'charms.reactive.relations': 'reactops.legacy.reactive.relations',
    'charms.reactive.endpoints': 'reactops.legacy.reactive.endpoints',
    'charms.reactive.trace': 'reactops.legacy.reactive.trace',
    'charms.reactive.cli': 'reactops.legacy.reactive.cli',
    'charms.reactive.patterns': 'reactops.legacy.reactive.patterns',
    'charms.reactive.patterns.request_response':
        'reactops.legacy.reactive.patterns.request_response',
    'charms.layer.options': 'reactops.legacy.layer.options',
    'charms.layer.basic': 'reactops.legacy.layer.basic',
    'charmhelpers.core.hookenv': 'reactops.legacy.hookenv',
    'charmhelpers.core.unitdata': 'reactops.legacy.unitdata',
    'charmhelpers.core.host': 'reactops.legacy.host',
}
# Aliases that give way to the charm's own charmhelpers when it packs one: reactops
# replaces only what it must to share the model and the state store.
_UNLESS_PACKED = frozenset({'charmhelpers.core.host'})
# Packages made here when nothing else provides them (name -> directory under each
# sys.path entry whose copies form its __path__, or None for an empty package).
_PACKAGES: dict[str, str | None] = {
    'charms': 'charms',
    'charms.layer': os.path.join('charms', 'layer'),
    'charmhelpers': None,
    'charmhelpers.core': None,
}


class _AliasLoader(importlib.abc.Loader):
    """Loads a legacy name as the reactops module it stands for (the same object)."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # Already executed under its own name; the import system gave it the alias's
        # spec, which would confuse its relative imports: give its own back.
        module.__spec__ = self._own_spec


class _PackageLoader(importlib.abc.Loader):
    """Makes a namespace-like package whose ``__path__`` is given by the finder."""

    def __init__(self, path: list[str]):
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = ModuleType(spec.name)
        module.__path__ = self.path
        return module

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ == 'charms.layer':
            from . import layer

            for name in layer.__all__:
                setattr(module, name, getattr(layer, name))
            module.__getattr__ = layer.library  # type: ignore[method-assign]


class LegacyFinder(importlib.abc.MetaPathFinder):
    """The meta-path finder :func:`install` adds; see the module docstring."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        alias = ALIASES.get(fullname)
        if alias is not None and not (fullname in _UNLESS_PACKED and _packed(fullname)):
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(alias),
                                                  is_package=_is_package(alias))
        if fullname not in _PACKAGES:
            if fullname.startswith('charms.'):
                _refresh_paths()  # lib/ may have joined sys.path since charms was made
            elif fullname.startswith('charmhelpers.') and alias is None and \
                    _is_stand_in(fullname.rpartition('.')[0]):
                # No name=: ``from charmhelpers import fetch`` would swallow an error
                # naming the module asked for and say only "cannot import name".
                raise ModuleNotFoundError(_not_packed(fullname))
            return None
        subdir = _PACKAGES[fullname]
        if subdir is None and _found_elsewhere(fullname, path):
            return None  # the real charmhelpers: its other modules keep working
        dirs = _package_dirs(subdir) if subdir is not None else []
        return importlib.machinery.ModuleSpec(fullname, _PackageLoader(dirs),
                                              is_package=True)


def _is_package(module: str) -> bool:
    return module.endswith(('.reactive', '.patterns'))


def _is_stand_in(package: str) -> bool:
    """Whether *package* (imported) is an empty package made here, not a real one."""
    spec = getattr(sys.modules.get(package), '__spec__', None)
    return isinstance(getattr(spec, 'loader', None), _PackageLoader)


def _packed(fullname: str) -> bool:
    """Whether the package of *fullname* is the charm's own charmhelpers."""
    package = fullname.rpartition('.')[0]
    return package in sys.modules and not _is_stand_in(package)


def _not_packed(fullname: str) -> str:
    provided = ', '.join(sorted(n for n in ALIASES if n.startswith('charmhelpers.')))
    return (f'No module named {fullname!r}: the charm packs no charmhelpers, and reactops '
            f'provides only {provided}. Pack charmhelpers with the charm (list it in the '
            "charm's requirements or wheelhouse, installed with the charm or in its lib/) "
            f'to use {fullname}, or replace the call (see docs/porting.md)')


def _found_elsewhere(fullname: str, path: Sequence[str] | None) -> bool:
    for finder in sys.meta_path:
        if isinstance(finder, LegacyFinder) or not hasattr(finder, 'find_spec'):
            continue
        if finder.find_spec(fullname, path) is not None:
            return True
    return False


def _package_dirs(subdir: str) -> list[str]:
    found: list[str] = []
    for entry in sys.path:
        candidate = os.path.join(entry or os.getcwd(), subdir)
        if os.path.isdir(candidate) and candidate not in found:
            found.append(candidate)
    return found


def _refresh_paths() -> None:
    for name, subdir in _PACKAGES.items():
        module = sys.modules.get(name)
        path = getattr(module, '__path__', None)
        if subdir is None or not isinstance(path, list):
            continue
        for directory in _package_dirs(subdir):
            if directory not in path:
                path.append(directory)


def install() -> None:
    """Make ``charms.reactive``, ``charms.layer.options``/``basic`` and
    ``charmhelpers.core.hookenv``/``unitdata`` resolve to reactops (idempotent).

    Modules of those names imported before (the real charms.reactive, say) are dropped
    from :data:`sys.modules`, so the next import gets reactops'.
    """
    if is_installed():
        return
    sys.meta_path.insert(0, LegacyFinder())
    for name in list(sys.modules):
        if name in ALIASES or name in ('charms', 'charms.layer') or \
                name.startswith('charms.reactive.'):
            del sys.modules[name]
    importlib.invalidate_caches()
    from ..reactive._runtime import answer_outside_dispatch

    answer_outside_dispatch(_outside_dispatch, _made_outside_dispatch)


def uninstall() -> None:
    """Undo :func:`install` (tests use it): the legacy names are forgotten, with any
    charmhelpers a charm packed, and so is the state legacy code kept outside a dispatch
    (its flags and kv changes not flushed are dropped, as at the end of a process)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, LegacyFinder)]
    for name in list(sys.modules):
        if name in ALIASES or name in _PACKAGES or name.startswith(('charms.',
                                                                     'charmhelpers.')):
            del sys.modules[name]
    from ..reactive._runtime import answer_outside_dispatch
    from ._session import forget

    answer_outside_dispatch(None)
    forget()


def _outside_dispatch() -> Any:
    from ._standalone import runtime

    return runtime()


def _made_outside_dispatch() -> Any:
    standalone = sys.modules.get(f'{__package__}._standalone')
    return standalone.made() if standalone is not None else None


def is_installed() -> bool:
    """Whether :func:`install` is in effect."""
    return any(isinstance(f, LegacyFinder) for f in sys.meta_path)
