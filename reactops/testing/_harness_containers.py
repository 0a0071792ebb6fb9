"""Workload containers in :class:`~reactops.testing.Harness` (a mixin of its methods).

Each container declared in the metadata has an in-memory Pebble
(:class:`~reactops.testing._harness_pebble._TestingPebbleClient`), which the model's
``Container`` reaches through the harness world's ``get_pebble``. The test decides when
Pebble can be reached, emits pebble-ready and notices, answers ``exec`` calls and sees
the container's files in a folder of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import pebble
from ..errors import ModelError
from ._harness_base import CharmType
from ._harness_results import ExecHandler, ExecResult
from ._harness_secrets import _HarnessSecrets

if TYPE_CHECKING:
    from ..model import Container
    from ._harness_pebble import _TestingPebbleClient


class _HarnessContainers(_HarnessSecrets[CharmType]):
    """The Harness's methods for workload containers and their Pebble."""

    def _pebble_of(self, container: str | Container) -> _TestingPebbleClient:
        """The in-memory Pebble of *container* (a name or a ``Container``)."""
        name = container if isinstance(container, str) else container.name
        if name not in self._meta.containers:
            raise ModelError(f'container {name!r} not found')
        return self._backend.get_pebble(f'/charm/containers/{name}/pebble.socket')

    def set_can_connect(self, container: str | Container, val: bool) -> None:
        """Whether the container's Pebble can be reached from now on: when it cannot,
        Pebble calls raise :class:`~reactops.pebble.ConnectionError` and
        ``Container.can_connect()`` is ``False`` (the start of every container)."""
        self._backend._set_can_connect(self._pebble_of(container), val)

    def container_pebble_ready(self, container_name: str) -> None:
        """Make the container reachable and emit its pebble-ready event (nothing before
        :meth:`begin`)."""
        if self._charm is None:
            return
        container = self.model.unit.get_container(container_name)
        self.set_can_connect(container, True)
        self.charm.on[container_name].pebble_ready.emit(container)

    def pebble_notify(self, container_name: str, key: str, *,
                      data: dict[str, str] | None = None,
                      repeat_after: datetime.timedelta | None = None,
                      type: pebble.NoticeType = pebble.NoticeType.CUSTOM,  # noqa: A002
                      ) -> str:
        """Record a Pebble notice in the container, as ``pebble notify`` would; return
        its id.

        Once :meth:`begin` has run, a new or repeated notice reaches the charm: a custom
        notice as pebble-custom-notice; a ``change-update`` notice of a ``perform-check``
        change in error as pebble-check-failed, of a ``recover-check`` change done as
        pebble-check-recovered (*data* names the change's ``kind`` and ``check-name``;
        *key* is the change id). Within *repeat_after* of its last repeat, a notice is
        only counted.
        """
        container = self.model.unit.get_container(container_name)
        client = self._pebble_of(container_name)
        notice_id, fresh = client._notify(type, key, data=data, repeat_after=repeat_after)
        if self._charm is None or not fresh:
            return notice_id
        events = self.charm.on[container_name]
        if type == pebble.NoticeType.CUSTOM:
            events.pebble_custom_notice.emit(container, notice_id, type.value, key)
        elif type == pebble.NoticeType.CHANGE_UPDATE and data:
            kind = pebble.ChangeKind(data.get('kind'))
            status = pebble.ChangeStatus(client.get_change(pebble.ChangeID(key)).status)
            if kind == pebble.ChangeKind.PERFORM_CHECK and status == pebble.ChangeStatus.ERROR:
                events.pebble_check_failed.emit(container, data['check-name'])
            elif kind == pebble.ChangeKind.RECOVER_CHECK and \
                    status == pebble.ChangeStatus.DONE:
                events.pebble_check_recovered.emit(container, data['check-name'])
        return notice_id

    def handle_exec(self, container: str | Container, command_prefix: Sequence[str], *,
                    handler: ExecHandler | None = None,
                    result: int | str | bytes | ExecResult | None = None) -> None:
        """Answer the container's ``exec`` calls whose command starts with
        *command_prefix* (the longest registered prefix wins; registering a prefix again
        replaces its answer).

        Give either *handler*, called with the call's :class:`ExecArgs` (it returns an
        :class:`ExecResult`, ``None`` for success without output, or raises
        :class:`TimeoutError` to simulate a timeout), or *result*: an exit code, the
        stdout (str or bytes) of a successful run, or an :class:`ExecResult`.
        """
        if (handler is None) == (result is None):
            raise TypeError('Either handler or result must be provided, but not both.')
        if result is not None:
            if isinstance(result, int) and not isinstance(result, bool):
                result = ExecResult(exit_code=result)
            elif isinstance(result, (str, bytes)):
                result = ExecResult(stdout=result)
            elif not isinstance(result, ExecResult):
                raise TypeError(f'result must be int, str, bytes, or ExecResult, not '
                                f'{type(result).__name__}')
            fixed = result
            handler = lambda _args: fixed  # noqa: E731 - the simplest handler
        assert handler is not None
        self._pebble_of(container)._handle_exec(command_prefix, handler)

    def get_filesystem_root(self, container: str | Container) -> Path:
        """The folder that stands for the container's root filesystem (``/``): files the
        test puts there are what the charm pulls, and what it pushes lands there."""
        return self._pebble_of(container)._root

    def get_container_pebble_plan(self, container_name: str) -> pebble.Plan:
        """The plan the container's Pebble has now (its layers combined);
        :class:`KeyError` for a container the metadata does not declare."""
        if container_name not in self._meta.containers:
            raise KeyError(f'no known pebble client for container "{container_name}"')
        return self._pebble_of(container_name).get_plan()
