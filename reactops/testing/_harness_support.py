"""The pieces of :class:`~reactops.testing.Harness` that are not the harness itself:
metadata loading as ops' Harness does it, the config checks, and small helpers."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import IO, Any

import yaml

from ..charm import CharmBase
from ..meta import CharmMeta
from ..model import Application, Unit

FLAG_PREFIX = 'reactive.states.'  # as reactops.reactive._runtime.FLAG_PREFIX


def _name_of(app_or_unit: str | Application | Unit) -> str:
    if isinstance(app_or_unit, Application | Unit):
        return app_or_unit.name
    if isinstance(app_or_unit, str):
        return app_or_unit
    raise TypeError(f'expected an Application, a Unit or a name, not {app_or_unit!r}')


def _load_meta(charm_cls: type[CharmBase], meta: str | IO[str] | None,
               actions: str | IO[str] | None, config: str | IO[str] | None,
               juju_version: str) -> tuple[CharmMeta, Path | None]:
    """The metadata, part by part from the arguments or else the charm's files, looked up
    as ops' Harness does; and the charm directory if any of its files were read.

    Metadata comes from *meta*, else ``charmcraft.yaml`` (if it has a name, summary or
    description), else ``metadata.yaml``; actions from *actions*, else charmcraft.yaml's
    ``actions``, else ``actions.yaml``; config likewise. The config is checked as ops
    checks it: :class:`TypeError` if it is not a mapping, :class:`RuntimeError` for an
    option without a known type or whose default does not have it.
    """
    root = _class_root(charm_cls)
    used: list[bool] = []

    def disk(name: str) -> dict[str, Any] | None:
        path = root / name if root is not None else None
        if path is None or not path.is_file():
            return None
        used.append(True)
        return _yaml(path.read_text(), name) or {}

    charmcraft = disk('charmcraft.yaml')
    if meta is not None:
        raw = _yaml(meta, 'meta') or {}
    elif charmcraft is not None and not charmcraft.keys().isdisjoint(
            {'name', 'summary', 'description'}):
        raw = {k: v for k, v in charmcraft.items() if k not in ('actions', 'config')}
    else:
        raw = disk('metadata.yaml') or {'name': 'test-charm'}
    if actions is not None:
        raw_actions = _yaml(actions, 'actions')
    elif meta is not None and 'actions' in raw:
        raw_actions = raw.pop('actions')
    elif charmcraft is not None and 'actions' in charmcraft:
        raw_actions = charmcraft['actions']
    else:
        raw_actions = disk('actions.yaml')
    if config is not None:
        raw_config = _yaml(config, 'config')
        _check_config(raw_config)  # given explicitly, it must be a mapping
    elif meta is not None and 'config' in raw:
        raw_config = raw.pop('config')
    elif charmcraft is not None and 'config' in charmcraft:
        raw_config = charmcraft['config']
    else:
        raw_config = disk('config.yaml')
    if raw_config is not None:
        _check_config(raw_config)
    from .._private.meta_validate import CHARMCRAFT_ONLY

    # A charmcraft.yaml carries build keys the metadata does not have.
    raw = {key: value for key, value in raw.items() if key not in CHARMCRAFT_ONLY}
    charm_meta = CharmMeta(raw, None if raw_actions is None else dict(raw_actions),
                           None if raw_config is None else dict(raw_config),
                           juju_version=juju_version)
    return charm_meta, root if used else None


def _class_root(charm_cls: type[CharmBase]) -> Path | None:
    """The charm directory of a class, as ops' Harness finds it: the directory above the
    one holding the class's source file (``src/charm.py`` gives the charm root)."""
    import inspect

    try:
        source = inspect.getfile(charm_cls)
    except (TypeError, OSError):
        # Its module is not in sys.modules (loaded from a file by hand): ask its methods.
        codes = [value.__code__ for value in vars(charm_cls).values()
                 if inspect.isfunction(value)]
        if not codes:
            return None
        source = codes[0].co_filename
    parents = Path(source).parents
    return parents[1] if len(parents) > 1 else None


_CONFIG_TYPES: dict[str, type] = {'string': str, 'int': int, 'float': float, 'boolean': bool,
                                  'secret': str}


def _check_config(raw: Any) -> None:
    """Refuse config metadata ops' Harness refuses, with the exceptions it raises."""
    if not isinstance(raw, dict):
        raise TypeError(f'config must be a mapping with "options", not {raw!r}')
    for key, option in (raw.get('options') or {}).items():
        if not isinstance(option, dict) or option.get('default') is None:
            continue
        _check_option_value(key, option.get('type'), option['default'])


def _check_option_value(key: str, declared: str | None, value: Any) -> None:
    """A value for option *key* must be of its declared type exactly (no casting)."""
    if not declared:
        raise RuntimeError(f'config option {key!r} declares no type: add "type:" with one '
                           f'of {", ".join(_CONFIG_TYPES)}')
    wanted = _CONFIG_TYPES.get(declared)
    if wanted is None:
        raise RuntimeError(f'config option {key!r} has type {declared!r}; the type must be '
                           f'one of {", ".join(_CONFIG_TYPES)}')
    if type(value) is not wanted:
        raise RuntimeError(f'config option {key!r} is of type {declared}, not '
                           f'{type(value).__name__} ({value!r})')


def _yaml(text: str | IO[str], what: str) -> Any:
    """The YAML document in *text* (dedented) or an open file; ``None`` if empty."""
    loaded = yaml.safe_load(textwrap.dedent(text) if isinstance(text, str) else text.read())
    if loaded is not None and not isinstance(loaded, dict) and what != 'config':
        raise ValueError(f'{what}= must be YAML for a mapping, not {type(loaded).__name__}')
    return loaded
