"""The world of a :class:`~reactops.testing.Harness`: one mutable stand-in for Juju.

:class:`_HarnessBackend` has the methods of :class:`~reactops._private.backend.ModelBackend`
(same names, arguments and answer shapes), so the model runs on it unchanged. Unlike the
state-in, state-out backend of :class:`~reactops.testing.Context`, it is one object for the
Harness's whole life that the Harness changes step by step, as ops' Harness keeps one
testing backend; it answers as ops' Harness does (which is laxer than Juju in places: a
unit that does not lead may read and set its application's status and create application
secrets, for instance).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import ipaddress
import re
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._private import jujurules
from .._private.backend import MAX_LOG_LINE_LEN, ModelBackend
from ..errors import ModelError, RelationNotFoundError, SecretNotFoundError
from ..jujucontext import JujuContext, JujuVersion
from ..meta import CharmMeta
from ..model import CloudSpec
from ._harness_world_containers import _Storage, _WorldContainers

__all__ = ['_HarnessBackend']

_SETTABLE = ('active', 'blocked', 'maintenance', 'waiting')
_SECRET_ID = re.compile(
    r'^(?:secret:)?(?://)?(?:(?P<uuid>[a-z0-9-]+)/)?(?P<id>[a-z0-9-]+)$', re.IGNORECASE)


@dataclasses.dataclass
class _Relation:
    """One relation: its remote units (in the order they joined) and every bag by name."""

    id: int
    endpoint: str
    remote_app: str
    units: list[str] = dataclasses.field(default_factory=list)
    data: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    remote_model_uuid: str | None = None


@dataclasses.dataclass
class _Secret:
    """A secret: owned by this unit or app, a remote app or unit, or the user (the model)."""

    id: str
    owner: str  # a unit or application name, or the model uuid for a user secret
    revisions: list[tuple[int, dict[str, str]]]
    label: str | None = None
    description: str | None = None
    expire: datetime.datetime | None = None
    rotate: str | None = None
    tracked: int = 1
    grants: dict[int, set[str]] = dataclasses.field(default_factory=dict)
    user_grants: set[str] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class _RunningAction:
    """The action :meth:`Harness.run_action` runs, and what it reported."""

    name: str
    params: dict[str, Any]
    logs: list[str] = dataclasses.field(default_factory=list)
    results: dict[str, Any] = dataclasses.field(default_factory=dict)
    failure: str | None = None


#: The parts of the world a failed event must not change (see :meth:`_HarnessBackend._save`).
_WORLD = ('config', 'leader', 'relations', 'unit_status', 'app_status', 'workload_version',
          'opened', 'storages', 'resources', 'secrets', 'pod_spec')


class _HarnessBackend(_WorldContainers):
    """Juju as a Harness test arranges it: everything held here, changed in place."""

    def __init__(self, meta: CharmMeta, unit_name: str, juju_version: JujuVersion,
                 root: Path):
        self._meta = meta
        self.unit_name = unit_name
        self.app_name = unit_name.split('/')[0]
        self.model_name: str | None = None
        self.model_uuid = str(uuid.uuid4())
        self.juju_version = juju_version
        self._root = root
        self._hook_is_running = ''
        self._juju_context: JujuContext | None = None  # the Harness sets it, per event
        self.config: dict[str, Any] = {
            name: option.default for name, option in meta.config.items()
            if option.default is not None}
        self.leader = False
        self.relations: dict[int, _Relation] = {}
        self.unit_status: tuple[str, str] = ('maintenance', '')
        self.app_status: tuple[str, str] = ('unknown', '')
        self.workload_version: str | None = None
        self.opened: set[tuple[str, int | None]] = set()
        self.storages: dict[str, dict[int, _Storage]] = {name: {} for name in meta.storages}
        self.storage_counter = 0
        self.resources: dict[str, Path] = {}
        self.networks: dict[tuple[str | None, int | None], dict[str, Any]] = {}
        self.secrets: list[_Secret] = []
        self._planned_units: int | None = None
        self.pod_spec: tuple[Mapping[str, Any], Mapping[str, Any] | None] | None = None
        self.cloud_spec: CloudSpec | None = None
        self.reboot_count = 0
        self.action: _RunningAction | None = None
        self.logs: list[tuple[str, str]] = []
        self._pebble_clients = {}
        self._pebble_clients_can_connect = {}

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.unit_name}>'

    def _save(self) -> dict[str, Any]:
        """A copy of what charm code can change, for :meth:`_restore` after a failed event."""
        return {name: copy.deepcopy(getattr(self, name)) for name in _WORLD}

    def _restore(self, saved: Mapping[str, Any]) -> None:
        for name, value in saved.items():
            setattr(self, name, value)

    # -- configuration, leadership, the unit -------------------------------------------

    def config_get(self) -> dict[str, bool | int | float | str]:
        """The options that have a value (set, or a default)."""
        return dict(self.config)

    def is_leader(self) -> bool:
        return self.leader

    def application_version_set(self, version: str) -> None:
        self.workload_version = version

    def planned_units(self) -> int:
        """The number :meth:`Harness.set_planned_units` gave, else this unit and its peers."""
        if self._planned_units is not None:
            return self._planned_units
        peers = {unit for relation in self.relations.values()
                 if relation.endpoint in self._meta.peers for unit in relation.units}
        return len(peers) + 1

    def goal_state(self) -> dict[str, Any]:
        units = {f'{self.app_name}/{n}': {'status': 'active', 'since': ''}
                 for n in range(self.planned_units())}
        related: dict[str, dict[str, Any]] = {}
        for relation in self.relations.values():
            members = related.setdefault(relation.endpoint, {})
            members[relation.remote_app] = {'status': 'joined', 'since': ''}
            members.update({unit: {'status': 'active', 'since': ''} for unit in relation.units})
        return {'units': units, 'relations': related}

    def credential_get(self) -> dict[str, Any]:
        """The cloud spec :meth:`Harness.set_cloud_spec` gave, as ``credential-get`` prints
        it; :class:`~reactops.errors.ModelError` without one."""
        spec = self.cloud_spec
        if spec is None:
            raise ModelError('ERROR cloud spec is empty, set it with '
                             '`Harness.set_cloud_spec()` first', command=['credential-get'])
        credential = spec.credential
        return {'type': spec.type, 'name': spec.name, 'region': spec.region,
                'endpoint': spec.endpoint, 'identity-endpoint': spec.identity_endpoint,
                'storage-endpoint': spec.storage_endpoint,
                'credential': None if credential is None else {
                    'auth-type': credential.auth_type, 'attrs': dict(credential.attributes),
                    'redacted': list(credential.redacted)},
                'cacertificates': list(spec.ca_certificates),
                'skip-tls-verify': spec.skip_tls_verify,
                'is-controller-cloud': spec.is_controller_cloud}

    def pod_spec_set(self, spec: Mapping[str, Any],
                     k8s_resources: Mapping[str, Any] | None = None) -> None:
        self.pod_spec = (spec, k8s_resources)

    def reboot(self, now: bool = False) -> None:
        """Count the request; with *now*, stop the hook (:class:`SystemExit`) as Juju would."""
        self.reboot_count += 1
        if now:
            raise SystemExit

    # -- relations -----------------------------------------------------------------------

    def _relation(self, relation_id: int, endpoint: str | None = None) -> _Relation:
        relation = self.relations.get(relation_id)
        if relation is None or (endpoint is not None and relation.endpoint != endpoint):
            raise RelationNotFoundError(f'ERROR relation {relation_id} not found',
                                        command=['relation-list', '-r', str(relation_id)])
        return relation

    def relation_ids(self, endpoint: str) -> list[int]:
        if endpoint not in self._meta.relations:
            raise ModelError(f'{endpoint} is not a known relation')
        return [r.id for r in self.relations.values() if r.endpoint == endpoint]

    def relation_list(self, relation_id: int, endpoint: str | None = None) -> list[str]:
        return list(self._relation(relation_id, endpoint).units)

    def relation_remote_app_name(self, relation_id: int,
                                 endpoint: str | None = None) -> str | None:
        relation = self.relations.get(relation_id)
        return None if relation is None else relation.remote_app

    def relation_get(self, relation_id: int, endpoint: str | None, member: str,
                     is_app: bool) -> dict[str, str]:
        relation = self._relation(relation_id, endpoint)
        peer = relation.remote_app == self.app_name
        kind = jujurules.bag_kind(self.unit_name, member, is_app=is_app, peer=peer)
        if kind == jujurules.SIBLING_UNIT:  # the leader's own-app read is the model's check
            raise ModelError(f'ERROR cannot read settings for unit "{member}" in relation '
                             f'{relation.endpoint}:{relation_id}: permission denied',
                             command=['relation-get', '-r', str(relation_id), '-', member])
        bag = relation.data.get(member)
        if bag is None:
            raise ModelError(f'ERROR cannot read settings for {member} in relation '
                             f'{relation.endpoint}:{relation_id}: not a member',
                             command=['relation-get', '-r', str(relation_id), member])
        return dict(bag)

    def relation_set(self, relation_id: int, endpoint: str | None, data: Mapping[str, str],
                     is_app: bool) -> None:
        """Write our unit's (with *is_app*, our app's) bag; ``''`` deletes a key."""
        relation = self._relation(relation_id, endpoint)
        bag = relation.data.setdefault(self.app_name if is_app else self.unit_name, {})
        for key, value in data.items():
            if value == '':
                bag.pop(key, None)
            else:
                bag[key] = value

    def relation_model_get(self, relation_id: int,
                           endpoint: str | None = None) -> dict[str, str]:
        relation = self._relation(relation_id, endpoint)
        return {'uuid': relation.remote_model_uuid or self.model_uuid}

    # -- status and logging ----------------------------------------------------------------

    def status_get(self, *, is_app: bool = False) -> dict[str, Any]:
        name, message = self.app_status if is_app else self.unit_status
        return {'status': name, 'message': message}

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        if status not in _SETTABLE:
            raise ModelError(f'ERROR invalid status "{status}", expected one of '
                             f'[{" ".join(_SETTABLE)}]', command=['status-set', status])
        if is_app:
            self.app_status = (status, message)
        else:
            self.unit_status = (status, message)

    @classmethod
    def log_split(cls, message: str, max_len: int = MAX_LOG_LINE_LEN) -> Iterator[str]:
        """*message* in the parts ``juju-log`` would get, as the real backend splits it."""
        return ModelBackend.log_split(message, max_len)

    def juju_log(self, level: str, message: str) -> None:
        self.logs.append((level, message))

    def add_metrics(self, metrics: Mapping[str, int | float],
                    labels: Mapping[str, str] | None = None) -> None:
        """Metrics go nowhere in the Harness (ops' Harness does not take them either)."""

    # -- ports, storage, resources, network ----------------------------------------------

    def open_port(self, protocol: str, port: int | None = None) -> None:
        _check_port(protocol, port)
        self.opened.add((protocol, port))

    def close_port(self, protocol: str, port: int | None = None) -> None:
        _check_port(protocol, port)
        self.opened.discard((protocol, port))

    def opened_ports(self) -> list[str]:
        ordered = sorted(self.opened, key=lambda p: (p[0], p[1] or 0))
        return [protocol if port is None else f'{port}/{protocol}'
                for protocol, port in ordered]

    def storage_list(self, name: str) -> list[int]:
        return [index for index, storage in self.storages.get(name, {}).items()
                if storage.attached]

    def storage_get(self, storage_id: str, attribute: str) -> str:
        name, _, index = storage_id.rpartition('/')
        storage = self.storages.get(name, {}).get(int(index)) if index.isdigit() else None
        if storage is None or not storage.attached:
            raise ModelError(f'ERROR invalid value "{storage_id}" for option -s: storage '
                             f'not found', command=['storage-get', '-s', storage_id])
        if attribute == 'kind':
            return self._meta.storages[name].type
        if attribute != 'location':
            raise ModelError(f'ERROR unknown storage attribute {attribute!r}',
                             command=['storage-get', '-s', storage_id, attribute])
        return str(storage.location)

    def storage_add(self, name: str, count: int = 1) -> list[int]:
        """Add *count* detached instances (the Harness attaches them on request)."""
        if '/' in name:
            raise ModelError('storage name cannot contain "/"')
        if name not in self.storages:
            raise RuntimeError(f'the key {name!r} is not specified as a storage key in '
                               f'metadata')
        added = []
        for _ in range(count):
            index = self.storage_counter
            self.storage_counter += 1
            location = self._root / 'storages' / name / str(index)
            location.mkdir(parents=True, exist_ok=True)
            self.storages[name][index] = _Storage(location)
            added.append(index)
        return added

    def resource_get(self, name: str) -> str:
        path = self.resources.get(name)
        if path is None:  # as Juju words it when the controller has no such resource
            unit = self.unit_name.replace('/', '-')
            raise ModelError(f'ERROR could not download resource: HTTP request failed: Get '
                             f'https://.../units/unit-{unit}/resources/{name}: '
                             f'resource#{self.app_name}/{name} not found',
                             command=['resource-get', name])
        return str(path)

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        """What :meth:`Harness.add_network` gave (per relation, per binding, or for all);
        :class:`~reactops.errors.RelationNotFoundError` if it gave nothing that fits."""
        for key in ((binding, relation_id), (binding, None), (None, None)):
            if key in self.networks:
                return copy.deepcopy(self.networks[key])
        raise RelationNotFoundError(f'no network for binding {binding!r}: add one with '
                                    f'harness.add_network()', command=['network-get', binding])

    # -- actions -------------------------------------------------------------------------

    def _running(self, tool: str) -> _RunningAction:
        if self.action is None:
            raise ModelError(f'ERROR {tool} is only available while an action runs',
                             command=[tool])
        return self.action

    def action_get(self) -> dict[str, Any]:
        """The parameters: the defaults of actions.yaml, then those the test passed."""
        action = self._running('action-get')
        params: dict[str, Any] = {}
        for name, schema in self._meta.actions[action.name].parameters.items():
            if isinstance(schema, Mapping) and 'default' in schema:
                params[name] = copy.deepcopy(schema['default'])
        params.update(copy.deepcopy(action.params))
        return params

    def action_set(self, results: Mapping[str, Any]) -> None:
        """Check the keys as Juju would, and keep the results as the charm gave them."""
        from .._private.backend import _flatten_results

        action = self._running('action-set')
        for key in ('stdout', 'stderr', 'stdout-encoding', 'stderr-encoding'):
            if key in results:
                raise ModelError(f'ERROR cannot set reserved action key "{key}"',
                                 command=['action-set'])
        _flatten_results(results)  # only for its checks of the keys
        action.results.update(results)

    def action_log(self, message: str) -> None:
        self._running('action-log').logs.append(message)

    def action_fail(self, message: str = '') -> None:
        self._running('action-fail').failure = message

    # -- secrets -------------------------------------------------------------------------

    def _same_secret(self, first: str, second: str) -> bool:
        one, two = _SECRET_ID.match(first), _SECRET_ID.match(second)
        if one is None or two is None:
            return False
        return (one['uuid'] or self.model_uuid, one['id']) == \
            (two['uuid'] or self.model_uuid, two['id'])

    def _find_secret(self, secret_id: str) -> _Secret | None:
        return next((s for s in self.secrets if self._same_secret(s.id, secret_id)), None)

    def _secret(self, id: str | None, label: str | None = None) -> _Secret:
        secret = self._find_secret(id) if id is not None else None
        if secret is not None and label is not None:
            secret.label = label  # given both, the label names the secret from now on
        if secret is None and label is not None:
            secret = next((s for s in self.secrets if s.label == label), None)
        if secret is None:
            raise SecretNotFoundError(f'secret not found by id ({id!r}) or label ({label!r})',
                                      command=['secret-get'])
        return secret

    def _relation_to(self, app: str) -> int | None:
        return next((r.id for r in self.relations.values() if r.remote_app == app), None)

    def _may_manage(self, secret: _Secret) -> bool:
        return jujurules.owns_secret(secret.owner, self.unit_name, leader=self.leader)

    def secret_get(self, *, id: str | None = None, label: str | None = None,
                   refresh: bool = False, peek: bool = False) -> dict[str, str]:
        secret = self._secret(id, label)
        if secret.owner == self.model_uuid:
            if self.app_name not in secret.user_grants:
                raise SecretNotFoundError(f'secret {id!r} is not granted to '
                                          f'{self.app_name!r}', command=['secret-get'])
        else:
            relation_id = self._relation_to(jujurules.app_of(secret.owner))
            grants = secret.grants.get(relation_id, set()) if relation_id is not None else ()
            if not jujurules.may_read_secret(secret.owner, self.unit_name, grants):
                raise SecretNotFoundError(f'secret {id!r} is not granted to {self.app_name!r} '
                                          f'or {self.unit_name!r}', command=['secret-get'])
        if peek or refresh:
            revision, content = secret.revisions[-1]
            if refresh:
                secret.tracked = revision
            return dict(content)
        for revision, content in secret.revisions:
            if revision == secret.tracked:
                return dict(content)
        raise SecretNotFoundError(f'secret {id!r}: the tracked revision was removed',
                                  command=['secret-get'])

    def secret_info_get(self, *, id: str | None = None,
                        label: str | None = None) -> dict[str, Any]:
        secret = self._secret(id, label)
        if not self._may_manage(secret):
            raise SecretNotFoundError(f'you must own secret {secret.id!r} to read its info',
                                      command=['secret-info-get'])
        return {'id': secret.id, 'revision': secret.tracked, 'label': secret.label,
                'owner': 'unit' if secret.owner == self.unit_name else 'application',
                'description': secret.description,
                'expiry': None if secret.expire is None else secret.expire.isoformat(),
                'rotation': secret.rotate,
                'rotates': None if secret.rotate in (None, 'never') else
                (datetime.datetime.now(datetime.timezone.utc) +
                 datetime.timedelta(days=1)).isoformat()}

    def _add_secret(self, owner: str, content: Mapping[str, str], **fields: Any) -> str:
        """Create a secret owned by *owner*; return its id."""
        # The long form: the model knows it as such, so ids compare equal wherever read.
        secret = _Secret(f'secret://{self.model_uuid}/{uuid.uuid4()}', owner,
                         [(1, dict(content))], **fields)
        self.secrets.append(secret)
        return secret.id

    def secret_add(self, content: Mapping[str, str], *, label: str | None = None,
                   description: str | None = None, expire: datetime.datetime | None = None,
                   rotate: str | None = None, owner: str | None = None) -> str:
        return self._add_secret(self.unit_name if owner == 'unit' else self.app_name,
                               content, label=label, description=description,
                               expire=expire, rotate=_rotate_value(rotate))

    def _manage(self, id: str, tool: str) -> _Secret:
        secret = self._find_secret(id)
        if secret is None:
            raise SecretNotFoundError(f'secret {id!r} not found', command=[tool])
        if not self._may_manage(secret):
            raise RuntimeError(f'you must own secret {secret.id!r} to perform this operation')
        return secret

    def secret_set(self, id: str, *, content: Mapping[str, str] | None = None,
                   label: str | None = None, description: str | None = None,
                   expire: datetime.datetime | None = None, rotate: str | None = None) -> None:
        secret = self._manage(id, 'secret-set')
        last, latest = secret.revisions[-1]
        secret.revisions.append((last + 1, dict(latest if content is None else content)))
        if label is not None:
            secret.label = label or None
        if description is not None:
            secret.description = description or None
        if expire is not None:
            secret.expire = expire
        if rotate is not None:
            value = _rotate_value(rotate)
            secret.rotate = None if value == 'never' else value

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        secret = self._find_secret(id)
        if secret is None or not self._may_manage(secret):
            raise SecretNotFoundError(f'you must own secret {id!r} to grant it',
                                      command=['secret-grant'])
        remote_app = self._relation(relation_id).remote_app
        secret.grants.setdefault(relation_id, set()).add(unit or remote_app)

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        secret = self._manage(id, 'secret-revoke')
        remote_app = self._relation(relation_id).remote_app
        secret.grants.get(relation_id, set()).discard(unit or remote_app)

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        secret = self._manage(id, 'secret-remove')
        if revision is not None:
            kept = [(n, c) for n, c in secret.revisions if n != revision]
            if len(kept) == len(secret.revisions):
                raise SecretNotFoundError(f'secret {id!r} has no revision {revision}',
                                          command=['secret-remove'])
            if kept:
                secret.revisions = kept
                return
        self.secrets.remove(secret)


def _rotate_value(rotate: Any) -> str | None:
    """A rotation policy as Juju names it (a :class:`SecretRotate` gives its value)."""
    return None if rotate is None else str(getattr(rotate, 'value', rotate))


def _check_port(protocol: str, port: int | None) -> None:
    """Refuse a port as Juju's open-port and close-port do."""
    if protocol == 'icmp':
        if port is not None:
            raise ModelError(f'ERROR protocol "{protocol}" doesn\'t support any ports; got '
                             f'"{port}"')
    elif protocol in ('tcp', 'udp'):
        if port is None:
            raise ModelError(f'ERROR invalid port "{protocol}": a {protocol} port needs a '
                             f'number')
        if not 1 <= port <= 65535:
            raise ModelError(f'ERROR port range bounds must be between 1 and 65535, got '
                             f'{port}-{port}')
    else:
        raise ModelError(f'ERROR invalid protocol "{protocol}", expected "tcp", "udp", or '
                         f'"icmp"')


def network_output(address: str, cidr: str | None, interface: str,
                   ingress: list[str] | None, egress: list[str] | None) -> dict[str, Any]:
    """``network-get --format=json`` output for one address (*cidr*: /24 or /64 of it)."""
    parsed = ipaddress.ip_address(address)  # ValueError if it is not an address
    if cidr is None:
        cidr = str(ipaddress.ip_network(f'{address}/{24 if parsed.version == 4 else 64}',
                                        strict=False))
    return {'bind-addresses': [{'interface-name': interface, 'mac-address': '',
                                'addresses': [{'cidr': cidr, 'value': address,
                                               'address': address}]}],
            'egress-subnets': list(egress if egress is not None else [cidr]),
            'ingress-addresses': list(ingress if ingress is not None else [address])}
