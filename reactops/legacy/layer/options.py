"""``charms.layer.options``: the layer options of a built charm, from its ``layer.yaml``.

``charm build`` wrote every layer's options into the built ``layer.yaml`` with the
defaults filled in; :func:`get` reads them (``get('basic', 'use_venv')``). The module is
callable too, as layer-basic made it: ``layer.options('apt')`` is ``get('apt')``, and
``layer.options('apt', 'other.yaml')`` reads another file. Each file is read once per
process.
"""

from __future__ import annotations

import functools
import os
import sys
from types import ModuleType
from typing import Any

__all__ = ['get']


@functools.cache
def _layer_yaml(path: str, required: bool) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding='utf-8') as f:
            data = yaml.safe_load(f)
    except FileNotFoundError:
        if required:
            raise FileNotFoundError(
                f'charms.layer.options: no layer file {path}; give a path relative to the '
                'charm directory, or leave layer_file out to read the built layer.yaml'
            ) from None
        return {}  # a charm that was never built by charm build has no layer options
    if data is None:
        return {}
    if not isinstance(data, dict):
        from .._errors import LegacyError

        raise LegacyError(f'{path} is not a mapping of layer settings; rebuild the charm')
    return data


def get(section: str | None = None, option: str | None = None,
        layer_file: str | os.PathLike[str] | None = None) -> Any:
    """Every layer's options; one layer's (*section*, a dict); or one option's value.

    A missing section reads as ``{}`` and a missing option as ``None``. *layer_file* is
    read instead of the built ``layer.yaml`` (relative to the charm directory); it must
    exist.
    """
    if option and not section:
        raise ValueError(f'charms.layer.options.get(option={option!r}) needs the section '
                         "(the layer) the option belongs to: get('<layer>', "
                         f'{option!r})')
    from .._session import charm_dir

    path = charm_dir() / (layer_file if layer_file is not None else 'layer.yaml')
    data = _layer_yaml(str(path.resolve()), layer_file is not None)
    options = dict(data.get('options') or {})
    if not section:
        return options
    values = dict(options.get(section) or {})
    if not option:
        return values
    return values.get(option)


class _CallableModule(ModuleType):
    """This module, callable as layer-basic made it: ``options(section, layer_file)``."""

    def __call__(self, section: str | None = None,
                 layer_file: str | os.PathLike[str] | None = None) -> Any:
        return get(section, layer_file=layer_file)


sys.modules[__name__].__class__ = _CallableModule
