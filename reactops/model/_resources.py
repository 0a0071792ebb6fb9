"""What Juju attaches to a unit besides relations: ports, storage and resources."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ModelError

if TYPE_CHECKING:
    from pathlib import Path

    from .._private.backend import ModelBackend

__all__ = ['K8sSpec', 'OpenedPort', 'Pod', 'Port', 'Resources', 'Storage', 'StorageMapping']

logger = logging.getLogger('reactops.model')



@dataclasses.dataclass(frozen=True)
class Port:
    """A port this unit opened in Juju's firewall: ``Port('tcp', 8080)`` or
    ``Port('icmp', None)``."""

    protocol: Literal['tcp', 'udp', 'icmp']
    """``tcp``, ``udp`` or ``icmp``."""

    port: int | None
    """The port number; ``None`` for ``icmp``."""


OpenedPort = Port
"""The older name of :class:`Port`, kept for code ported from ops."""


def _check_port(protocol: str, port: int | None) -> Literal['tcp', 'udp', 'icmp']:
    """The protocol, lowercased, unless *port* cannot go with it (a :class:`ModelError`).

    A protocol Juju does not know is left for Juju to refuse, as ops does, so the error
    is Juju's own.
    """
    lowered = protocol.lower()
    if lowered == 'icmp' and port is not None:
        raise ModelError(f'icmp has no port numbers, got {port!r}: pass no port for icmp')
    if lowered in ('tcp', 'udp') and (isinstance(port, bool) or not isinstance(port, int)
                              or not 0 < port < 65536):
        raise ModelError(f'a {lowered} port needs a number from 1 to 65535, got {port!r}')
    return lowered  # type: ignore[return-value]


def _parse_opened_port(text: str) -> Port | None:
    """A :class:`Port` from one item of ``opened-ports`` (``80/tcp``, ``icmp``, ...).

    A range is reduced to its first port and an unknown protocol is skipped, each with a
    warning, since :class:`Port` holds one port of a known protocol.
    """
    if text == 'icmp':
        return Port('icmp', None)
    number, _, protocol = text.partition('/')
    protocol = protocol or 'tcp'
    if protocol not in ('tcp', 'udp'):
        logger.warning('ignoring opened port %r: unknown protocol %r', text, protocol)
        return None
    start, dash, _ = number.partition('-')
    try:
        port = int(start)
    except ValueError:
        logger.warning('ignoring opened port %r: not a port number', text)
        return None
    if dash:
        logger.warning('opened port range %r is reported as its first port, %d', text, port)
    return Port(protocol, port)  # type: ignore[arg-type]


def _parse_opened_ports(items: Iterable[str]) -> set[Port]:
    return {port for port in map(_parse_opened_port, items) if port is not None}


class Resources:
    """The charm's resources (files attached by the operator), fetched on demand."""

    def __init__(self, names: Iterable[str], backend: ModelBackend):
        self._backend = backend
        self._names = frozenset(names)
        self._paths: dict[str, Path] = {}

    def fetch(self, name: str) -> Path:
        """The local path of resource *name*, downloaded by Juju on first use.

        Raises :class:`NameError` if the metadata declares no such resource, and
        :class:`~reactops.errors.ModelError` if Juju cannot provide it (e.g. none was
        attached and the store has none).
        """
        if name not in self._names:
            known = ', '.join(sorted(self._names)) or 'none'
            raise NameError(f'the charm declares no resource {name!r} '
                            f'(declared: {known}); add it under "resources" in the metadata')
        if name not in self._paths:
            from pathlib import Path  # not at import: on 3.11 pathlib loads urllib

            self._paths[name] = Path(self._backend.resource_get(name))
        return self._paths[name]


class Storage:
    """One attached instance of a storage the charm declares (``data/0``)."""

    name: str
    """The storage's name in the metadata (``data``)."""

    def __init__(self, storage_name: str, storage_index: int, backend: ModelBackend):
        self.name = storage_name
        self._index = storage_index
        self._backend = backend
        self._location: Path | None = None

    def __repr__(self) -> str:
        return f'<reactops.model.Storage {self.full_id}>'

    @property
    def index(self) -> int:
        """The instance's number (``0`` in ``data/0``)."""
        return self._index

    @property
    def id(self) -> int:
        """Deprecated: the same as :attr:`index` (logs a warning, as ops does)."""
        logger.warning('Storage.id is deprecated: use Storage.index')
        return self._index

    @property
    def full_id(self) -> str:
        """``name/index``, e.g. ``data/0``."""
        return f'{self.name}/{self._index}'

    @property
    def location(self) -> Path:
        """Where the storage is mounted (or, for a block device, its path)."""
        if self._location is None:
            from pathlib import Path

            self._location = Path(self._backend.storage_get(self.full_id, 'location'))
        return self._location

    @location.setter
    def location(self, location: str | Path) -> None:
        from pathlib import Path

        self._location = Path(location)


class StorageMapping(Mapping[str, list[Storage]]):
    """The attached instances of each storage the charm declares, listed on first use."""

    def __init__(self, storage_names: Iterable[str], backend: ModelBackend):
        self._backend = backend
        self._storages: dict[str, list[Storage] | None] = dict.fromkeys(storage_names)

    def __contains__(self, key: object) -> bool:
        return key in self._storages

    def __len__(self) -> int:
        return len(self._storages)

    def __iter__(self) -> Iterator[str]:
        return iter(self._storages)

    def __getitem__(self, storage_name: str) -> list[Storage]:
        if storage_name not in self._storages:
            raise KeyError(_unknown_storage(storage_name, self._storages))
        storages = self._storages[storage_name]
        if storages is None:
            storages = self._storages[storage_name] = [
                Storage(storage_name, index, self._backend)
                for index in self._backend.storage_list(storage_name)]
        return storages

    def _invalidate(self, storage_name: str) -> None:
        """Forget the instances listed for *storage_name*: the next read lists them again."""
        self._storages[storage_name] = None

    def _storage_for(self, storage_name: str, index: int) -> Storage:
        """A :class:`Storage` for an instance Juju no longer lists (one being detached)."""
        for storage in self[storage_name]:
            if storage.index == index:
                return storage
        return Storage(storage_name, index, self._backend)

    def request(self, storage_name: str, count: int = 1) -> None:
        """Ask Juju for *count* more instances of *storage_name*.

        They are attached later, each with a storage-attached event.
        """
        if storage_name not in self._storages:
            raise ModelError(_unknown_storage(storage_name, self._storages))
        self._backend.storage_add(storage_name, count)


def _unknown_storage(name: str, known: Iterable[str]) -> str:
    import difflib

    names = sorted(known)
    if not names:
        return f'Storage {name!r} not found: the charm declares no storage'
    meant = difflib.get_close_matches(name, names, n=1) or names
    return (f'Storage {name!r} not found: the charm does not declare it. Did you mean '
            f'{", or ".join(map(repr, meant))}?')


K8sSpec = Mapping[str, Any]
"""A Kubernetes pod spec, or its extra resources, as :meth:`Pod.set_spec` takes them."""


class Pod:
    """The pod spec of a podspec Kubernetes charm (Juju's deprecated pre-sidecar style).

    Only the leader may set it; new charms use sidecar containers and Pebble instead.
    """

    def __init__(self, backend: ModelBackend):
        self._backend = backend

    def set_spec(self, spec: K8sSpec, k8s_resources: K8sSpec | None = None) -> None:
        """Give Juju the pod *spec*, and optional *k8s_resources* (``pod-spec-set``)."""
        if not self._backend.is_leader():
            raise ModelError('cannot set the pod spec: only the leader may, and this unit '
                             'is not the leader; check self.unit.is_leader() first')
        self._backend.pod_spec_set(spec, k8s_resources)
