"""The events of a Kubernetes charm's workload containers, served by :mod:`reactops.charm`.

They live apart so that a machine charm's hook never loads them. Each carries its
container (:attr:`WorkloadEvent.workload`); a snapshot keeps only names and ids, and the
container, notice or check is looked up again in the model of the dispatch that
delivers the event.
"""

from __future__ import annotations

from ..charm import HookEvent
from .typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from typing import Any

    from ..framework import Handle
    from ..model import Container, LazyCheckInfo, LazyNotice

__all__ = ['PebbleCheckEvent', 'PebbleCheckFailedEvent', 'PebbleCheckRecoveredEvent',
           'PebbleCustomNoticeEvent', 'PebbleNoticeEvent', 'PebbleReadyEvent', 'WorkloadEvent']


class WorkloadEvent(HookEvent):
    """Something happened in a workload container (``workload``, a ``Container``)."""

    #: The container, as in ops. (Without a model that has containers, the event core alone
    #: keeps the container's name here instead.)
    workload: Container

    def __init__(self, handle: Handle, workload: Any):
        super().__init__(handle)
        self.workload = workload

    @property
    def _container_name(self) -> str | None:
        workload = self.workload
        return workload if isinstance(workload, str) else getattr(workload, 'name', None)

    def snapshot(self) -> dict[str, Any]:
        """Store the container's name."""
        name = self._container_name
        return {} if name is None else {'container_name': name}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Find the container again in this dispatch's model."""
        super().restore(snapshot)
        name = snapshot.get('container_name')
        self.workload = cast('Container', None if name is None else self._find_container(name))

    def _find_container(self, name: str) -> Any:
        assert self.framework is not None, 'event used before it was emitted'
        unit = self.framework.model.unit
        get_container = getattr(unit, 'get_container', None)
        return name if get_container is None else get_container(name)

    def __repr__(self) -> str:
        return f'<{type(self).__name__} on {self.workload!r} via {self.handle}>'


class PebbleReadyEvent(WorkloadEvent):
    """The container's Pebble is up: the charm can now configure and start its services."""


class PebbleNoticeEvent(WorkloadEvent):
    """Pebble recorded a notice (``notice``: its id, type and key; details read lazily)."""

    def __init__(self, handle: Handle, workload: Any, notice_id: str, notice_type: str,
                 notice_key: str):
        super().__init__(handle, workload)
        self._notice = (notice_id, notice_type, notice_key)

    @property
    def notice(self) -> LazyNotice:
        """The notice (a ``LazyNotice``: fetched from Pebble only for what is not known)."""
        from ..model import LazyNotice

        return LazyNotice(self.workload, *self._notice)

    def snapshot(self) -> dict[str, Any]:
        """Store the container and the notice's id, type and key."""
        notice_id, notice_type, notice_key = self._notice
        return {**super().snapshot(), 'notice_id': notice_id,
                'notice_type': getattr(notice_type, 'value', notice_type),
                'notice_key': notice_key}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event with its notice."""
        super().restore(snapshot)
        self._notice = (snapshot['notice_id'], snapshot['notice_type'], snapshot['notice_key'])


class PebbleCustomNoticeEvent(PebbleNoticeEvent):
    """A custom notice (``pebble notify``) was recorded in the container."""


class PebbleCheckEvent(WorkloadEvent):
    """A Pebble health check changed state (``info``: the check, read lazily)."""

    def __init__(self, handle: Handle, workload: Any, check_name: str):
        super().__init__(handle, workload)
        self._check_name = check_name

    @property
    def info(self) -> LazyCheckInfo:
        """The check (a ``LazyCheckInfo``: its details are fetched from Pebble on use)."""
        from ..model import LazyCheckInfo

        return LazyCheckInfo(self.workload, self._check_name)

    def snapshot(self) -> dict[str, Any]:
        """Store the container and the check's name."""
        return {**super().snapshot(), 'check_name': self._check_name}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event with its check."""
        super().restore(snapshot)
        self._check_name = snapshot['check_name']


class PebbleCheckFailedEvent(PebbleCheckEvent):
    """A check reached its failure threshold."""


class PebbleCheckRecoveredEvent(PebbleCheckEvent):
    """A failing check passed again."""
