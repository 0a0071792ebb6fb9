"""``charms.layer`` as reactops provides it: the charm's ``lib/charms/layer`` libraries,
plus reactops' own ``options`` and ``basic`` modules.

layer-basic's ``charms/layer/__init__.py`` imported every layer library at the start of a
hook (``import_layer_libs()``), so that ``from charms import layer`` followed by
``layer.status.maintenance(...)`` worked without importing ``charms.layer.status``. Here a
library is imported the first time it is named as an attribute of the package
(:func:`library`), in a hook, an action or a test alike, and a library that no code names
is never imported. :func:`import_layer_libs` still imports them all, for code that calls it.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

__all__ = ['import_layer_libs', 'patch_options_interface']

# Modules of layer-basic that import_layer_libs() left alone (reactops' own, or harmless).
_NOT_LIBRARIES = frozenset({'basic', 'execd'})
# reactops' own modules of the package: importable whatever the charm ships.
_OWN = frozenset({'basic', 'options'})


def _directories() -> list[str]:
    return list(getattr(sys.modules.get('charms.layer'), '__path__', []))


def _libraries() -> list[str]:
    """The names of the layer libraries on ``sys.path`` (a module or a package each)."""
    found: list[str] = []
    for directory in _directories():
        for entry in sorted(os.listdir(directory)):
            name, ext = os.path.splitext(entry)
            if entry.startswith('_') or name in found:
                continue
            if ext == '.py' or os.path.isdir(os.path.join(directory, entry)):
                found.append(name)
    return found


def import_layer_libs() -> None:
    """Import every layer library under ``charms/layer`` on ``sys.path`` (their import
    may register hooks or triggers, as in layer-basic)."""
    for name in _libraries():
        if name not in _NOT_LIBRARIES:
            importlib.import_module(f'charms.layer.{name}')


def patch_options_interface() -> None:
    """Nothing to patch: ``charms.layer.options`` is already callable
    (``layer.options('apt')``) as well as a module (``layer.options.get('apt')``)."""


def library(name: str) -> ModuleType:
    """``charms.layer.<name>`` imported on first use, as the package's ``__getattr__``.

    Raises :class:`AttributeError` when no layer library of that name is on ``sys.path``,
    so ``hasattr(layer, 'nagios')`` tells whether the charm ships it.
    """
    if name.startswith('__') or (name not in _OWN and name not in _libraries()):
        raise AttributeError(
            f"module 'charms.layer' has no attribute {name!r}: no layer library "
            f"charms/layer/{name}.py (or package) in the charm's lib/ or on sys.path")
    return importlib.import_module(f'charms.layer.{name}')
