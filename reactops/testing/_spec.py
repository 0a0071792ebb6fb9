"""What a :class:`~reactops.testing.Context` knows of the charm: its class, metadata,
actions and config, given or loaded from the charm's files.
"""

from __future__ import annotations

import dataclasses
import inspect
import pathlib
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from ..charm import CharmBase
from .errors import MetadataNotFoundError

__all__: list[str] = []

CharmType = TypeVar('CharmType', bound=CharmBase)
_C = TypeVar('_C', bound=CharmBase, covariant=True)


def _yaml(path: pathlib.Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text()) if path.exists() else None


def _is_charmcraft_charm(meta: Mapping[str, Any]) -> bool:
    """Whether a charmcraft.yaml (2.5+) describes a charm with its own metadata."""
    return meta.get('type') == 'charm' and all(
        key in meta for key in ('name', 'summary', 'description'))


def _source_file(charm_type: type) -> pathlib.Path:
    """The file that defines *charm_type*, also for a class whose module was loaded by
    hand (not in ``sys.modules``): then one of its methods names the file."""
    try:
        return pathlib.Path(inspect.getfile(charm_type)).resolve()
    except (TypeError, OSError):
        for value in vars(charm_type).values():
            if inspect.isfunction(value):
                return pathlib.Path(value.__code__.co_filename).resolve()
        raise


@dataclasses.dataclass(frozen=True)
class _CharmSpec(Generic[_C]):
    """A charm class and the parsed ``metadata``, ``actions`` and ``config`` YAML."""

    charm_type: type[_C]
    meta: Mapping[str, Any]
    actions: Mapping[str, Any] | None = None
    config: Mapping[str, Any] | None = None
    is_autoloaded: bool = False

    @staticmethod
    def _load_metadata_legacy(charm_root: pathlib.Path) -> tuple[Any, Any, Any]:
        """metadata.yaml, config.yaml and actions.yaml of an older charm."""
        return (_yaml(charm_root / 'metadata.yaml') or {}, _yaml(charm_root / 'config.yaml'),
                _yaml(charm_root / 'actions.yaml'))

    @staticmethod
    def _load_metadata(charm_root: pathlib.Path) -> tuple[Any, Any, Any]:
        """The metadata, config and actions of a charmcraft.yaml (2.5+) charm."""
        meta = dict(_yaml(charm_root / 'charmcraft.yaml') or {})
        if not _is_charmcraft_charm(meta):
            meta = {}
        config = meta.pop('config', None)
        actions = meta.pop('actions', None)
        return meta, config, actions

    @staticmethod
    def autoload(charm_type: type[CharmType]) -> _CharmSpec[CharmType]:
        """The spec read from the charm root of *charm_type* (the directory above the one
        of its source file): charmcraft.yaml, else metadata.yaml and friends."""
        charm_root = _source_file(charm_type).parent.parent
        meta, config, actions = _CharmSpec._load_metadata(charm_root)
        if not meta:
            meta, config, actions = _CharmSpec._load_metadata_legacy(charm_root)
        if not meta:
            raise MetadataNotFoundError(
                f'invalid charm root {charm_root!r}; expected to contain at least a '
                f"`charmcraft.yaml` file (or a `metadata.yaml` file if it's an old charm).")
        return _CharmSpec(charm_type=charm_type, meta=meta, actions=actions, config=config,
                          is_autoloaded=True)

    def get_all_relations(self) -> list[tuple[str, dict[str, str]]]:
        """Every (endpoint, definition) of requires, provides and peers."""
        return [item for role in ('requires', 'provides', 'peers')
                for item in (self.meta.get(role) or {}).items()]
