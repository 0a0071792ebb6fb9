"""The containers of the Harness's world: each one's in-memory Pebble, whether the charm
can reach it, and the storage mounted in it (a mixin of
:class:`~reactops.testing._harness_world._HarnessBackend`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..meta import CharmMeta
    from ._harness_pebble import _TestingPebbleClient

__all__ = ['_Storage', '_WorldContainers']


@dataclasses.dataclass
class _Storage:
    """One storage instance: where it is mounted and whether it is attached."""

    location: Path
    attached: bool = False


class _WorldContainers:
    """The part of the Harness's world that is the unit's workload containers."""

    _meta: CharmMeta
    _root: Path
    storages: dict[str, dict[int, _Storage]]
    _pebble_clients: dict[str, _TestingPebbleClient]
    """The in-memory Pebble of each container made so far, by container name."""
    _pebble_clients_can_connect: dict[_TestingPebbleClient, bool]
    """Whether the charm can reach each Pebble (the test decides)."""

    def get_pebble(self, socket_path: str) -> _TestingPebbleClient:
        """The in-memory Pebble of the container whose socket is *socket_path*
        (``/charm/containers/<name>/pebble.socket``): one per container, made on first
        use with the attached storage mounted, and not reachable until the Harness says
        so."""
        from ._harness_pebble import _TestingPebbleClient

        name = socket_path.split('/')[3]
        client = self._pebble_clients.get(name)
        if client is None:
            root = self._root / 'containers' / name
            root.mkdir(parents=True, exist_ok=True)
            client = self._pebble_clients[name] = _TestingPebbleClient(self, root)
            self._pebble_clients_can_connect[client] = False
            for storage_name, storages in self.storages.items():
                if any(storage.attached for storage in storages.values()):
                    self._mount(storage_name)
        return client

    def _can_connect(self, client: _TestingPebbleClient) -> bool:
        return self._pebble_clients_can_connect[client]

    def _set_can_connect(self, client: _TestingPebbleClient, val: bool) -> None:
        if client not in self._pebble_clients_can_connect:
            raise RuntimeError('cannot set can_connect for the client - are you running a '
                               '"real" pebble test?')
        self._pebble_clients_can_connect[client] = val

    def _mount(self, storage_name: str) -> None:
        """Show the attached instances of *storage_name* where the containers mount it
        (a symlink under each container root to the storage's folder)."""
        locations = [storage.location for storage in self.storages[storage_name].values()
                     if storage.attached]
        if not locations:
            return
        target = locations[0]
        target.mkdir(parents=True, exist_ok=True)
        for where in self._mount_points(storage_name):
            if where.is_symlink() and where.readlink() == target:
                continue
            where.parent.mkdir(parents=True, exist_ok=True)
            where.symlink_to(target, target_is_directory=True)

    def _mount_points(self, storage_name: str) -> list[Path]:
        """Where *storage_name* appears on the test machine, in every container made."""
        return [client._root / location.lstrip('/')
                for container, client in self._pebble_clients.items()
                for mount in self._meta.containers[container].mounts.values()
                if mount.storage == storage_name for location in mount.locations]

    def _unmount(self, storage_name: str) -> None:
        """Take *storage_name*'s mounts out of the containers (it is detaching)."""
        for where in self._mount_points(storage_name):
            if where.is_symlink():
                where.unlink()
        self._mount(storage_name)  # another instance may still be attached
