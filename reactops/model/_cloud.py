"""The cloud the model runs on, with its credential (``credential-get``; needs trust)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ['CloudCredential', 'CloudSpec']


@dataclasses.dataclass(frozen=True)
class CloudCredential:
    """The credential the model uses on its cloud (needs ``juju trust``)."""

    auth_type: str
    """How the credential authenticates, e.g. ``access-key`` or ``userpass``."""

    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    """The credential's fields, e.g. ``access-key`` and ``secret-key`` on AWS."""

    redacted: list[str] = dataclasses.field(default_factory=list)
    """The names of fields Juju withheld."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CloudCredential:
        """Build from the ``credential`` part of ``credential-get`` output."""
        return cls(auth_type=d['auth-type'], attributes=dict(d.get('attrs') or {}),
                   redacted=list(d.get('redacted') or []))


@dataclasses.dataclass(frozen=True)
class CloudSpec:
    """The cloud the model is deployed on (:meth:`Model.get_cloud_spec`)."""

    type: str
    """The kind of cloud, e.g. ``ec2``, ``lxd``, ``openstack``."""
    name: str
    """Juju's name for the cloud."""
    region: str | None = None
    endpoint: str | None = None
    identity_endpoint: str | None = None
    storage_endpoint: str | None = None
    credential: CloudCredential | None = None
    ca_certificates: list[str] = dataclasses.field(default_factory=list)
    skip_tls_verify: bool = False
    is_controller_cloud: bool = False
    """Whether the controller runs on this cloud too."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CloudSpec:
        """Build from ``credential-get --format=json`` output."""
        credential = d.get('credential')
        return cls(
            type=d['type'], name=d['name'], region=d.get('region') or None,
            endpoint=d.get('endpoint') or None,
            identity_endpoint=d.get('identity-endpoint') or None,
            storage_endpoint=d.get('storage-endpoint') or None,
            credential=CloudCredential.from_dict(credential) if credential else None,
            ca_certificates=list(d.get('cacertificates') or []),
            skip_tls_verify=bool(d.get('skip-tls-verify')),
            is_controller_cloud=bool(d.get('is-controller-cloud')),
        )

    @classmethod
    def _from_answer(cls, answer: Any) -> CloudSpec:
        """From what the backend gives: ``credential-get``'s JSON, or an object with the
        same fields as attributes (ops' ``hookcmds.CloudSpec``)."""
        if isinstance(answer, Mapping):
            return cls.from_dict(answer)
        raw = getattr(answer, 'credential', None)
        credential = None if raw is None else CloudCredential(
            auth_type=raw.auth_type, attributes=dict(raw.attributes or {}),
            redacted=list(raw.redacted or []))
        return cls(
            type=answer.type, name=answer.name,
            region=getattr(answer, 'region', None), endpoint=getattr(answer, 'endpoint', None),
            identity_endpoint=getattr(answer, 'identity_endpoint', None),
            storage_endpoint=getattr(answer, 'storage_endpoint', None), credential=credential,
            ca_certificates=list(getattr(answer, 'ca_certificates', None) or []),
            skip_tls_verify=bool(getattr(answer, 'skip_tls_verify', False)),
            is_controller_cloud=bool(getattr(answer, 'is_controller_cloud', False)))
