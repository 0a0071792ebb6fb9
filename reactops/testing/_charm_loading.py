"""Where a :class:`~reactops.testing.Context` gets the charm from: its class (or charm
directory), and the metadata, actions and config given or found in the charm's files.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..charm import CharmBase
from ..jujucontext import JujuVersion
from ..meta import CharmMeta
from ._spec import _CharmSpec
from .errors import ContextSetupError, MetadataNotFoundError

__all__: list[str] = []

def _check_args(unit_id: object, juju_version: object, app_name: object, meta: object,
                actions: object, config: object) -> None:
    if isinstance(unit_id, bool) or not isinstance(unit_id, int) or unit_id < 0:
        raise ValueError(f'unit_id must be a unit number (0, 1, ...), not {unit_id!r}')
    if not isinstance(juju_version, str):
        raise TypeError(f"juju_version must be a string such as '3.6.1', not {juju_version!r}")
    JujuVersion(juju_version)  # ValueError naming it if malformed
    if app_name is not None and (not isinstance(app_name, str) or not app_name
                                 or '/' in app_name):
        raise ValueError(f"app_name must be an application name such as 'web', "
                         f'not {app_name!r}')
    for name, value in (('meta', meta), ('actions', actions), ('config', config)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f'{name} must be a dict (the parsed YAML), not '
                            f'{type(value).__name__}')


def _load_spec(charm: object, meta: Mapping[str, Any] | None,
               actions: Mapping[str, Any] | None, config: Mapping[str, Any] | None,
               ) -> tuple[_CharmSpec[CharmBase], Path | None]:
    """The charm's spec, and the charm directory its files came from (if any)."""
    import copy

    if isinstance(charm, str | os.PathLike):
        source_root: Path | None = _directory(charm, 'the charm directory')
        assert source_root is not None
        charm_type = _class_of_charm_dir(source_root)
        if not (meta or actions or config):
            return _CharmSpec(charm_type, *_files_of(source_root), is_autoloaded=True), \
                source_root
    elif isinstance(charm, type) and issubclass(charm, CharmBase):
        charm_type = charm
        source_root = _class_root(charm)
    else:
        raise TypeError(f'Context() takes a CharmBase subclass or the path of a charm '
                        f'directory, not {charm!r}')
    if not (meta or actions or config):
        try:
            return _CharmSpec.autoload(charm_type), source_root
        except (MetadataNotFoundError, TypeError, OSError) as error:
            raise ContextSetupError(f'Cannot setup scenario with `charm_type`={charm_type}. '
                                    f'Did you forget to pass `meta` to this Context?'
                                    ) from error
    raw = copy.deepcopy(dict(meta)) if meta else {'name': charm_type.__name__}
    parts: dict[str, Any] = {}
    for name, given in (('actions', actions), ('config', config)):
        if given is None:
            parts[name] = raw.pop(name, None)
        elif name in raw:
            raise ValueError(f'Cannot specify {name} in both charmcraft.yaml and separately')
        else:
            parts[name] = copy.deepcopy(dict(given))
    return _CharmSpec(charm_type, raw, parts['actions'], parts['config']), source_root


def _files_of(root: Path) -> tuple[Any, Any, Any]:
    """The metadata, actions and config of a charm directory (a charmcraft.yaml that
    names the charm is enough: reactive charms' often lack the 2.5+ fields)."""
    meta, config, actions = _CharmSpec._load_metadata(root)
    if not meta and (root / 'charmcraft.yaml').is_file():
        import yaml

        raw = yaml.safe_load((root / 'charmcraft.yaml').read_text()) or {}
        if isinstance(raw, dict) and 'name' in raw:
            meta, config, actions = raw, raw.pop('config', None), raw.pop('actions', None)
    if not meta:
        meta, config, actions = _CharmSpec._load_metadata_legacy(root)
    if not meta:
        raise ContextSetupError(f'no charmcraft.yaml or metadata.yaml in {root}')
    return meta, actions, config


def _level(level: str | int) -> int:
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    value = logging.getLevelName(level.upper()) if isinstance(level, str) else None
    if isinstance(value, int):
        return value
    raise ValueError(f"log_level must be a logging level such as 'DEBUG' or 'INFO', "
                     f'not {level!r}')


def _directory(path: str | os.PathLike[str], what: str) -> Path:
    resolved = Path(path).resolve()
    if not resolved.is_dir():
        raise ValueError(f'{what} {os.fspath(path)!r} is not a directory')
    return resolved


def _meta_from_spec(spec: _CharmSpec[CharmBase], juju_version: str) -> CharmMeta:
    from .._private.meta_validate import CHARMCRAFT_ONLY

    raw = {k: v for k, v in spec.meta.items() if k not in CHARMCRAFT_ONLY}
    return CharmMeta(raw, None if spec.actions is None else dict(spec.actions),
                     None if spec.config is None else dict(spec.config),
                     juju_version=juju_version)


def _class_root(charm_type: type[CharmBase]) -> Path | None:
    """The charm directory of a class: the one above its source file's directory."""
    try:
        source = inspect.getfile(charm_type)
    except (TypeError, OSError):
        # Its module is not in sys.modules (imported from a file by hand): ask a method.
        codes = [value.__code__ for value in vars(charm_type).values()
                 if inspect.isfunction(value)]
        if not codes:
            return None
        source = codes[0].co_filename
    return Path(source).resolve().parent.parent


def _class_of_charm_dir(charm_dir: Path) -> type[CharmBase]:
    """The CharmBase subclass of ``<charm_dir>/src/charm.py``, else ``ReactiveCharm``."""
    from ..reactive._dispatch import ReactiveCharm

    source = charm_dir / 'src' / 'charm.py'
    if not source.is_file():
        return ReactiveCharm
    name = f'_reactops_testing_charm_{abs(hash(str(source))):x}'
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, source)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        paths = [str(charm_dir / sub) for sub in ('src', 'lib') if (charm_dir / sub).is_dir()]
        sys.path[:0] = paths
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        finally:
            for path in paths:
                sys.path.remove(path)
    found = [obj for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, CharmBase)
             and obj.__module__ == name]
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) > 1:
        names = ', '.join(sorted(c.__name__ for c in leaves))
        raise ValueError(f'{source} defines several charm classes ({names}); pass the one '
                         f'to test: Context(TheCharm, charm_root={str(charm_dir)!r})')
    return leaves[0] if leaves else ReactiveCharm
