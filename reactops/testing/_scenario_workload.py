"""One workload container as a :class:`~reactops.testing.Context` run changes it.

:class:`Workloads` belongs to one run: for each container the charm reaches it keeps a
:class:`Workload`, the run's working copy of the State's
:class:`~reactops.testing.Container` (layers, service statuses, check results, notices,
Pebble changes) plus the directory that stands for the container's filesystem. The
simulated Pebble client (:mod:`._scenario_pebble`) reads and changes it; at the end of the
run :meth:`Workloads.output` turns the copies back into frozen Containers for the output
State. The input State is never touched.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import pebble
from ._harness_results import ExecArgs
from ._pebble_sim import follow_plan, new_check_info
from ._state import State
from ._state_pebble import (
    CheckInfo,
    Container,
    Notice,
    _notice_ids,
    render_items,
    render_plan,
)

if TYPE_CHECKING:
    from ._scenario_pebble import ScenarioPebbleClient

__all__ = ['Workload', 'Workloads']

logger = logging.getLogger('reactops.testing')

def _now() -> datetime.datetime:
    return datetime.datetime.now()


class Workload:
    """The run's working copy of container *name* (*container*: the State's, or ``None``
    if the State leaves it out, which Juju would show as a Pebble that does not answer).

    *root* is the directory that stands for the container's ``/``: emptied (with a
    warning if something was left there by an earlier run) and given the State's mounts.
    """

    def __init__(self, name: str, container: Container | None, root: Path,
                 exec_history: dict[str, list[ExecArgs]]):
        self.name = name
        self.container = container
        self.root = root
        self.exec_history = exec_history
        self.layers: dict[str, pebble.Layer] = {}
        self.statuses: dict[str, pebble.ServiceStatus] = {}
        self.checks: dict[str, pebble.CheckInfo] = {}
        self.changes: dict[str, pebble.Change] = {}
        self.notices: dict[tuple[str, str], Notice] = {}
        if container is not None:
            self.layers = copy.deepcopy(dict(container.layers))
            self.statuses = dict(container.service_statuses)
            for notice in container.notices:
                self.notices[_notice_type(notice.type), notice.key] = notice
            for info in container.check_infos:
                self._load_check(info)
        self._prepare_root()

    @property
    def can_connect(self) -> bool:
        return self.container is not None and self.container.can_connect

    def _load_check(self, info: CheckInfo) -> None:
        self.checks[info.name] = info._to_ops()
        if info.change_id:
            # A running check has a live change (perform-check while it is up,
            # recover-check while it is down) that get_change can find.
            kind = pebble.ChangeKind.PERFORM_CHECK if info.status == pebble.CheckStatus.UP \
                else pebble.ChangeKind.RECOVER_CHECK
            now = _now()
            self.changes[str(info.change_id)] = pebble.Change(
                pebble.ChangeID(str(info.change_id)), kind.value, summary=info.name,
                status=pebble.ChangeStatus.DOING.value, tasks=[], ready=False, err=None,
                spawn_time=now, ready_time=now)

    def _prepare_root(self) -> None:
        root = self.root
        if root.exists():
            if any(root.iterdir()):
                logger.warning(
                    'Container %r has a non-empty filesystem that will be wiped before this '
                    'run. Files a test wants in the container belong in a Mount; a Context '
                    'used for several runs empties the filesystem before each one.',
                    self.name)
            shutil.rmtree(root)
        root.mkdir(parents=True)
        mounts = self.container.mounts if self.container is not None else {}
        for mount in mounts.values():
            parts = Path(str(mount.location)).parts[1:]
            target = root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(mount.source)

    # -- the plan --------------------------------------------------------------------------

    def plan(self) -> pebble.Plan:
        base = self.container._base_plan if self.container is not None else {}
        return render_plan(base, self.layers)

    def services(self) -> dict[str, pebble.Service]:
        return render_items(self.layers, 'services')

    def plan_checks(self) -> dict[str, pebble.Check]:
        return render_items(self.layers, 'checks')

    # -- checks and changes ----------------------------------------------------------------

    def new_check_info(self, check: pebble.Check) -> pebble.CheckInfo:
        """Record *check* as Pebble first does (inactive when its startup is disabled)."""
        info = self.checks[check.name] = new_check_info(check)
        return info

    def perform_check(self, info: pebble.CheckInfo) -> None:
        """Start running *info*'s check: a new perform-check change, status up."""
        change = pebble.Change(
            pebble.ChangeID(str(uuid.uuid4())), pebble.ChangeKind.PERFORM_CHECK.value,
            summary=info.name, status=pebble.ChangeStatus.DOING.value, tasks=[],
            ready=False, err=None, spawn_time=_now(), ready_time=None)
        self.changes[change.id] = change
        info.change_id = change.id
        info.status = pebble.CheckStatus.UP
        info.failures = 0

    def stop_check(self, info: pebble.CheckInfo) -> None:
        change = self.changes.get(str(info.change_id))
        if change is not None:
            change.status = pebble.ChangeStatus.ABORT.value
        info.status = pebble.CheckStatus.INACTIVE
        info.change_id = pebble.ChangeID('')

    def refresh_checks_from_plan(self) -> None:
        """A check's level, threshold and startup follow the plan when a layer changes it."""
        follow_plan(self.checks, self.plan_checks())

    def service_change(self, kind: str, services: list[str]) -> pebble.ChangeID:
        """Record a finished change of *kind* (``start``, ``stop``, ``restart``,
        ``autostart`` or ``replan``) to *services*; return its ID."""
        verb = kind.capitalize()
        summary = f'{verb} service {services[0]}' if services else f'{verb} services'
        if len(services) > 1:
            summary += f' and {len(services) - 1} more'
        now = _now()
        change = pebble.Change(
            pebble.ChangeID(str(uuid.uuid4())), kind, summary=summary,
            status=pebble.ChangeStatus.DONE.value, tasks=[], ready=True, err=None,
            spawn_time=now, ready_time=now)
        self.changes[change.id] = change
        return change.id

    # -- notices ---------------------------------------------------------------------------

    def notify(self, type: pebble.NoticeType | str, key: str, data: dict[str, str] | None,
               repeat_after: datetime.timedelta | None) -> str:
        """Record one occurrence of notice (*type*, *key*), as Pebble's state does; return
        the notice's ID. A repeat within *repeat_after* of the last one is not new."""
        now = datetime.datetime.now(tz=datetime.timezone.utc)
        unique = (_notice_type(type), key)
        old = self.notices.get(unique)
        if old is None:
            notice = Notice(key, id=str(next(_notice_ids)), user_id=0, type=type,
                            first_occurred=now, last_occurred=now, last_repeated=now,
                            occurrences=1, last_data=data or {}, repeat_after=repeat_after,
                            expire_after=datetime.timedelta(days=7))
        else:
            repeated = repeat_after is None or now > old.last_repeated + repeat_after
            notice = dataclasses.replace(
                old, last_occurred=now, last_repeated=now if repeated else old.last_repeated,
                occurrences=old.occurrences + 1, last_data=dict(data or {}),
                repeat_after=repeat_after)
        self.notices[unique] = notice
        return notice.id

    # -- the output ------------------------------------------------------------------------

    def output(self) -> Container | None:
        """The State's container with what the run changed (``None`` if it had none)."""
        if self.container is None:
            return None
        checks = [CheckInfo(info.name, level=info.level, startup=info.startup,
                            status=_check_status(info.status), successes=info.successes,
                            failures=info.failures, threshold=info.threshold,
                            change_id=info.change_id)
                  for info in self.checks.values()]
        return dataclasses.replace(self.container, layers=self.layers,
                                   service_statuses=dict(self.statuses),
                                   check_infos=frozenset(checks),
                                   notices=list(self.notices.values()))


def _notice_type(kind: pebble.NoticeType | str) -> str:
    return kind.value if isinstance(kind, pebble.NoticeType) else str(kind)


def _check_status(status: pebble.CheckStatus | str) -> pebble.CheckStatus:
    return status if isinstance(status, pebble.CheckStatus) else pebble.CheckStatus(status)


class Workloads:
    """The containers of one run, each set up the first time the charm reaches it.

    *root_of* gives the directory standing for a container's filesystem
    (``Context._get_container_root``); *exec_history* is the context's record of the
    commands run, by container.
    """

    def __init__(self, state: State, root_of: Callable[[str], Path],
                 exec_history: dict[str, list[ExecArgs]]):
        self._state = state
        self._root_of = root_of
        self._exec_history = exec_history
        self._workloads: dict[str, Workload] = {}

    def get(self, name: str) -> Workload:
        """The working copy of container *name*, made on first use."""
        workload = self._workloads.get(name)
        if workload is None:
            container = next((c for c in self._state.containers if c.name == name), None)
            workload = Workload(name, container, self._root_of(name), self._exec_history)
            self._workloads[name] = workload
        return workload

    def prepare(self, names: Iterable[str]) -> None:
        """Set up the containers *names* now (each filesystem emptied, as Juju's charm
        sees all its containers at once), whether or not the charm reaches them."""
        for name in names:
            self.get(name)

    def output(self, containers: Iterable[Container]) -> frozenset[Container]:
        """*containers* (the State's) with the changes of the run."""
        out = []
        for container in containers:
            workload = self._workloads.get(container.name)
            changed = workload.output() if workload is not None else None
            out.append(changed if changed is not None else container)
        return frozenset(out)

    def pebble_client(self, socket_path: str) -> ScenarioPebbleClient:
        """The simulated Pebble client on *socket_path*
        (``/charm/containers/<name>/pebble.socket``)."""
        from ._scenario_pebble import ScenarioPebbleClient

        parts = socket_path.split('/')
        if len(parts) < 4 or parts[:3] != ['', 'charm', 'containers']:
            raise ValueError(f'{socket_path!r} is not the Pebble socket of a container '
                             "(expected '/charm/containers/<name>/pebble.socket')")
        return ScenarioPebbleClient(socket_path, self.get(parts[3]))
