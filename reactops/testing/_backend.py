"""A stand-in for :class:`~reactops._private.backend.ModelBackend` that answers like Juju from a
:class:`~reactops.testing.State`.

:class:`SimulatedBackend` has every method of the real backend, with the same names,
signatures and return shapes, so the model and everything above it run unchanged. It
works on a mutable copy of the state (the input is never touched) and records the side
effects Juju would see: log lines, status changes, action output, storage requests, ...
The test context turns the copy and the records into the output state.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._private import jujurules
from .._private.backend import _check_metrics, _flatten_results
from ..errors import ModelError, RelationNotFoundError, SecretNotFoundError
from ..jujucontext import JujuContext, JujuVersion
from ..meta import CharmMeta
from ..model import StatusBase
from ._state import State
from ._state_parts import JujuLogLine, Network, Port, _port
from ._state_relations import PeerRelation, RelationBase, Secret

if TYPE_CHECKING:
    from .. import pebble
    from ._scenario_workload import Workloads

__all__ = ['JujuLogLine', 'SimulatedBackend']

_SETTABLE = ('active', 'blocked', 'maintenance', 'waiting')


@dataclasses.dataclass
class _Bags:
    """Our own two bags of one relation, as the run changes them."""

    relation: RelationBase
    app: dict[str, str]
    unit: dict[str, str]


@dataclasses.dataclass
class _SecretCopy:
    """A secret as the run changes it (``State`` keeps only frozen secrets)."""

    id: str
    owner: Literal['unit', 'app'] | None
    label: str | None
    description: str | None
    expire: Any
    rotate: str | None
    tracked: dict[str, str]
    latest: dict[str, str]
    tracked_revision: int
    latest_revision: int
    grants: dict[int, set[str]]

    @classmethod
    def of(cls, secret: Secret) -> _SecretCopy:
        # Secret.revision is the latest revision; a distinct latest_content is newer
        # than the tracked one.
        tracked, latest = secret._tracked_revision, secret._latest_revision
        if latest == tracked and secret.latest_content != secret.tracked_content:
            latest = tracked + 1  # newer content is a newer revision
        return cls(secret.id, secret.owner, secret.label, secret.description, secret.expire,
                   secret.rotate, dict(secret.tracked_content), dict(secret.latest_content),
                   tracked, latest,
                   {rid: set(grantees) for rid, grantees in secret.remote_grants.items()})

    def frozen(self) -> Secret:
        secret = Secret(dict(self.tracked), latest_content=dict(self.latest), id=self.id,
                        owner=self.owner,
                        remote_grants={rid: frozenset(g) for rid, g in self.grants.items()
                                       if g},
                        label=self.label, description=self.description, expire=self.expire,
                        rotate=_rotate_policy(self.rotate))
        object.__setattr__(secret, '_tracked_revision', self.tracked_revision)
        object.__setattr__(secret, '_latest_revision', self.latest_revision)
        return secret


def _rotate_policy(value: Any) -> Any:
    """A rotation policy as the State holds it (``SecretRotate``, as in ops.testing)."""
    from ..model import SecretRotate

    try:
        return SecretRotate(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _unique(secret_id: str) -> str:
    """The part of a secret id that names it, whatever the form (``secret://m/x`` -> x)."""
    return secret_id.strip().rsplit('/', 1)[-1].removeprefix('secret:')


def _rfc3339(when: datetime.datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).isoformat().replace('+00:00', 'Z')


class SimulatedBackend:
    """Juju for one dispatch, simulated over a copy of *state*.

    *context* names the unit, model and event (as it would for the real backend);
    *meta* is the charm's metadata (config defaults, storage kinds, bindings).
    *action_params* are the running action's parameters (``None`` outside an action);
    *storage_root* is where storage without a location is mounted; *trusted* says
    whether the application was given ``juju trust`` (``credential-get``); *workloads*
    are the run's containers, which :meth:`get_pebble` answers from.
    """

    def __init__(self, state: State, meta: CharmMeta, context: JujuContext, *,
                 action_params: Mapping[str, Any] | None = None,
                 storage_root: Path | None = None, trusted: bool = False,
                 workloads: Workloads | None = None):
        self._juju_context = context
        self.unit_name: str = context.unit_name or ''
        self.app_name: str = context.app_name or ''
        self.model_name: str = context.model_name or ''
        self.model_uuid: str = context.model_uuid or ''
        self.juju_version: JujuVersion = context.version
        self._hook_is_running: str = ''
        self._state = state
        self._meta = meta
        self._action_params = None if action_params is None else dict(action_params)
        self._storage_root = storage_root
        self._trusted = trusted
        self._workloads = workloads
        # The working copy: what the charm may change.
        self.bags = {r.id: _Bags(r, dict(r.local_app_data), dict(r.local_unit_data))
                     for r in state.relations}
        self.unit_status: Any = state.unit_status
        self.app_status: Any = state.app_status
        self.workload_version = state.workload_version
        self.opened: set[Port] = set(state.opened_ports)
        self.secrets = {s.id: _SecretCopy.of(s) for s in state.secrets}
        # The records of side effects.
        self.juju_log_lines: list[JujuLogLine] = []
        self.unit_status_history: list[StatusBase] = []
        self.app_status_history: list[StatusBase] = []
        self.workload_version_history: list[str] = []
        self.action_logs: list[str] = []
        self.action_results: dict[str, str] = {}
        self.action_results_set: dict[str, Any] = {}
        self.action_failure: str | None = None
        self.requested_storages: dict[str, int] = {}
        self.removed_secret_revisions: list[int] = []
        self.metrics: list[tuple[dict[str, float], dict[str, str]]] = []
        self.reboot_requested = False
        self.pod_spec: tuple[dict[str, Any], dict[str, Any] | None] | None = None

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.unit_name}>'

    # -- the output ------------------------------------------------------------------

    def output_state(self, **changes: Any) -> State:
        """The input state with the run's changes applied (plus *changes*)."""
        relations = [dataclasses.replace(b.relation, local_app_data=dict(b.app),
                                         local_unit_data=dict(b.unit))
                     for b in self.bags.values()]
        containers = self._state.containers if self._workloads is None \
            else self._workloads.output(self._state.containers)
        return dataclasses.replace(
            self._state, containers=containers,
            relations=frozenset(relations), unit_status=self.unit_status,
            app_status=self.app_status,
            workload_version=self.workload_version, opened_ports=frozenset(self.opened),
            secrets=frozenset(s.frozen() for s in self.secrets.values()), **changes)

    # -- configuration, leadership, the unit -------------------------------------------

    def config_get(self) -> dict[str, bool | int | float | str]:
        """The state's config, with the metadata's defaults for options it leaves out."""
        config = {name: option.default for name, option in self._meta.config.items()
                  if option.default is not None}
        config.update(self._state.config)
        return config

    def is_leader(self) -> bool:
        """``State.leader``."""
        return self._state.leader

    def application_version_set(self, version: str) -> None:
        """Set the workload version; the previous one (if any) goes to the history."""
        if self.workload_version:
            self.workload_version_history.append(self.workload_version)
        self.workload_version = version

    def goal_state(self) -> dict[str, Any]:
        """``State.planned_units`` units (ours first), and the related apps and units."""
        ours = int(self.unit_name.rsplit('/', 1)[-1] or 0)
        numbers = [ours] + [n for n in range(self._state.planned_units + 1) if n != ours]
        units = {f'{self.app_name}/{n}': {'status': 'active', 'since': ''}
                 for n in numbers[:self._state.planned_units]}
        relations: dict[str, dict[str, Any]] = {}
        for bags in self.bags.values():
            relation = bags.relation
            members = relations.setdefault(relation.endpoint, {})
            members[self._remote_app(relation)] = {'status': 'joined', 'since': ''}
            for unit in self._remote_units(relation):
                members[unit] = {'status': 'active', 'since': ''}
        return {'units': units, 'relations': relations}

    def planned_units(self) -> int:
        """``State.planned_units``, as the goal state tells it (the model's view)."""
        units = self.goal_state()['units']
        return sum(1 for goal in units.values() if goal.get('status') != 'dying')

    def pod_spec_set(self, spec: Mapping[str, Any],
                     k8s_resources: Mapping[str, Any] | None = None) -> None:
        """Record the pod spec of a podspec charm (``pod_spec``: the spec and resources)."""
        self.pod_spec = (dict(spec), dict(k8s_resources) if k8s_resources else None)

    def get_pebble(self, socket_path: str) -> pebble.Client:
        """A Pebble client for the container whose socket is *socket_path*, answering from
        the state's :class:`~reactops.testing.Container` (no daemon)."""
        if self._workloads is None:
            raise RuntimeError('this backend was made without workloads: Pebble is only '
                               'simulated in a Context run')
        return self._workloads.pebble_client(socket_path)

    def credential_get(self) -> dict[str, Any]:
        """``State.model.cloud_spec``; refused unless the app is trusted and the state
        gives a cloud spec."""
        if not self._trusted:
            raise ModelError('ERROR charm is not trusted, initialise Context with '
                             '`app_trusted=True`', command=['credential-get', '--format=json'])
        spec = self._state.model.cloud_spec
        if spec is None:
            raise ModelError('ERROR cloud spec is empty, initialise it with '
                             '`State(model=Model(..., cloud_spec=ops.CloudSpec(...)))`',
                             command=['credential-get', '--format=json'])
        out: dict[str, Any] = {
            'type': spec.type, 'name': spec.name, 'region': spec.region,
            'endpoint': spec.endpoint, 'identity-endpoint': spec.identity_endpoint,
            'storage-endpoint': spec.storage_endpoint,
            'cacertificates': list(spec.ca_certificates),
            'skip-tls-verify': spec.skip_tls_verify,
            'is-controller-cloud': spec.is_controller_cloud}
        if spec.credential is not None:
            out['credential'] = {'auth-type': spec.credential.auth_type,
                                 'attrs': dict(spec.credential.attributes),
                                 'redacted': list(spec.credential.redacted)}
        return out

    def reboot(self, now: bool = False) -> None:
        """Record the request (a simulated unit does not reboot nor stop the hook)."""
        if self._action_params is not None:
            raise ModelError('ERROR juju-reboot is not supported when running an action',
                             command=['juju-reboot'])
        self.reboot_requested = True

    # -- relations -----------------------------------------------------------------------

    def _relation(self, relation_id: int, endpoint: str | None = None) -> RelationBase:
        bags = self.bags.get(relation_id)
        if bags is None or (endpoint is not None and bags.relation.endpoint != endpoint):
            raise RelationNotFoundError(
                f'ERROR invalid value "{endpoint}:{relation_id}" for option -r: relation '
                f'not found', command=['relation-list', '-r', f'{endpoint}:{relation_id}'])
        return bags.relation

    def _remote_app(self, relation: RelationBase) -> str:
        return self.app_name if isinstance(relation, PeerRelation) else relation.remote_app

    def _remote_units(self, relation: RelationBase) -> dict[str, Mapping[str, str]]:
        if isinstance(relation, PeerRelation):
            return {f'{self.app_name}/{n}': data for n, data in
                    sorted(relation.peers_data.items())
                    if f'{self.app_name}/{n}' != self.unit_name}
        return relation.remote_units()

    def relation_ids(self, endpoint: str) -> list[int]:
        """The ids of the state's relations on *endpoint*."""
        return sorted(b.relation.id for b in self.bags.values()
                      if b.relation.endpoint == endpoint)

    def relation_list(self, relation_id: int, endpoint: str) -> list[str]:
        """The remote units (peers as ``<app>/<n>``, without our own unit).

        In a relation-departed hook the departing unit has already left the list, as in
        Juju, even when the state still holds its data (which relation-get then answers).
        """
        units = self._remote_units(self._relation(relation_id, endpoint))
        context = self._juju_context
        if context.event_name.endswith('_relation_departed') and \
                context.relation_id == relation_id:
            units.pop(context.remote_unit_name or '', None)
        return list(units)

    def relation_remote_app_name(self, relation_id: int, endpoint: str) -> str | None:
        """The remote app (our own for peers), ``None`` when the relation is not known."""
        try:
            return self._remote_app(self._relation(relation_id, endpoint))
        except RelationNotFoundError:
            return None

    def relation_get(self, relation_id: int, endpoint: str, member: str,
                     is_app: bool) -> dict[str, str]:
        """A copy of one bag: ours, the remote app's, or a remote unit's."""
        self._check_app_data(is_app)
        relation = self._relation(relation_id, endpoint)
        bags = self.bags[relation_id]
        if is_app:
            if member == self.app_name:
                # Who may read it is the model's check (during a hook), as in ops.testing.
                return dict(bags.app)
            if member == relation.remote_app and not isinstance(relation, PeerRelation):
                return dict(getattr(relation, 'remote_app_data', {}))
        else:
            if member == self.unit_name:
                return dict(bags.unit)
            peer = isinstance(relation, PeerRelation)
            kind = jujurules.bag_kind(self.unit_name, member, is_app=False, peer=peer)
            refusal = jujurules.read_refusal(kind, leader=self._state.leader, peer=peer)
            if refusal:
                raise ModelError(f'ERROR cannot read settings for unit "{member}" in relation '
                                 f'{endpoint}:{relation_id}: permission denied ({refusal})',
                                 command=['relation-get', '-r', f'{endpoint}:{relation_id}',
                                          '-', member])
            units = self._remote_units(relation)
            if member in units:
                return dict(units[member])
            if member == self._juju_context.remote_unit_name:
                return {}  # a departing unit the state left out: its data is not known
        raise ModelError(f'ERROR cannot read settings for {member} in relation '
                         f'{endpoint}:{relation_id}: not a member of the relation',
                         command=['relation-get', '-r', f'{endpoint}:{relation_id}', member])

    def relation_set(self, relation_id: int, endpoint: str, data: Mapping[str, str],
                     is_app: bool) -> None:
        """Update our unit's (with *is_app*, as leader, our app's) bag; ``''`` deletes."""
        self._check_app_data(is_app)
        self._relation(relation_id, endpoint)
        if jujurules.leader_refusal('relation-set --app' if is_app else 'relation-set',
                                    leader=self._state.leader):
            raise ModelError(f'ERROR permission denied: unit {self.unit_name} is not the '
                             f"leader and cannot write its application's bag",
                             command=['relation-set', '--app'])
        bag = self.bags[relation_id].app if is_app else self.bags[relation_id].unit
        for key, value in data.items():
            if not isinstance(key, str) or not isinstance(value, str):
                where = repr(key) if isinstance(key, str) else f'a {type(key).__name__} key'
                raise ModelError(f'ERROR relation data must be strings, got {where} holding '
                                 f'a {type(value).__name__}', command=['relation-set'])
            if value == '':
                bag.pop(key, None)
            else:
                bag[key] = value

    def relation_model_get(self, relation_id: int, endpoint: str) -> dict[str, str]:
        """The remote side's model uuid (ours unless the relation says otherwise)."""
        if self.juju_version < '3.6.2':
            raise ModelError(f'ERROR relation-model-get needs Juju 3.6.2 or later (this is '
                             f'{self.juju_version})', command=['relation-model-get'])
        relation = self._relation(relation_id, endpoint)
        return {'uuid': getattr(relation, 'remote_model_uuid', None) or self.model_uuid}

    def _check_app_data(self, is_app: bool) -> None:
        if is_app and not self.juju_version.has_app_data():
            raise RuntimeError(
                f'application data bags need Juju 2.7 or later, and this is Juju '
                f'{self.juju_version}: use unit data bags, or upgrade the controller')

    # -- status and logging ----------------------------------------------------------------

    def _check_app_status(self, is_app: bool, verb: str) -> None:
        tool = 'status-get' if verb == 'read' else 'status-set'
        if is_app and jujurules.leader_refusal(f'{tool} --application',
                                               leader=self._state.leader):
            raise ModelError(f'ERROR cannot {verb} application status: this unit is not the '
                             f'leader', command=['status-get' if verb == 'read' else
                                                 'status-set', '--application=true'])

    def status_get(self, *, is_app: bool = False) -> dict[str, Any]:
        """Our unit's (with *is_app*, as leader, our app's) status."""
        self._check_app_status(is_app, 'read')
        status = self.app_status if is_app else self.unit_status
        return {'status': status.name, 'message': status.message, 'status-data': {}}

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        """Set a status; the previous one goes to the history."""
        if status not in _SETTABLE:
            raise ModelError(f'ERROR invalid status "{status}", expected one of '
                             f'[{", ".join(_SETTABLE)}]', command=['status-set', status])
        self._check_app_status(is_app, 'set')
        new = StatusBase.from_name(status, message)
        if is_app:
            self.app_status_history.append(self.app_status)
            self.app_status = new
        else:
            self.unit_status_history.append(self.unit_status)
            self.unit_status = new

    def juju_log(self, level: str, message: str) -> None:
        """Record a log line."""
        self.juju_log_lines.append(JujuLogLine(level, message))

    # -- ports, storage, resources, network ----------------------------------------------

    def open_port(self, protocol: str, port: int | None = None) -> None:
        """Open *port*/*protocol* (or ``icmp``)."""
        self.opened.add(_port(protocol, port))

    def close_port(self, protocol: str, port: int | None = None) -> None:
        """Close a port (closing one that is not open is no error, as in Juju)."""
        self.opened.discard(_port(protocol, port))

    def opened_ports(self) -> list[str]:
        """The opened ports as Juju prints them: ``80/tcp``, ``icmp``."""
        ordered = sorted(self.opened, key=lambda p: (p.protocol, p.port or 0))
        return [p.protocol if p.port is None else f'{p.port}/{p.protocol}' for p in ordered]

    def storage_list(self, name: str) -> list[int]:
        """The indexes of the state's storage instances called *name*."""
        return sorted(s.index for s in self._state.storages if s.name == name)

    def storage_get(self, storage_id: str, attribute: str) -> str:
        """``location`` (the state's, or a directory made for it) or ``kind``."""
        name, _, index = storage_id.rpartition('/')
        found = [s for s in self._state.storages if s.full_id == storage_id]
        if not found or name not in self._meta.storages:
            raise ModelError(f'ERROR invalid value "{storage_id}" for option -s: storage '
                             f'not found', command=['storage-get', '-s', storage_id])
        if attribute == 'kind':
            return self._meta.storages[name].type
        if attribute != 'location':
            raise ModelError(f'ERROR unknown storage attribute {attribute!r}',
                             command=['storage-get', '-s', storage_id, attribute])
        if self._storage_root is None:
            return f'/var/lib/juju/storage/{name}/{index}'
        location = self._storage_root / name / index
        location.mkdir(parents=True, exist_ok=True)
        return str(location)

    def storage_add(self, name: str, count: int = 1) -> None:
        """Record a request for *count* more instances (attached by a later event)."""
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f'storage count must be an int, not {count!r}')
        if name not in self._meta.storages:
            raise ModelError(f'ERROR storage "{name}" not found in the charm metadata',
                             command=['storage-add', f'{name}={count}'])
        self.requested_storages[name] = self.requested_storages.get(name, 0) + count

    def resource_get(self, name: str) -> str:
        """The path the state gives for resource *name*."""
        for resource in self._state.resources:
            if resource.name == name:
                return str(resource.path)
        raise ModelError(f'ERROR could not download resource: resource "{name}" has no '
                         f'file attached (add a Resource to State.resources)',
                         command=['resource-get', name])

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        """The state's network for *binding*, or a default one for any known binding."""
        if relation_id is not None:
            self._relation(relation_id)
        # A container-scoped endpoint has no network of its own (as in ops.testing).
        known = {*(name for name, rel in self._meta.relations.items()
                   if rel.scope != 'container'), *self._meta.extra_bindings, 'juju-info'}
        if binding not in known:
            raise RelationNotFoundError(f'ERROR no network config found for binding '
                                        f'"{binding}"', command=['network-get', binding])
        network = next((n for n in self._state.networks if n.binding_name == binding),
                       Network(binding))
        return _network_output(network)

    # -- actions -------------------------------------------------------------------------

    def _action(self, tool: str) -> dict[str, Any]:
        if self._action_params is None:
            raise ModelError(f'ERROR {tool} is only available while an action runs',
                             command=[tool])
        return self._action_params

    def action_get(self) -> dict[str, Any]:
        """The running action's parameters (with the actions.yaml defaults)."""
        return dict(self._action('action-get'))

    def action_set(self, results: Mapping[str, Any]) -> None:
        """Add to the action's results: :attr:`action_results` as Juju stores them
        (dotted keys, values as strings), :attr:`action_results_set` as the charm gave
        them (what ``ctx.action_results`` shows, as in ops.testing)."""
        self._action('action-set')
        self.action_results.update(_flatten_results(results))
        self.action_results_set.update(results)

    def action_log(self, message: str) -> None:
        """Record a progress message."""
        self._action('action-log')
        self.action_logs.append(message)

    def action_fail(self, message: str = '') -> None:
        """Mark the running action failed."""
        self._action('action-fail')
        self.action_failure = message

    # -- secrets -------------------------------------------------------------------------

    def _secret(self, id: str | None, label: str | None, tool: str) -> _SecretCopy:
        if not self.juju_version.has_secrets:
            raise ModelError(f'ERROR secrets need Juju 3.0.3 or later (this is '
                             f'{self.juju_version})', command=[tool])
        if id is not None:
            wanted = _unique(id)
            for secret in self.secrets.values():
                if _unique(secret.id) == wanted:
                    return secret
        elif label is not None:
            for secret in self.secrets.values():
                if secret.label == label:
                    return secret
        raise SecretNotFoundError(f'ERROR secret {id or label!r} not found',
                                  command=[tool, *(v for v in (id, label) if v)])

    def _check_manage(self, secret: _SecretCopy, tool: str) -> None:
        if secret.owner is None:
            raise SecretNotFoundError(f'You must own secret {secret.id!r} to perform this '
                                      f'operation (set Secret.owner in the state if the '
                                      f'charm should)', command=[tool, secret.id])
        owner = self.app_name if secret.owner == 'app' else self.unit_name
        if not jujurules.owns_secret(owner, self.unit_name, leader=self._state.leader):
            raise ModelError(f'ERROR permission denied: only the leader manages '
                             f'application-owned secret {secret.id}', command=[tool, secret.id])

    def secret_get(self, *, id: str | None = None, label: str | None = None,
                   refresh: bool = False, peek: bool = False) -> dict[str, str]:
        """The tracked content; the latest with *refresh* (tracked from now on) or *peek*."""
        secret = self._secret(id, label, 'secret-get')
        if id is not None and label is not None:
            secret.label = label
        # Before Juju 3.1.7 and 3.3.1 an owner always saw the latest revision.
        v = self.juju_version
        if secret.owner is not None and not (v == '3.1.7' or v >= '3.3.1'):
            refresh = True
        if refresh:
            secret.tracked, secret.tracked_revision = dict(secret.latest), \
                secret.latest_revision
        return dict(secret.latest if refresh or peek else secret.tracked)

    def secret_info_get(self, *, id: str | None = None,
                        label: str | None = None) -> dict[str, Any]:
        """The metadata of a secret we own, as ``secret-info-get`` prints it plus ``id``."""
        secret = self._secret(id, label, 'secret-info-get')
        self._check_manage(secret, 'secret-info-get')
        return {'id': secret.id, 'revision': secret.latest_revision, 'label': secret.label,
                'owner': 'application' if secret.owner == 'app' else 'unit',
                'description': secret.description,
                'expiry': _rfc3339(secret.expire) if not isinstance(secret.expire, str | None)
                else secret.expire,
                'rotation': getattr(secret.rotate, 'value', secret.rotate)}

    def secret_add(self, content: Mapping[str, str], *, label: str | None = None,
                   description: str | None = None, expire: datetime.datetime | None = None,
                   rotate: str | None = None,
                   owner: Literal['application', 'unit'] | None = None) -> str:
        """Create a secret owned by our app (or unit); return its id."""
        if not self.juju_version.has_secrets:
            raise ModelError(f'ERROR secrets need Juju 3.0.3 or later (this is '
                             f'{self.juju_version})', command=['secret-add'])
        if owner != 'unit' and not jujurules.owns_secret(self.app_name, self.unit_name,
                                                         leader=self._state.leader):
            raise ModelError('ERROR permission denied: only the leader may add an '
                             'application-owned secret', command=['secret-add'])
        if label is not None and any(s.label == label for s in self.secrets.values()):
            raise ModelError(f'ERROR secret with label "{label}" already exists',
                             command=['secret-add', '--label', label])
        new = Secret(dict(content), label=label, description=description,
                     expire=expire, rotate=rotate,
                     owner='unit' if owner == 'unit' else 'app')
        self.secrets[new.id] = _SecretCopy.of(new)
        return new.id

    def secret_set(self, id: str, *, content: Mapping[str, str] | None = None,
                   label: str | None = None, description: str | None = None,
                   expire: datetime.datetime | None = None, rotate: str | None = None) -> None:
        """Update a secret we own: new content makes a new revision."""
        secret = self._secret(id, None, 'secret-set')
        self._check_manage(secret, 'secret-set')
        if content is not None:
            secret.latest = dict(content)
            secret.latest_revision += 1
        if label is not None:
            secret.label = label
        if description is not None:
            secret.description = description
        if expire is not None:
            secret.expire = expire
        if rotate is not None:
            secret.rotate = rotate

    def _grantee(self, relation_id: int, unit: str | None) -> str:
        relation = self._relation(relation_id)
        return unit if unit is not None else self._remote_app(relation)

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Let the relation's remote app (or *unit*) read a secret we own."""
        secret = self._secret(id, None, 'secret-grant')
        self._check_manage(secret, 'secret-grant')
        secret.grants.setdefault(relation_id, set()).add(self._grantee(relation_id, unit))

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        """Withdraw a grant."""
        secret = self._secret(id, None, 'secret-revoke')
        self._check_manage(secret, 'secret-revoke')
        secret.grants.get(relation_id, set()).discard(self._grantee(relation_id, unit))

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        """Remove one revision (recorded), or without *revision* the whole secret."""
        secret = self._secret(id, None, 'secret-remove')
        self._check_manage(secret, 'secret-remove')
        if revision is None:
            del self.secrets[secret.id]
            return
        if revision in (secret.tracked_revision, secret.latest_revision):
            # Juju allows it, but a secret whose current content is gone is always a bug.
            raise ValueError('Charms should not remove the latest revision of a secret. Add '
                             'a new revision with `set_content()` instead, and the previous '
                             'revision will be cleaned up by the secret owner when no longer '
                             'in use.')
        self.removed_secret_revisions.append(revision)

    # -- metrics -------------------------------------------------------------------------

    def add_metrics(self, metrics: Mapping[str, int | float],
                    labels: Mapping[str, str] | None = None) -> None:
        """Record metrics (only in collect-metrics, as in Juju)."""
        if self._juju_context.hook_name != 'collect-metrics':
            raise ModelError('ERROR add-metric is only available in the collect-metrics hook',
                             command=['add-metric'])
        _check_metrics(metrics, labels)  # the model backend's checks, so both agree
        self.metrics.append(({k: float(v) for k, v in metrics.items()}, dict(labels or {})))


def _network_output(network: Network) -> dict[str, Any]:
    """``network-get --format=json`` output for *network*."""
    out = network._hook_tool_output_fmt()
    for bind in out['bind-addresses']:
        for address in bind['addresses']:
            address.setdefault('address', address.get('value', ''))
    return out
