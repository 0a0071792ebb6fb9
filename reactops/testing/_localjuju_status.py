"""The status objects :class:`~reactops.testing.localjuju.LocalJuju` returns, and the
``all_*``/``any_*`` predicates over them.

Their field names are Jubilant's (``status.apps[name].units[unit].workload_status.current``)
so that a wait condition written for one runs against the other; only the fields the local
model has a value for are filled, the others keep Jubilant's empty defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..localmodel import LocalModel

__all__ = ['AppStatus', 'AppStatusRelation', 'ModelStatus', 'Status', 'StatusInfo',
           'UnitStatus', 'all_active', 'all_agents_idle', 'all_blocked', 'all_error',
           'all_maintenance', 'all_waiting', 'any_active', 'any_blocked', 'any_error',
           'any_maintenance', 'any_waiting', 'status_of']

# Juju shows an application without its own status as its most severe unit's.
_SEVERITY = ('error', 'blocked', 'maintenance', 'waiting', 'active', 'unknown')


@dataclasses.dataclass(frozen=True)
class StatusInfo:
    """One status: its value (``active``, ``blocked``, ...) and message."""

    current: str = ''
    message: str = ''
    reason: str = ''
    since: str = ''
    version: str = ''
    life: str = ''


@dataclasses.dataclass(frozen=True)
class AppStatusRelation:
    """One relation of an application's endpoint, as ``juju status`` lists it."""

    related_app: str = ''
    interface: str = ''
    scope: str = ''


@dataclasses.dataclass(frozen=True)
class _StatusFlags:
    """``is_active``, ``is_blocked``, ... on the status an entity shows."""

    @property
    def _shown(self) -> StatusInfo:
        raise NotImplementedError

    @property
    def is_active(self) -> bool:
        return self._shown.current == 'active'

    @property
    def is_blocked(self) -> bool:
        return self._shown.current == 'blocked'

    @property
    def is_error(self) -> bool:
        return self._shown.current == 'error'

    @property
    def is_maintenance(self) -> bool:
        return self._shown.current == 'maintenance'

    @property
    def is_waiting(self) -> bool:
        return self._shown.current == 'waiting'


@dataclasses.dataclass(frozen=True)
class UnitStatus(_StatusFlags):
    """A unit: its workload status, its agent's (``idle``, ``executing``, ``error``)."""

    workload_status: StatusInfo = dataclasses.field(default_factory=StatusInfo)
    juju_status: StatusInfo = dataclasses.field(default_factory=StatusInfo)
    leader: bool = False
    machine: str = ''
    open_ports: list[str] = dataclasses.field(default_factory=list)
    public_address: str = ''
    address: str = ''
    subordinates: dict[str, UnitStatus] = dataclasses.field(default_factory=dict)

    @property
    def _shown(self) -> StatusInfo:
        return self.workload_status


@dataclasses.dataclass(frozen=True)
class AppStatus(_StatusFlags):
    """An application: its status (its own, else its most severe unit's) and units."""

    charm: str
    charm_name: str
    charm_origin: str = 'local'
    charm_rev: int = 0
    exposed: bool = False
    scale: int = 0
    app_status: StatusInfo = dataclasses.field(default_factory=StatusInfo)
    relations: dict[str, list[AppStatusRelation]] = dataclasses.field(default_factory=dict)
    units: dict[str, UnitStatus] = dataclasses.field(default_factory=dict)
    version: str = ''

    @property
    def _shown(self) -> StatusInfo:
        return self.app_status


@dataclasses.dataclass(frozen=True)
class ModelStatus:
    """The model: its name and type (``local``)."""

    name: str = ''
    type: str = 'local'


@dataclasses.dataclass(frozen=True)
class Status:
    """The whole model's status, shaped like Jubilant's ``Status``."""

    model: ModelStatus
    apps: dict[str, AppStatus]
    machines: dict[str, object] = dataclasses.field(default_factory=dict)

    def get_units(self, app: str) -> dict[str, UnitStatus]:
        """The units of *app* and their subordinates (none here), by name."""
        found = self.apps.get(app)
        return dict(found.units) if found is not None else {}


def status_of(model: LocalModel) -> Status:
    """Read *model*'s status now (running nothing)."""
    from ..localmodel._model import MODEL_NAME

    state = model.state
    relations: dict[str, dict[str, list[AppStatusRelation]]] = {}
    for rel in state.relations():
        ends = [(rel.app1, rel.ep1, rel.app2)]
        if not rel.is_peer:
            ends.append((rel.app2, rel.ep2, rel.app1))
        for end_app, endpoint, other in ends:
            relations.setdefault(end_app, {}).setdefault(endpoint, []).append(
                AppStatusRelation(related_app=other, interface=rel.interface, scope='global'))
    apps: dict[str, AppStatus] = {}
    for app in state.apps():
        units = {unit.name: _unit_status(model, unit, app.leader)
                 for unit in state.units(app.name)}
        own = StatusInfo(current=app.status, message=app.message)
        if app.status in ('', 'unknown') and units:
            worst = min(units.values(),
                        key=lambda u: _rank(u.workload_status.current))
            own = worst.workload_status
        apps[app.name] = AppStatus(
            charm=app.charm, charm_name=app.charm.rstrip('/').rpartition('/')[2],
            scale=len(units), app_status=own, relations=relations.get(app.name, {}),
            units=units, version=app.version)
    return Status(model=ModelStatus(name=MODEL_NAME), apps=apps)


def _rank(current: str) -> int:
    return _SEVERITY.index(current) if current in _SEVERITY else len(_SEVERITY)


def _unit_status(model: LocalModel, unit: object, leader: str | None) -> UnitStatus:
    from ..localmodel import Unit

    assert isinstance(unit, Unit)
    if unit.error_hook:
        message = f'hook failed: "{unit.error_hook}"'
        workload = StatusInfo(current='error', message=message)
        agent = StatusInfo(current='error', message=message)
    else:
        workload = StatusInfo(current=unit.status, message=unit.message)
        busy = model.state.queued(unit.name) > 0
        agent = StatusInfo(current='executing' if busy else 'idle')
    return UnitStatus(workload_status=workload, juju_status=agent,
                      leader=leader == unit.name, machine='0', open_ports=list(unit.ports),
                      public_address=unit.address, address=unit.address)


# -- predicates, with Jubilant's meaning -------------------------------------------------


def _all(expected: str, status: Status, apps: Iterable[str]) -> bool:
    for name in apps or status.apps:
        app = status.apps.get(name)
        if app is None or app.app_status.current != expected:
            return False
        if any(u.workload_status.current != expected for u in status.get_units(name).values()):
            return False
    return True


def _any(expected: str, status: Status, apps: Iterable[str]) -> bool:
    for name in apps or status.apps:
        app = status.apps.get(name)
        if app is None:
            continue
        if app.app_status.current == expected or any(
                u.workload_status.current == expected for u in status.get_units(name).values()):
            return True
    return False


def all_active(status: Status, *apps: str) -> bool:
    """Whether every app (of *apps*, if given; a missing one fails) and unit is active."""
    return _all('active', status, apps)


def all_blocked(status: Status, *apps: str) -> bool:
    """Whether every app (of *apps*, if given) and its units are blocked."""
    return _all('blocked', status, apps)


def all_error(status: Status, *apps: str) -> bool:
    """Whether every app (of *apps*, if given) and its units are in error."""
    return _all('error', status, apps)


def all_maintenance(status: Status, *apps: str) -> bool:
    """Whether every app (of *apps*, if given) and its units are in maintenance."""
    return _all('maintenance', status, apps)


def all_waiting(status: Status, *apps: str) -> bool:
    """Whether every app (of *apps*, if given) and its units are waiting."""
    return _all('waiting', status, apps)


def any_active(status: Status, *apps: str) -> bool:
    """Whether any app (of *apps*, if given; a missing one is ignored) or unit is active."""
    return _any('active', status, apps)


def any_blocked(status: Status, *apps: str) -> bool:
    """Whether any app (of *apps*, if given) or unit is blocked."""
    return _any('blocked', status, apps)


def any_error(status: Status, *apps: str) -> bool:
    """Whether any app (of *apps*, if given) or unit is in error."""
    return _any('error', status, apps)


def any_maintenance(status: Status, *apps: str) -> bool:
    """Whether any app (of *apps*, if given) or unit is in maintenance."""
    return _any('maintenance', status, apps)


def any_waiting(status: Status, *apps: str) -> bool:
    """Whether any app (of *apps*, if given) or unit is waiting."""
    return _any('waiting', status, apps)


def all_agents_idle(status: Status, *apps: str) -> bool:
    """Whether every unit's agent (of *apps*, if given; a missing one fails) is idle."""
    for name in apps or status.apps:
        if name not in status.apps:
            return False
        if any(u.juju_status.current != 'idle' for u in status.get_units(name).values()):
            return False
    return True
