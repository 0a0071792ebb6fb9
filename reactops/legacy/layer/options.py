"""``charms.layer.options``: the layer options of a built charm, from its ``layer.yaml``.

``charm build`` wrote every layer's options into the built ``layer.yaml`` with the
defaults filled in; :func:`get` reads them (``get('basic', 'use_venv')``). The file is
read once per process.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ['get']


@functools.cache
def _layer_yaml(path: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding='utf-8') as f:
            data = yaml.safe_load(f)
    except FileNotFoundError:
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        from .._errors import LegacyError

        raise LegacyError(f'{path} is not a mapping of layer settings; rebuild the charm')
    return data


def _options() -> dict[str, Any]:
    from .._session import charm_dir

    options = _layer_yaml(str(charm_dir() / 'layer.yaml')).get('options') or {}
    return dict(options)


def get(section: str | None = None, option: str | None = None) -> Any:
    """Every layer's options; one layer's (*section*, a dict); or one option's value.

    A missing section reads as ``{}`` and a missing option as ``None``.
    """
    options = _options()
    if section is None:
        return options
    values = dict(options.get(section) or {})
    if option is None:
        return values
    return values.get(option)
