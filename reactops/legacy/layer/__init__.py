"""``charms.layer`` as reactops provides it: the charm's ``lib/charms/layer`` libraries,
plus reactops' own ``options`` and ``basic`` modules."""

from __future__ import annotations

import importlib
import os
import sys

__all__ = ['import_layer_libs']


def import_layer_libs() -> None:
    """Import every layer library under ``charms/layer`` on ``sys.path`` (their import
    may register hooks or triggers, as in layer-basic)."""
    package = sys.modules.get('charms.layer')
    for directory in list(getattr(package, '__path__', [])):
        for entry in sorted(os.listdir(directory)):
            name, ext = os.path.splitext(entry)
            if entry.startswith('_') or (ext != '.py' and not os.path.isdir(
                    os.path.join(directory, entry))):
                continue
            importlib.import_module(f'charms.layer.{name}')
