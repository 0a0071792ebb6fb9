"""Units and applications, and the per-dispatch cache that keeps one object per name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._private.typing import TYPE_CHECKING, overload
from ..errors import InvalidStatusError, ModelError
from ._bags import _BagStore
from ._status import SETTABLE_STATUS_NAMES, StatusBase, UnknownStatus

if TYPE_CHECKING:
    import datetime
    from typing import Literal

    from .._private.backend import ModelBackend
    from ..meta import CharmMeta
    from ._containers import Container, ContainerMapping
    from ._resources import Port
    from ._secrets import Secret, SecretRotate

# Ports and secrets are imported by the methods that use them: most hooks use neither.

__all__ = ['Application', 'Unit']


class _ModelCache:
    """One :class:`Unit` or :class:`Application` per name, and the dispatch's data bags."""

    def __init__(self, meta: CharmMeta, backend: ModelBackend):
        self._meta = meta
        self._backend = backend
        self._units: dict[str, Unit] = {}
        self._apps: dict[str, Application] = {}
        self.bags = _BagStore(backend)

    @overload
    def get(self, entity_type: type[Unit], name: str) -> Unit: ...
    @overload
    def get(self, entity_type: type[Application], name: str) -> Application: ...
    def get(self, entity_type: type[Unit] | type[Application],
            name: str) -> Unit | Application:
        if entity_type is Unit:
            unit = self._units.get(name)
            if unit is None:
                unit = self._units[name] = Unit(name, self._meta, self._backend, self)
            return unit
        app = self._apps.get(name)
        if app is None:
            app = self._apps[name] = Application(name, self._meta, self._backend, self)
        return app


def _status_from(raw: dict[str, object]) -> StatusBase:
    name, message = str(raw.get('status') or 'unknown'), str(raw.get('message') or '')
    try:
        return StatusBase.from_name(name, message)
    except KeyError:
        raise ModelError(f'status-get printed a status reactops does not know: {name!r}') \
            from None


def _check_settable(value: object, whose: str, *, name_too: bool = True) -> StatusBase:
    if not isinstance(value, StatusBase):
        raise InvalidStatusError(f'the status of {whose} must be a StatusBase such as '
                                 f'ActiveStatus("..."), not {value!r}')
    if name_too and value.name not in SETTABLE_STATUS_NAMES:
        raise InvalidStatusError(
            f'invalid status "{value.name}" for {whose}: only Juju sets it; a charm '
            f'uses one of {", ".join(sorted(SETTABLE_STATUS_NAMES))}')
    return value


class Application:
    """An application in the model: ours, or one we are related to.

    Get it from :attr:`Model.app`, :meth:`Model.get_app` or :attr:`Relation.app`; there
    is one object per name in a dispatch.
    """

    name: str
    """The application's name in the model (which may differ from the charm's name)."""

    def __init__(self, name: str, meta: CharmMeta, backend: ModelBackend, cache: _ModelCache):
        self.name = name
        self._backend = backend
        self._cache = cache
        self._is_our_app = name == backend.app_name
        self._status: StatusBase | None = None

    def __repr__(self) -> str:
        return f'<reactops.model.Application {self.name}>'

    def _invalidate(self) -> None:
        """Forget the status read from Juju, so the next read asks again."""
        self._status = None

    def _require_leader(self, action: str) -> None:
        if not self._backend.is_leader():
            from .._private.security import AUTHZ_FAIL, CRITICAL, log_security_event

            log_security_event(CRITICAL, AUTHZ_FAIL, f'status-{action}',
                               description=f'Attempted to {action} application status when '
                                           f'not leader')
            raise RuntimeError(
                f'cannot {action} the status of application {self.name}: unit '
                f'{self._backend.unit_name} is not the leader, and only the leader may; '
                f'check self.unit.is_leader() first')

    @property
    def status(self) -> StatusBase:
        """The application's workload status; ours only, and only by the leader.

        A remote application reads :class:`UnknownStatus`. Reading or setting our own
        app's status as a non-leader raises :class:`RuntimeError`. It is read with one
        ``status-get`` and kept; setting it runs ``status-set`` at once.
        """
        if not self._is_our_app:
            return UnknownStatus()
        self._require_leader('get')
        if self._status is None:
            self._status = _status_from(self._backend.status_get(is_app=True))
        return self._status

    @status.setter
    def status(self, value: StatusBase) -> None:
        # In ops' order: the type, whose app it is and leadership come before the name.
        _check_settable(value, f'application {self.name}', name_too=False)
        if not self._is_our_app:
            raise RuntimeError(f'cannot set the status of {self.name}: it is a remote '
                               f'application; a charm sets only its own')
        self._require_leader('set')
        value = _check_settable(value, f'application {self.name}')
        self._backend.status_set(value.name, value.message, is_app=True)
        self._status = value

    def planned_units(self) -> int:
        """How many units Juju plans for our application (from ``goal-state``).

        Units being removed (``dying``) are not counted; units still starting are. Asked
        of Juju on every call.
        """
        if not self._is_our_app:
            raise RuntimeError(f'cannot get the planned units of {self.name}: Juju tells '
                               f"only our own application's")
        return self._backend.planned_units()

    def add_secret(self, content: dict[str, str], *, label: str | None = None,
                   description: str | None = None,
                   expire: datetime.datetime | datetime.timedelta | None = None,
                   rotate: SecretRotate | None = None) -> Secret:
        """Create a secret owned by our application (every unit can use it).

        *content* is a non-empty dict of str values whose keys have at least 3 lowercase
        letters or digits; *expire* is a time or a delay from now; *rotate* a policy.
        """
        from ._secrets import _add_secret

        return _add_secret(self._backend, 'application', content, label=label,
                           description=description, expire=expire, rotate=rotate)


class Unit:
    """A unit in the model: ours, a peer, or a unit of a related application.

    Get it from :attr:`Model.unit`, :meth:`Model.get_unit`, :attr:`Relation.units` or a
    relation event; there is one object per name in a dispatch.
    """

    name: str
    """The unit's name, e.g. ``mysql/0``."""

    app: Application
    """The application the unit belongs to."""

    def __init__(self, name: str, meta: CharmMeta, backend: ModelBackend, cache: _ModelCache):
        self.name = name
        self.app = cache.get(Application, name.split('/')[0])
        self._backend = backend
        self._cache = cache
        self._is_our_unit = name == backend.unit_name
        self._status: StatusBase | None = None
        self._meta = meta
        self._containers: ContainerMapping | None = None

    def __repr__(self) -> str:
        return f'<reactops.model.Unit {self.name}>'

    def _invalidate(self) -> None:
        """Forget the status read from Juju, so the next read asks again."""
        self._status = None

    def _require_ours(self, action: str) -> None:
        if not self._is_our_unit:
            raise RuntimeError(f'cannot {action} unit {self.name}: it is not this unit '
                               f'({self._backend.unit_name})')

    @property
    def status(self) -> StatusBase:
        """The unit's workload status; only our own unit's is known.

        Other units read :class:`UnknownStatus`. Ours is read with one ``status-get`` and
        kept; setting it runs ``status-set`` at once.
        """
        if not self._is_our_unit:
            return UnknownStatus()
        if self._status is None:
            self._status = _status_from(self._backend.status_get(is_app=False))
        return self._status

    @status.setter
    def status(self, value: StatusBase) -> None:
        _check_settable(value, f'unit {self.name}', name_too=False)
        self._require_ours('set the status of')
        value = _check_settable(value, f'unit {self.name}')
        self._backend.status_set(value.name, value.message, is_app=False)
        self._status = value

    def is_leader(self) -> bool:
        """Whether our unit is the application's leader (Juju is asked at most every 30 s).

        Only our own unit can tell: for another unit this raises :class:`RuntimeError`.
        """
        self._require_ours('ask about the leadership of')
        return self._backend.is_leader()

    def set_workload_version(self, version: str) -> None:
        """Show *version* as the workload version in ``juju status``."""
        if not isinstance(version, str):
            raise TypeError(f'workload version must be a str, not '
                            f'{type(version).__name__}: {version!r}')
        self._require_ours('set the workload version of')
        self._backend.application_version_set(version)

    def add_secret(self, content: dict[str, str], *, label: str | None = None,
                   description: str | None = None,
                   expire: datetime.datetime | datetime.timedelta | None = None,
                   rotate: SecretRotate | None = None) -> Secret:
        """Create a secret owned by this unit (see :meth:`Application.add_secret`)."""
        from ._secrets import _add_secret

        return _add_secret(self._backend, 'unit', content, label=label,
                           description=description, expire=expire, rotate=rotate)

    def open_port(self, protocol: Literal['tcp', 'udp', 'icmp'],
                  port: int | None = None) -> None:
        """Open *port* for *protocol* (no port for ``icmp``); the protocol is lowercased."""
        self._require_ours('open a port of')
        from ._resources import _check_port

        self._backend.open_port(_check_port(protocol, port), port)

    def close_port(self, protocol: Literal['tcp', 'udp', 'icmp'],
                   port: int | None = None) -> None:
        """Close a port opened with :meth:`open_port`."""
        self._require_ours('close a port of')
        from ._resources import _check_port

        self._backend.close_port(_check_port(protocol, port), port)

    def opened_ports(self) -> set[Port]:
        """The ports this unit has open (asked of Juju on every call)."""
        self._require_ours('list the ports of')
        from ._resources import _parse_opened_ports

        return _parse_opened_ports(self._backend.opened_ports())

    def set_ports(self, *ports: int | Port) -> None:
        """Make exactly *ports* open: an int is a TCP port; closes the others first."""
        self._require_ours('set the ports of')
        from ._resources import Port, _check_port

        wanted = {Port('tcp', p) if isinstance(p, int) else p for p in ports}
        for port in wanted:
            _check_port(port.protocol, port.port)
        existing = self.opened_ports()
        for port in sorted(existing - wanted, key=_port_order):
            self._backend.close_port(port.protocol, port.port)
        for port in sorted(wanted - existing, key=_port_order):
            self._backend.open_port(port.protocol, port.port)

    @property
    def containers(self) -> Mapping[str, Container]:
        """This unit's workload containers by name (Kubernetes charms).

        Built on first use, which loads the Pebble client; :class:`RuntimeError` for
        another unit, whose containers this unit cannot reach.
        """
        if not self._is_our_unit:
            raise RuntimeError(f'cannot get container for a remote unit {self}')
        if self._containers is None:
            if not self._meta.containers:
                return _NO_CONTAINERS  # a machine charm: no need to load Pebble's client
            from ._containers import ContainerMapping

            self._containers = ContainerMapping(self._meta.containers, self._backend)
        return self._containers

    def get_container(self, container_name: str) -> Container:
        """One workload container by name; :class:`ModelError` if metadata has none."""
        try:
            return self.containers[container_name]
        except KeyError:
            raise ModelError(f'container {container_name!r} not found') from None

    def reboot(self, now: bool = False) -> None:
        """Reboot the machine once this hook ends, or with *now* at once.

        With *now*, Juju runs the hook again after the reboot and this call never returns.
        Not possible in an action, nor on Kubernetes (Juju refuses).
        """
        self._require_ours('reboot')
        self._backend.reboot(now)


class _NoContainers(Mapping[str, 'Container']):
    """The containers of a charm that declares none (a machine charm)."""

    def __getitem__(self, key: str) -> Container:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return '{}'


_NO_CONTAINERS = _NoContainers()


def _port_order(port: Port) -> tuple[str, int]:
    return (port.protocol, port.port or 0)
