"""The small parts of a :class:`~reactops.testing.State`: network, model, cloud, ports,
storage, resources, stored state, deferred notices and the status values.

Each is a frozen dataclass whose constructor checks what Juju would refuse and raises
:class:`~reactops.testing.errors.StateValidationError` naming the field.
"""

from __future__ import annotations

import copy
import dataclasses
import pathlib
import random
import re
import string
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .. import model as _model
from ..model import StatusBase
from .errors import StateValidationError

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    'ActiveStatus', 'Address', 'BindAddress', 'BlockedStatus', 'CloudCredential', 'CloudSpec',
    'DeferredEvent', 'ErrorStatus', 'ICMPPort', 'JujuLogLine', 'MaintenanceStatus', 'Model',
    'Network', 'Port', 'Resource', 'Storage', 'StoredState', 'TCPPort', 'UDPPort',
    'UnknownStatus', 'WaitingStatus',
]

_DEFAULT_IP = '192.0.2.0'

# Juju's naming rules (juju/names, juju/charm): a test must not pass with a name a real
# deployment refuses.
_NAME_RULES: dict[str, tuple[str, str]] = {
    'relation endpoint': (r'^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$',
                          'lowercase alphanumeric characters separated by single hyphens or '
                          'underscores, starting with a letter'),
    'storage': (r'^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$',
                'lowercase alphanumeric characters separated by single hyphens, starting '
                'with a letter, with each hyphen-separated part containing at least one '
                'letter'),
    'action': (r'^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$',
               'lowercase alphanumeric characters and hyphens, starting and ending with an '
               'alphanumeric character'),
    'container': (r'^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$',
                  'lowercase alphanumeric characters and hyphens, starting and ending with '
                  'an alphanumeric character'),
}


def _check_name(name: str, kind: str) -> None:
    """Raise StateValidationError unless *name* is a valid Juju name of *kind*."""
    pattern, rule = _NAME_RULES[kind]
    if not isinstance(name, str) or not re.match(pattern, name):
        raise StateValidationError(f'invalid {kind} name {name!r}: Juju requires {kind} '
                                   f'names to consist of {rule}')


def _list_of_str(value: Iterable[str], name: str) -> list[str]:
    """*value* as a list; a lone string is refused (iterating it is never what was meant)."""
    if isinstance(value, str | bytes):
        raise StateValidationError(f'{name} must be an iterable of strings, not a single '
                                   f'string; did you mean [{value!r}]?')
    return list(value)


def _set(obj: object, **values: Any) -> None:
    for name, value in values.items():
        object.__setattr__(obj, name, value)


@dataclasses.dataclass(frozen=True)
class JujuLogLine:
    """One line the charm sent to ``juju-log``: its level (``INFO``) and message."""

    level: str
    message: str


# -- the cloud and the model -----------------------------------------------------------


@dataclasses.dataclass(frozen=True, init=False)
class CloudCredential:
    """The credential of the model's cloud, as ``credential-get`` shows it."""

    auth_type: str
    attributes: Mapping[str, str]
    redacted: Sequence[str]

    def __init__(self, auth_type: str, *, attributes: Mapping[str, str] | None = None,
                 redacted: Iterable[str] = ()):
        _set(self, auth_type=auth_type, attributes=dict(attributes or {}),
             redacted=_list_of_str(redacted, 'redacted'))

    def _to_ops(self) -> _model.CloudCredential:
        return _model.CloudCredential(auth_type=self.auth_type,
                                      attributes=dict(self.attributes),
                                      redacted=list(self.redacted))


@dataclasses.dataclass(frozen=True, init=False)
class CloudSpec:
    """The model's cloud (``credential-get``): needs ``app_trusted=True`` on the Context."""

    type: str
    name: str
    region: str | None
    endpoint: str | None
    identity_endpoint: str | None
    storage_endpoint: str | None
    credential: CloudCredential | None
    ca_certificates: Sequence[str]
    skip_tls_verify: bool
    is_controller_cloud: bool

    def __init__(self, type: str, *, name: str = 'localhost', region: str | None = None,
                 endpoint: str | None = None, identity_endpoint: str | None = None,
                 storage_endpoint: str | None = None,
                 credential: CloudCredential | None = None,
                 ca_certificates: Iterable[str] = (), skip_tls_verify: bool = False,
                 is_controller_cloud: bool = False):
        _set(self, type=type, name=name, region=region, endpoint=endpoint,
             identity_endpoint=identity_endpoint, storage_endpoint=storage_endpoint,
             credential=credential,
             ca_certificates=_list_of_str(ca_certificates, 'ca_certificates'),
             skip_tls_verify=skip_tls_verify, is_controller_cloud=is_controller_cloud)

    def _to_ops(self) -> _model.CloudSpec:
        return _model.CloudSpec(
            type=self.type, name=self.name, region=self.region, endpoint=self.endpoint,
            identity_endpoint=self.identity_endpoint, storage_endpoint=self.storage_endpoint,
            credential=self.credential._to_ops() if self.credential else None,
            ca_certificates=list(self.ca_certificates), skip_tls_verify=self.skip_tls_verify,
            is_controller_cloud=self.is_controller_cloud)


def _random_model_name() -> str:
    return ''.join(random.choice(string.ascii_letters + string.digits) for _ in range(20))


@dataclasses.dataclass(frozen=True)
class Model:
    """The Juju model the unit is in: its name, uuid, type and (optionally) cloud."""

    name: str = dataclasses.field(default_factory=_random_model_name)
    _: dataclasses.KW_ONLY
    uuid: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    type: Literal['kubernetes', 'lxd'] = 'kubernetes'
    cloud_spec: CloudSpec | None = None


# -- networks ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Address:
    """One address of a bind address (``value`` is the IP; ``address`` is its alias)."""

    value: str
    _: dataclasses.KW_ONLY
    hostname: str = ''
    cidr: str = ''

    @property
    def address(self) -> str:
        """The IP address (the same as :attr:`value`)."""
        return self.value


@dataclasses.dataclass(frozen=True)
class BindAddress:
    """A network interface of a binding and its addresses."""

    addresses: Sequence[Address]
    _: dataclasses.KW_ONLY
    interface_name: str = ''
    mac_address: str | None = None

    def __post_init__(self) -> None:
        _set(self, addresses=list(self.addresses))

    def _hook_tool_output_fmt(self) -> dict[str, Any]:
        out: dict[str, Any] = {'interface-name': self.interface_name,
                               'addresses': [dataclasses.asdict(a) for a in self.addresses]}
        if self.mac_address:
            out['mac-address'] = self.mac_address
        return out


@dataclasses.dataclass(frozen=True, init=False)
class Network:
    """What ``network-get`` answers for one binding (an endpoint or extra binding).

    Bindings the state leaves out get a default network.
    """

    binding_name: str
    bind_addresses: Sequence[BindAddress]
    ingress_addresses: Sequence[str]
    egress_subnets: Sequence[str]

    def __init__(self, binding_name: str,
                 bind_addresses: Iterable[BindAddress] = (
                     BindAddress([Address(_DEFAULT_IP)]),),
                 *, ingress_addresses: Iterable[str] = (_DEFAULT_IP,),
                 egress_subnets: Iterable[str] = ('192.0.2.0/24',)):
        _set(self, binding_name=binding_name, bind_addresses=list(bind_addresses),
             ingress_addresses=_list_of_str(ingress_addresses, 'ingress_addresses'),
             egress_subnets=_list_of_str(egress_subnets, 'egress_subnets'))

    def __hash__(self) -> int:
        return hash(self.binding_name)

    def _hook_tool_output_fmt(self) -> dict[str, Any]:
        return {'bind-addresses': [b._hook_tool_output_fmt() for b in self.bind_addresses],
                'egress-subnets': list(self.egress_subnets),
                'ingress-addresses': list(self.ingress_addresses)}


# -- statuses ---------------------------------------------------------------------------


class _EntityStatus:
    """A status as a State holds it (mixed into the model's status classes): immutable,
    equal to any status of the same name and message (the ``reactops.model`` ones too)."""

    name: ClassVar[str]
    message: str
    _frozen: bool = False

    def __init__(self, message: str = ''):
        StatusBase.__init__(self, message)  # type: ignore[arg-type]
        object.__setattr__(self, '_frozen', True)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise dataclasses.FrozenInstanceError(f'cannot assign to field {name!r}')
        super().__setattr__(name, value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StatusBase):
            return (self.name, self.message) == (other.name, other.message)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name, self.message))

    def __repr__(self) -> str:
        if self.name == 'unknown':
            return 'UnknownStatus()'
        return f'{self.name.title()}Status({self.message!r})'

    @classmethod
    def from_status_name(cls, name: str, message: str = '') -> _EntityStatus:
        """The State status called *name* (``active``, ...) with *message*."""
        if name == 'unknown':
            if message:
                import warnings

                warnings.warn(f'Unknown status has no message; ignoring {message!r}.',
                              stacklevel=2)
            return UnknownStatus()
        return _BY_NAME[name](message)

    @classmethod
    def from_ops(cls, obj: StatusBase) -> _EntityStatus:
        """The State status equal to a model status."""
        return cls.from_status_name(obj.name, obj.message)

    def _to_ops(self) -> StatusBase:
        return StatusBase.from_name(self.name, self.message)


# The classes below inherit ``name`` rather than declaring it, so the model's registry
# (StatusBase.from_name) keeps answering with the model's own classes.


class UnknownStatus(_EntityStatus, _model.UnknownStatus):  # type: ignore[misc]
    """Juju has no status for the workload yet (the charm never set one)."""

    def __init__(self) -> None:
        super().__init__('')


class ErrorStatus(_EntityStatus, _model.ErrorStatus):  # type: ignore[misc]
    """A hook failed; Juju retries it."""


class ActiveStatus(_EntityStatus, _model.ActiveStatus):  # type: ignore[misc]
    """The workload is ready and serving."""


class BlockedStatus(_EntityStatus, _model.BlockedStatus):  # type: ignore[misc]
    """The workload needs a human; the message says what."""


class MaintenanceStatus(_EntityStatus, _model.MaintenanceStatus):  # type: ignore[misc]
    """The charm works on its own to make the workload ready."""


class WaitingStatus(_EntityStatus, _model.WaitingStatus):  # type: ignore[misc]
    """The workload waits for something it does not control."""


@dataclasses.dataclass(frozen=True)
class _StatusFields:
    name: str
    message: str = ''


# A State status reads as the dataclass (name, message), as in ops.testing: so
# ``dataclasses.asdict(state)`` gives plain data for it. The classes keep the model's
# registry untouched (they do not declare ``name`` themselves).
_EntityStatus.__dataclass_fields__ = _StatusFields.__dataclass_fields__  # type: ignore[attr-defined]
_EntityStatus.__dataclass_params__ = _StatusFields.__dataclass_params__  # type: ignore[attr-defined]

_BY_NAME: dict[str, type[_EntityStatus]] = {
    'error': ErrorStatus, 'active': ActiveStatus, 'blocked': BlockedStatus,
    'maintenance': MaintenanceStatus, 'waiting': WaitingStatus}


def _as_state_status(value: object, field: str) -> _EntityStatus:
    if value is None:
        return UnknownStatus()
    if isinstance(value, _EntityStatus):
        return value
    if isinstance(value, StatusBase):
        return _EntityStatus.from_ops(value)
    raise TypeError(f'Invalid status.{field}: {value!r}')


# -- ports, storage, resources ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Port:
    """An opened port: build one with :class:`TCPPort`, :class:`UDPPort` or
    :class:`ICMPPort`."""

    port: int | None = None
    _: dataclasses.KW_ONLY
    protocol: Literal['tcp', 'udp', 'icmp'] = 'tcp'

    def __post_init__(self) -> None:
        if type(self) is Port:
            raise RuntimeError('Port cannot be instantiated directly; please use TCPPort, '
                               'UDPPort, or ICMPPort')

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Port | _model.Port):
            return (self.protocol, self.port) == (other.protocol, other.port)
        return False

    def __hash__(self) -> int:
        return hash((self.protocol, self.port))

    def _to_ops(self) -> _model.Port:
        return _model.Port(protocol=self.protocol, port=self.port)


def _check_port_number(port: int | None) -> None:
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise StateValidationError(f'`port` outside bounds [1:65535], got {port}')


@dataclasses.dataclass(frozen=True, eq=False)
class TCPPort(Port):
    """An opened TCP port (1-65535)."""

    # Required here, unlike Port's (keyword-only fields after it keep that valid).
    port: int  # pyright: ignore[reportGeneralTypeIssues]
    protocol: Literal['tcp', 'udp', 'icmp'] = 'tcp'

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_port_number(self.port)


@dataclasses.dataclass(frozen=True, eq=False)
class UDPPort(Port):
    """An opened UDP port (1-65535)."""

    port: int  # pyright: ignore[reportGeneralTypeIssues] (as in TCPPort)
    protocol: Literal['tcp', 'udp', 'icmp'] = 'udp'

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_port_number(self.port)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class ICMPPort(Port):
    """ICMP opened (it has no port number)."""

    protocol: Literal['tcp', 'udp', 'icmp'] = 'icmp'

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.port is not None:
            raise StateValidationError('`port` cannot be set for `ICMPPort`')


_PORT_CLASSES: dict[str, type[Port]] = {'tcp': TCPPort, 'udp': UDPPort, 'icmp': ICMPPort}


def _port(protocol: str, port: int | None) -> Port:
    """The State port for a protocol and number."""
    if protocol == 'icmp':
        return ICMPPort()
    return _PORT_CLASSES[protocol](port)


_next_storage_index_counter = 0


def _next_storage_index(*, update: bool = True) -> int:
    """The index the next Storage will get (taken only with *update*)."""
    global _next_storage_index_counter
    current = _next_storage_index_counter
    if update:
        _next_storage_index_counter += 1
    return current


@dataclasses.dataclass(frozen=True)
class Storage:
    """An attached storage instance, ``name/index`` as Juju names it."""

    name: str
    _: dataclasses.KW_ONLY
    index: int = dataclasses.field(default_factory=_next_storage_index)

    def __post_init__(self) -> None:
        _check_name(self.name, 'storage')

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Storage | _model.Storage):
            return (self.name, self.index) == (other.name, other.index)
        return False

    def __hash__(self) -> int:
        return hash((self.name, self.index))

    @property
    def full_id(self) -> str:
        """``<name>/<index>``."""
        return f'{self.name}/{self.index}'

    def get_filesystem(self, ctx: Context) -> pathlib.Path:
        """The directory this storage is mounted at in runs of *ctx*."""
        return ctx._get_storage_root(self.name, self.index)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Resource:
    """A charm resource and the file ``resource-get`` returns for it."""

    name: str
    path: str | pathlib.Path


# -- the framework's store ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, init=False)
class StoredState:
    """The content of one ``StoredState`` attribute, by attribute name and owner path
    (``MyCharm``, ``MyCharm/MyLib``; ``None`` for the framework)."""

    name: str
    owner_path: str | None
    content: Mapping[str, Any]
    _data_type_name: str

    def __init__(self, name: str = '_stored', *, owner_path: str | None = None,
                 content: Mapping[str, Any] | None = None,
                 _data_type_name: str = 'StoredStateData'):
        _set(self, name=name, owner_path=owner_path,
             content=copy.deepcopy(dict(content or {})), _data_type_name=_data_type_name)

    @property
    def _handle_path(self) -> str:
        return f'{self.owner_path or ""}/{self._data_type_name}[{self.name}]'

    def __hash__(self) -> int:
        return hash(self._handle_path)


@dataclasses.dataclass(frozen=True)
class DeferredEvent:
    """A deferred notice waiting for the next dispatch (make one with
    ``ctx.on.<event>(...).deferred(handler)``)."""

    handle_path: str
    owner: str
    observer: str
    snapshot_data: dict[Any, Any] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        """The event's name (``start``, ``db_relation_changed``)."""
        return self.handle_path.split('/')[-1].split('[')[0]

