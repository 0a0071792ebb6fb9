"""The values :mod:`reactops.hookcmds` hands back, built from the tools' JSON output."""

from __future__ import annotations

import dataclasses
import datetime
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

from .._private import timeconv

SecretRotate = Literal['never', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly']
SettableStatusName = Literal['active', 'blocked', 'maintenance', 'waiting']
ReadOnlyStatusName = Literal['error', 'unknown']
StatusName: TypeAlias = SettableStatusName | ReadOnlyStatusName

_Json: TypeAlias = Mapping[str, Any]


def _when(text: str | None) -> datetime.datetime | None:
    """An aware datetime from optional RFC 3339 text (empty or missing gives ``None``)."""
    return timeconv.parse_rfc3339(text) if text else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Address:
    """One address of a :class:`BindAddress`; values may be IPs or host names."""

    hostname: str
    value: str
    cidr: str

    @classmethod
    def _from_dict(cls, raw: _Json) -> Address:
        # Juju before 2.9 called the value 'address'.
        return cls(
            hostname=raw.get('hostname', ''),
            value=raw.get('value', raw.get('address', '')),
            cidr=raw.get('cidr', ''),
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class BindAddress:
    """A network interface of a :class:`Network` and its addresses."""

    mac_address: str
    interface_name: str
    addresses: list[Address] = dataclasses.field(default_factory=list[Address])

    @classmethod
    def _from_dict(cls, raw: _Json) -> BindAddress:
        return cls(
            mac_address=raw.get('mac-address', ''),
            interface_name=raw.get('interface-name', ''),
            addresses=[Address._from_dict(item) for item in raw.get('addresses') or []],
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class CloudCredential:
    """The credential part of a :class:`CloudSpec`."""

    auth_type: str
    """How the credential authenticates."""

    attributes: dict[str, str] = dataclasses.field(default_factory=dict[str, str])
    """The credential's key/value attributes (for example an access key)."""

    redacted: list[str] = dataclasses.field(default_factory=list[str])
    """Names of attributes Juju withheld."""

    @classmethod
    def _from_dict(cls, raw: _Json) -> CloudCredential:
        return cls(
            auth_type=raw['auth-type'],
            attributes=raw.get('attrs') or {},
            redacted=raw.get('redacted') or [],
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class CloudSpec:
    """What ``credential-get`` says about the cloud the model runs on."""

    type: str
    """The kind of cloud."""

    name: str
    """The cloud's name in Juju."""

    region: str | None = None
    """The region, if any."""

    endpoint: str | None = None
    """The cloud's API endpoint, if any."""

    identity_endpoint: str | None = None
    """The identity service endpoint, if any."""

    storage_endpoint: str | None = None
    """The storage service endpoint, if any."""

    credential: CloudCredential | None = None
    """The credential to reach the cloud with, if any."""

    ca_certificates: list[str] = dataclasses.field(default_factory=list[str])
    """CA certificates to trust for the cloud."""

    skip_tls_verify: bool = False
    """Whether TLS verification is turned off."""

    is_controller_cloud: bool = False
    """Whether the controller also runs on this cloud."""

    @classmethod
    def _from_dict(cls, raw: _Json) -> CloudSpec:
        cred = raw.get('credential')
        return cls(
            type=raw['type'],
            name=raw['name'],
            region=raw.get('region') or None,
            endpoint=raw.get('endpoint') or None,
            identity_endpoint=raw.get('identity-endpoint') or None,
            storage_endpoint=raw.get('storage-endpoint') or None,
            credential=CloudCredential._from_dict(cred) if cred else None,
            ca_certificates=raw.get('cacertificates') or [],
            skip_tls_verify=raw.get('skip-tls-verify') or False,
            is_controller_cloud=raw.get('is-controller-cloud') or False,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Goal:
    """A goal status of a unit or relation member, and since when it holds."""

    status: str
    since: datetime.datetime

    @classmethod
    def _from_dict(cls, raw: _Json) -> Goal:
        return cls(status=raw['status'], since=timeconv.parse_rfc3339(raw['since']))


@dataclasses.dataclass(frozen=True, kw_only=True)
class GoalState:
    """The units and relation members the model is heading for (``goal-state``)."""

    units: dict[str, Goal]
    relations: dict[str, dict[str, Goal]]
    """Keyed by endpoint name, then by application or unit name."""

    @classmethod
    def _from_dict(cls, raw: _Json) -> GoalState:
        units = {name: Goal._from_dict(item) for name, item in raw.get('units', {}).items()}
        relations = {
            endpoint: {member: Goal._from_dict(item) for member, item in members.items()}
            for endpoint, members in raw.get('relations', {}).items()
        }
        return cls(units=units, relations=relations)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Network:
    """What ``network-get`` says about a binding; addresses are kept as text."""

    bind_addresses: Sequence[BindAddress]
    egress_subnets: Sequence[str]
    ingress_addresses: Sequence[str]

    @classmethod
    def _from_dict(cls, raw: _Json) -> Network:
        return cls(
            bind_addresses=[BindAddress._from_dict(b) for b in raw.get('bind-addresses', [])],
            egress_subnets=raw.get('egress-subnets', []),
            ingress_addresses=raw.get('ingress-addresses', []),
        )


@dataclasses.dataclass(frozen=True)
class Port:
    """A port (or port range, or ICMP) the unit has opened."""

    protocol: Literal['tcp', 'udp', 'icmp'] | None = 'tcp'
    """The IP protocol."""

    port: int | None = None
    """The (first) port number; ``None`` for ICMP."""

    to_port: int | None = None
    """The last port number of a range, else ``None``."""

    endpoints: list[str] | None = None
    """The endpoints the port is open on (``['*']`` for all), ``None`` if not asked."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class RelationModel:
    """The model at the far end of a relation."""

    uuid: str

    @classmethod
    def _from_dict(cls, raw: _Json) -> RelationModel:
        return cls(uuid=raw['uuid'])


@dataclasses.dataclass(frozen=True, kw_only=True)
class SecretInfo:
    """A secret's metadata, as ``secret-info-get`` reports it."""

    revision: int
    id: str = ''
    label: str = ''
    description: str = ''
    expiry: datetime.datetime | None = None
    rotation: SecretRotate | None = None
    rotates: datetime.datetime | None = None

    @classmethod
    def _from_dict(cls, raw: _Json) -> SecretInfo:
        # The tool answers {secret_id: {metadata}} with a single entry.
        secret_id, meta = next(iter(raw.items()))
        return cls(
            id=secret_id,
            label=meta.get('label'),
            description=meta.get('description'),
            expiry=_when(meta.get('expiry')),
            rotation=meta.get('rotation'),
            rotates=_when(meta.get('rotates')),
            revision=meta['revision'],
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Storage:
    """A storage instance's kind and where it is mounted."""

    kind: str
    location: pathlib.Path

    @classmethod
    def _from_dict(cls, raw: _Json) -> Storage:
        return cls(kind=raw['kind'], location=pathlib.Path(raw['location']))


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitStatus:
    """A unit's workload status."""

    status: str = ''
    message: str = ''
    status_data: dict[str, Any]

    @classmethod
    def _from_dict(cls, raw: _Json) -> UnitStatus:
        return cls(status=raw['status'], message=raw['message'], status_data=raw['status-data'])


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppStatus:
    """An application's status, with the status of each of its units."""

    status: str = ''
    message: str = ''
    status_data: dict[str, Any]
    units: dict[str, UnitStatus]

    @classmethod
    def _from_dict(cls, raw: _Json) -> AppStatus:
        own = raw['application-status']
        return cls(
            status=own['status'],
            message=own['message'],
            status_data=own['status-data'],
            units={name: UnitStatus._from_dict(u) for name, u in raw.get('units', {}).items()},
        )
