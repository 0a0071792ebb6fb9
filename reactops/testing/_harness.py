"""An ops-style :class:`Harness`, so tests written for ops' Harness keep working.

The Harness keeps one charm instance and lets a test change the model step by step
(``add_relation``, ``update_config``, ``set_leader``, ...), each step emitting the event
Juju would send. Underneath it is the same :class:`~reactops.testing.SimulatedBackend`
that :class:`~reactops.testing.Context` uses, and every Juju event runs as a dispatch does
in production. New tests are better written with :class:`~reactops.testing.Context`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import ipaddress
import shutil
import tempfile
import textwrap
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Generic, TypeVar, cast

import yaml

from .._main import _RESTRICTED_EVENTS, hook_name_of
from ..charm import ActionEvent, CharmBase, RelationEvent, SecretEvent, StorageEvent
from ..charm import evaluate_status as _evaluate_status
from ..errors import (
    ModelError,
    NoSnapshotError,
    RelationDataTypeError,
    RelationNotFoundError,
)
from ..framework import EventBase, Framework
from ..jujucontext import JujuContext, JujuVersion
from ..meta import CharmMeta
from ..model import Application, Model, Unit
from ..model._secrets import _validate_content
from ..storage import SQLiteStorage
from ..stored import StoredStateData
from ._backend import SimulatedBackend, _network_output, _unique
from ._context import ActionFailed, _class_root, _meta_from_dicts, _nest
from ._state import Network, PeerRelation, Relation, RelationBase, Resource, Secret, State
from ._state import Storage as _Storage

__all__ = ['ActionOutput', 'Harness', 'HarnessActionFailed']

CharmType = TypeVar('CharmType', bound=CharmBase)

_FLAG_PREFIX = 'reactive.states.'  # as reactops.reactive._runtime.FLAG_PREFIX
_OUTSIDE = '(test code)'  # what "runs" between events: charm code is held to Juju's rules
_METADATA_FILES = ('charmcraft.yaml', 'metadata.yaml')
_TYPES: dict[str, tuple[type, ...]] = {'string': (str,), 'secret': (str,), 'int': (int,),
                                       'float': (int, float), 'boolean': (bool,)}


@dataclasses.dataclass(frozen=True)
class ActionOutput:
    """What an action run with :meth:`Harness.run_action` reported to the operator."""

    logs: list[str]
    """The messages of ``event.log()``, in order."""
    results: dict[str, Any]
    """The results as Juju shows them: nested by the dots of their keys, values as strings."""


class HarnessActionFailed(ActionFailed):
    """The action called ``event.fail()``: :attr:`output` holds its logs and results and
    :attr:`state` the world after it (the hook itself completed and committed).

    A subclass of :class:`reactops.testing.ActionFailed`, so either name catches it.
    """

    def __init__(self, message: str, output: ActionOutput, state: State):
        super().__init__(message, state)
        self.output = output

    def __str__(self) -> str:
        return self.message or 'the action called event.fail() without a message'


@dataclasses.dataclass
class _ForeignSecret:
    """A secret the charm does not own: a remote application's or unit's, or a user's."""

    id: str
    owner: str  # an application or unit name, or the model uuid for a user secret
    revisions: list[dict[str, str]]
    grants: dict[int | None, set[str]] = dataclasses.field(default_factory=dict)


class _HarnessBackend(SimulatedBackend):
    """The simulated backend, plus two things the Harness arranges: networks per relation
    or for every binding (``add_network``), and the bag of a unit while it departs."""

    def __init__(self, state: State, meta: CharmMeta, context: JujuContext, *,
                 networks: Mapping[tuple[str | None, int | None], Network],
                 departed: Mapping[tuple[int, str], Mapping[str, str]], **kwargs: Any):
        super().__init__(state, meta, context, **kwargs)
        self._networks = networks
        self._departed = departed
        self._hook_is_running = context.hook_name or context.action_name or _OUTSIDE

    def network_get(self, binding: str, relation_id: int | None = None) -> dict[str, Any]:
        answer = super().network_get(binding, relation_id)  # checks binding and relation
        for key in ((binding, relation_id), (binding, None), (None, None)):
            if key in self._networks:
                return _network_output(self._networks[key])
        return answer

    def relation_get(self, relation_id: int, endpoint: str, member: str,
                     is_app: bool) -> dict[str, str]:
        departing = self._departed.get((relation_id, member))
        if departing is not None and not is_app and member == self._juju_context.remote_unit:
            self._relation(relation_id, endpoint)
            return dict(departing)  # Juju still answers for the unit that departs
        return super().relation_get(relation_id, endpoint, member, is_app)


class Harness(Generic[CharmType]):
    """A charm under test, driven the way ops' ``Harness`` drives it: for porting ops tests.

    The metadata comes from *meta*, *actions* and *config* (YAML text or open files), or
    else, part by part, from the files of the charm directory above the class's source
    (``charmcraft.yaml``, ``metadata.yaml``, ``actions.yaml``, ``config.yaml``), or else is
    ``name: test-charm``. The unit is ``<name>/0``. Call :meth:`begin` (or
    :meth:`begin_with_initial_hooks`), change the model, assert; :meth:`cleanup` at the end.

    As in ops, one charm instance lives across events (:attr:`charm`), and methods that
    change the model emit the event Juju would send once :meth:`begin` has run and hooks
    are enabled. What reactops does differently, on purpose:

    * Every Juju event runs as a dispatch does in production: deferred events first, then
      the event, the reactive handlers (if the charm has any), collect-status, and a
      commit of the state store (stored state, deferred notices, flags). This holds for the
      events the harness emits and for those a test emits itself
      (``harness.charm.on.update_status.emit()``). ops' Harness never re-emits deferred
      events, never collects statuses unless asked, and commits nothing.
    * A charm error keeps nothing of its event, as in Juju: the store is rolled back, the
      model returns to what it was and stored state to its values before the event (plain
      attributes of the charm object are its own business). The charm's own exception
      propagates unchanged.
    * Juju's access rules for relation data hold for all charm code, also when a test calls
      a charm method directly between events; ops checks them only inside events. The
      harness's own methods (:meth:`update_relation_data`, :meth:`get_relation_data`)
      stand for Juju and bypass them.
    * Each event, and each change the harness makes, gets a fresh :attr:`model`, as every
      dispatch does in production; so ask ``harness.model`` again rather than keeping
      model objects (a :class:`~reactops.model.Relation`, a bag) across harness calls.
    * Duplicate deferred events are skipped as in production (ops' Harness turns that off).
    * Action results are what Juju shows: nested by the dots of their keys, values as
      strings. :class:`HarnessActionFailed` also carries the state after the action.
    * :meth:`set_leader` emits leader-elected only when the unit becomes leader, not on
      every ``set_leader(True)``.
    * Secrets: another application's secret is visible to the charm only once granted to
      it; secret-changed is emitted only when the charm can see the secret; rotation,
      expiry and removal can be triggered only for secrets the charm owns (Juju sends
      them to the owner only).
    * :meth:`begin_with_initial_hooks` visits relations in a fixed order (endpoints as
      the metadata lists them, relations by id) where ops shuffles them; remote unit names
      must be ``<remote app>/<number>`` (ops only warns).
    * No separate consistency checker: each method refuses at once what Juju could not
      produce (an undeclared endpoint, option, storage or resource, a config value of the
      wrong type, a unit of another application, a secret grant without a relation).
    * Not provided: Pebble and containers, OCI resources, pod specs, cloud specs, and
      ops' private ``_event_context``.
    """

    def __init__(self, charm_cls: type[CharmType], *, meta: str | IO[str] | None = None,
                 actions: str | IO[str] | None = None, config: str | IO[str] | None = None,
                 juju_version: str = '3.6.1'):
        if not (isinstance(charm_cls, type) and issubclass(charm_cls, CharmBase)):
            raise TypeError(f'Harness() takes a CharmBase subclass, not {charm_cls!r}')
        self._charm_cls = charm_cls
        self._juju_version = JujuVersion(juju_version)
        self._tmp = Path(tempfile.mkdtemp(prefix='reactops-harness-'))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._meta, root = _load_meta(charm_cls, meta, actions, config, juju_version)
        self._charm_dir = root or self._tmp / 'charm'
        self._charm_dir.mkdir(exist_ok=True)
        self._app_name = self._meta.name
        self._unit_name = f'{self._app_name}/0'
        self._charm: CharmType | None = None
        self._hooks_enabled = True
        self._reactive = False
        self._running = False
        self._counters = {'relation': 0, 'storage': 0, 'action': 0}
        self._planned_units: int | None = None
        self._storages: dict[str, bool] = {}  # 'data/0' -> attached
        self._networks: dict[tuple[str | None, int | None], Network] = {}
        self._departed: dict[tuple[int, str], Mapping[str, str]] = {}
        self._foreign: dict[str, _ForeignSecret] = {}
        self._action: tuple[str, dict[str, Any]] | None = None
        self._handlers_run: list[str] = []
        self._trace: list[dict[str, Any]] = []
        self._reboots = 0
        self._store = SQLiteStorage(':memory:')
        self._state = State()
        self._backend: _HarnessBackend
        self._framework = Framework(self._store, self._charm_dir, self._meta, None)
        self._emit_now = self._framework._emit
        setattr(self._framework, '_emit', self._dispatch_event)  # noqa: B010 - instance override
        self._set_world(self._state)
        self._last_backend = self._backend

    # -- lifetime --------------------------------------------------------------------------

    @property
    def charm(self) -> CharmType:
        """The charm instance (after :meth:`begin`)."""
        if self._charm is None:
            raise RuntimeError('the charm does not exist yet: call harness.begin() first')
        return self._charm

    @property
    def model(self) -> Model:
        """The model the charm sees now (a new one after every event and every change)."""
        return self._framework.model  # type: ignore[no-any-return]

    @property
    def framework(self) -> Framework:
        """The framework: ``harness.framework.reemit()`` delivers deferred events now."""
        return self._framework

    def begin(self) -> None:
        """Create the charm (once); events are emitted from now on."""
        if self._charm is not None:
            raise RuntimeError('begin() may be called only once per Harness')
        from ..reactive._detect import wants_reactive
        from ..reactive._runtime import ReactiveRuntime, activate

        self._reactive = wants_reactive(self._charm_cls, self._charm_dir)
        with activate(ReactiveRuntime(self._store)), self._framework._event_context('__init__'):
            self._charm = self._charm_cls(self._framework)

    def begin_with_initial_hooks(self) -> None:
        """:meth:`begin`, then the events of a unit's start in ops' order: storage-attached,
        install, relation-created (peer relations are added if missing),
        leader-elected (or leader-settings-changed), config-changed, start, then per
        relation relation-changed for the remote app's data, if any, and relation-joined
        and relation-changed for each remote unit."""
        self.begin()
        for storage_id in sorted(self._storages, key=_storage_key):
            if self._storages[storage_id]:
                self._emit_storage('attached', storage_id)
            else:
                self.attach_storage(storage_id)
        self._emit('install')
        for endpoint, relation_meta in self._meta.relations.items():
            ids = [r.id for r in self._sync().get_relations(endpoint)]
            if relation_meta.role.is_peer() and not ids:
                self.add_relation(endpoint, self._app_name)
            for relation_id in ids:
                self._emit_relation('created', relation_id)
        self._emit('leader_elected' if self._sync().leader else 'leader_settings_changed')
        self._emit('config_changed')
        self._emit('start')
        for relation in sorted(self._sync().relations, key=lambda r: r.id):
            if self._bag(relation, self._remote_app(relation))[0]:
                self._emit_relation('changed', relation.id)
            for unit in self._units(relation):
                self._emit_relation('joined', relation.id, unit)
                self._emit_relation('changed', relation.id, unit)

    def cleanup(self) -> None:
        """Close the state store and remove the temporary files."""
        self._framework.close()
        self._finalizer()

    def __enter__(self) -> Harness[CharmType]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

    def disable_hooks(self) -> None:
        """Stop emitting events for the changes the harness makes."""
        self._hooks_enabled = False

    def enable_hooks(self) -> None:
        """Emit events for the changes the harness makes again."""
        self._hooks_enabled = True

    @contextlib.contextmanager
    def hooks_disabled(self) -> Iterator[None]:
        """``with harness.hooks_disabled(): ...`` changes the model without events."""
        if not self._hooks_enabled:
            yield
            return
        self.disable_hooks()
        try:
            yield
        finally:
            self.enable_hooks()

    # -- relations -------------------------------------------------------------------------

    def add_relation(self, relation_name: str, remote_app: str, *,
                     app_data: Mapping[str, str] | None = None,
                     unit_data: Mapping[str, str] | None = None) -> int:
        """Relate *remote_app* (this app for a peer relation) on *relation_name*; emit
        relation-created and return the relation id. With *app_data* or *unit_data*, also
        add ``<remote_app>/0`` and set the data, as :meth:`update_relation_data` would."""
        relation_meta = self._meta.relations.get(relation_name)
        if relation_meta is None:
            raise RelationNotFoundError(
                f'{self._app_name} declares no relation endpoint {relation_name!r} (declared: '
                f'{", ".join(sorted(self._meta.relations)) or "none"}); add it to the metadata')
        relation_id = self._count('relation')
        relation: RelationBase
        if relation_meta.role.is_peer():
            if remote_app != self._app_name:
                raise ValueError(f'{relation_name} is a peer relation: its remote application '
                                 f'is {self._app_name!r} itself, not {remote_app!r}')
            relation = PeerRelation(relation_name, relation_meta.interface_name, relation_id,
                                    local_unit_data={}, peers_data={})
        else:
            relation = Relation(relation_name, relation_meta.interface_name, relation_id,
                                local_unit_data={}, remote_app_name=remote_app,
                                remote_units_data={})
        state = self._sync()
        if (None, None) not in self._networks:  # ops' default bindings
            self._networks.setdefault((relation_name, relation_id), _network('10.0.0.10'))
            self._networks.setdefault((relation_name, None), _network('192.0.2.0'))
        self._set_world(state.replace(relations=[*state.relations, relation]))
        self._emit_relation('created', relation_id)
        if app_data is not None or unit_data is not None:
            unit = f'{remote_app}/0'
            self.add_relation_unit(relation_id, unit)
            if app_data is not None:
                self.update_relation_data(relation_id, remote_app, app_data)
            if unit_data is not None:
                self.update_relation_data(relation_id, unit, unit_data)
        return relation_id

    def add_relation_unit(self, relation_id: int, remote_unit_name: str) -> None:
        """Add a remote unit (with an empty bag) to the relation; emit relation-joined."""
        relation = self._relation(relation_id)
        number = self._unit_number(relation, remote_unit_name)
        field, units = _units_field(relation)
        if number in units:
            raise ValueError(f'{remote_unit_name} is already in relation {relation_id}')
        self._put(relation.replace(**{field: {**units, number: {}}}))
        self._emit_relation('joined', relation_id, remote_unit_name)

    def remove_relation_unit(self, relation_id: int, remote_unit_name: str) -> None:
        """Remove a remote unit from the relation; emit relation-departed (its data stays
        readable during the event, as in Juju)."""
        relation = self._relation(relation_id)
        number = self._unit_number(relation, remote_unit_name)
        field, units = _units_field(relation)
        if number not in units:
            raise ValueError(f'{remote_unit_name} is not in relation {relation_id}')
        self._put(relation.replace(**{field: {n: d for n, d in units.items() if n != number}}))
        self._departed[(relation_id, remote_unit_name)] = dict(units[number])
        try:
            self._emit_relation('departed', relation_id, remote_unit_name)
        finally:
            del self._departed[(relation_id, remote_unit_name)]

    def remove_relation(self, relation_id: int) -> None:
        """Remove the relation: relation-departed for each remote unit, then
        relation-broken; secret grants made through it go too."""
        for unit in self._units(self._relation(relation_id)):
            self.remove_relation_unit(relation_id, unit)
        self._emit_relation('broken', relation_id)
        state = self._sync()
        secrets = [s.replace(remote_grants={r: g for r, g in s.remote_grants.items()
                                            if r != relation_id}) for s in state.secrets]
        for foreign in self._foreign.values():
            foreign.grants.pop(relation_id, None)
        for key in [k for k in self._networks if k[1] == relation_id]:
            del self._networks[key]
        self._set_world(state.replace(
            relations=[r for r in state.relations if r.id != relation_id], secrets=secrets))

    def update_relation_data(self, relation_id: int, app_or_unit: str | Application | Unit,
                             key_values: Mapping[str, str]) -> None:
        """Change one bag (``''`` deletes a key), as Juju would, bypassing access rules.

        Emits relation-changed when the bag changed, unless the bag is ours (as in Juju:
        except our app's bag in a peer relation, seen by the other units when we do not
        lead)."""
        name = _name_of(app_or_unit)
        relation = self._relation(relation_id)
        old, put = self._bag(relation, name)
        new = dict(old)
        for key, value in key_values.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise RelationDataTypeError(f'relation data keys and values must be str; got '
                                            f'{key!r}: {value!r} for {name}')
            if value:
                new[key] = value
            else:
                new.pop(key, None)
        if new == old:
            return
        self._put(put(new))
        if name == self._unit_name or (name == self._app_name and (
                not isinstance(relation, PeerRelation) or self._state.leader)):
            return
        self._emit_relation('changed', relation_id, name if '/' in name else None)

    def get_relation_data(self, relation_id: int,
                          app_or_unit: str | Application | Unit) -> dict[str, str]:
        """A copy of one bag, read as Juju holds it (no access rules)."""
        return dict(self._bag(self._relation(relation_id), _name_of(app_or_unit))[0])

    # -- config, leadership, model facts -------------------------------------------------

    def update_config(self, key_values: Mapping[str, str | int | float | bool] | None = None,
                      unset: Iterable[str] = ()) -> None:
        """Set options (checked against their declared types) and unset others (back to
        their default); emit config-changed."""
        config = dict(self._sync().config)
        for key, value in (key_values or {}).items():
            option = self._option(key)
            if value is None:
                continue
            wanted = _TYPES.get(option.type, (str,))
            if isinstance(value, bool) != (bool in wanted) or not isinstance(value, wanted):
                raise TypeError(f'config option {key!r} is of type {option.type}, not '
                                f'{type(value).__name__} ({value!r})')
            config[key] = value
        for key in unset:
            self._option(key)
            config.pop(key, None)
        self._set_world(self._state.replace(config=config))
        self._emit('config_changed')

    def set_leader(self, is_leader: bool = True) -> None:
        """Make this unit the leader or not; becoming leader emits leader-elected."""
        was_leader = self._sync().leader
        self._set_world(self._state.replace(leader=bool(is_leader)))
        if is_leader and not was_leader:
            self._emit('leader_elected')

    def set_planned_units(self, num_units: int) -> None:
        """What ``app.planned_units()`` answers (no event, as in Juju)."""
        if isinstance(num_units, bool) or not isinstance(num_units, int) or num_units < 0:
            raise TypeError(f'num_units must be 0 or a positive int, not {num_units!r}')
        self._planned_units = num_units
        self._set_world(self._sync())

    def reset_planned_units(self) -> None:
        """Planned units back to the default: this unit plus its peers."""
        self._planned_units = None
        self._set_world(self._sync())

    def set_model_name(self, name: str) -> None:
        """The model's name (before :meth:`begin`)."""
        self.set_model_info(name=name)

    def set_model_uuid(self, uuid: str) -> None:
        """The model's uuid (before :meth:`begin`)."""
        self.set_model_info(uuid=uuid)

    def set_model_info(self, name: str | None = None, uuid: str | None = None) -> None:
        """The model's name and/or uuid (before :meth:`begin`)."""
        if self._charm is not None:
            raise RuntimeError('the model name and uuid cannot change after begin()')
        changes = {k: v for k, v in (('name', name), ('uuid', uuid)) if v is not None}
        state = self._sync()
        self._set_world(state.replace(model=state.model.replace(**changes)))

    def get_workload_version(self) -> str:
        """The workload version the unit set."""
        return self._sync().workload_version

    @property
    def reboot_count(self) -> int:
        """How many events asked for a reboot (``unit.reboot()``)."""
        return self._reboots

    # -- storage, resources, networks ------------------------------------------------------

    def add_storage(self, storage_name: str, count: int = 1, *,
                    attach: bool = False) -> list[str]:
        """Add *count* instances (``data/0``, ...) and return their ids; with *attach*,
        attach them too (emitting storage-attached once :meth:`begin` has run).
        :meth:`begin_with_initial_hooks` attaches all of them."""
        if storage_name not in self._meta.storages:
            raise ValueError(f'{self._app_name} declares no storage {storage_name!r} '
                             f'(declared: {", ".join(sorted(self._meta.storages)) or "none"})')
        ids = [f'{storage_name}/{self._count("storage")}' for _ in range(count)]
        self._storages.update(dict.fromkeys(ids, False))
        for storage_id in ids if attach else ():
            self.attach_storage(storage_id)
        return ids

    def attach_storage(self, storage_id: str) -> None:
        """Attach an added instance; emit storage-attached (nothing if it is attached)."""
        if self._storage(storage_id):
            return
        self._storages[storage_id] = True
        self._set_world(self._sync())
        self._emit_storage('attached', storage_id)

    def detach_storage(self, storage_id: str) -> None:
        """Emit storage-detaching for an attached instance, then detach it."""
        if self._charm is None:
            raise RuntimeError('cannot detach storage before begin()')
        if self._storage(storage_id):
            self._emit_storage('detaching', storage_id)
            self._storages[storage_id] = False
            self._set_world(self._sync())

    def remove_storage(self, storage_id: str) -> None:
        """Emit storage-detaching if the instance is attached, then remove it."""
        if self._storage(storage_id):
            self._emit_storage('detaching', storage_id)
        del self._storages[storage_id]
        self._set_world(self._sync())

    def add_resource(self, resource_name: str, content: str | bytes) -> None:
        """Give a file resource this content (``model.resources.fetch`` returns its path)."""
        resource = self._meta.resources.get(resource_name)
        if resource is None or resource.type != 'file':
            raise ValueError(f'{self._app_name} declares no file resource {resource_name!r}')
        path = self._tmp / 'resources' / resource_name / (resource.filename or resource_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        state = self._sync()
        self._set_world(state.replace(resources=[
            *(r for r in state.resources if r.name != resource_name),
            Resource(resource_name, str(path))]))

    def add_network(self, address: str, *, endpoint: str | None = None,
                    relation_id: int | None = None, cidr: str | None = None,
                    interface: str = 'eth0', ingress_addresses: Iterable[str] | None = None,
                    egress_subnets: Iterable[str] | None = None) -> None:
        """What ``network-get`` answers: for one relation, one endpoint (or extra
        binding), or without *endpoint* every binding that has none of its own."""
        if endpoint is not None and endpoint not in {*self._meta.relations,
                                                     *self._meta.extra_bindings}:
            raise ModelError(f'{endpoint!r} is not an endpoint or extra binding of '
                             f'{self._app_name}')
        if relation_id is not None:
            if endpoint is None:
                raise TypeError('add_network: relation_id needs endpoint as well')
            if self._relation(relation_id).endpoint != endpoint:
                raise ModelError(f'relation {relation_id} is not on endpoint {endpoint!r}')
        self._networks[(endpoint, relation_id)] = _network(
            address, cidr, interface, ingress_addresses, egress_subnets)
        self._set_world(self._sync())

    # -- secrets ---------------------------------------------------------------------------

    def add_model_secret(self, owner: str | Application | Unit,
                         content: Mapping[str, str]) -> str:
        """A secret owned by a remote application (or unit); return its id. The charm
        sees it once :meth:`grant_secret` grants it to this app or unit."""
        name = _name_of(owner)
        if name in (self._app_name, self._unit_name):
            raise ValueError('the charm under test creates its own secrets '
                             '(self.app.add_secret); add_model_secret is for other owners')
        return self._add_foreign(name, content)

    def add_user_secret(self, content: Mapping[str, str]) -> str:
        """A secret the operator added (``juju add-secret``); return its id."""
        return self._add_foreign(self._state.model.uuid, content)

    def set_secret_content(self, secret_id: str, content: Mapping[str, str]) -> None:
        """Add a revision to a secret the charm does not own; emit secret-changed if the
        charm can see it."""
        foreign = self._foreign_secret(secret_id, 'set_secret_content')
        foreign.revisions.append(_validate_content(dict(content)))
        secret = self._visible(foreign.id)
        if secret is not None:
            self._put_secret(secret.replace(latest_content=foreign.revisions[-1],
                                            revision=len(foreign.revisions)))
            self._emit('secret_changed', secret.id, secret.label)

    def grant_secret(self, secret_id: str, observer: str | Application | Unit) -> None:
        """Let *observer* (an app or unit) read a secret the charm does not own; granted
        to this app or unit, the charm sees it."""
        foreign = self._foreign_secret(secret_id, 'grant_secret')
        foreign.grants.setdefault(self._grant_key(foreign), set()).add(_name_of(observer))
        self._show(foreign)

    def revoke_secret(self, secret_id: str, observer: str | Application | Unit) -> None:
        """Withdraw a grant made with :meth:`grant_secret`."""
        foreign = self._foreign_secret(secret_id, 'revoke_secret')
        foreign.grants.get(self._grant_key(foreign), set()).discard(_name_of(observer))
        self._show(foreign)

    def get_secret_grants(self, secret_id: str, relation_id: int) -> set[str]:
        """The apps and units a secret is granted to through a relation."""
        foreign = self._foreign.get(secret_id)
        if foreign is not None:
            return set(foreign.grants.get(relation_id, ()))
        return set(self._owned(secret_id, 'get_secret_grants').remote_grants.get(relation_id,
                                                                                 ()))

    def get_secret_revisions(self, secret_id: str) -> list[int]:
        """The revisions of a secret, oldest first."""
        foreign = self._foreign.get(secret_id)
        count = len(foreign.revisions) if foreign is not None else \
            self._owned(secret_id, 'get_secret_revisions').revision
        return list(range(1, count + 1))

    def trigger_secret_rotation(self, secret_id: str, *, label: str | None = None) -> None:
        """Emit secret-rotate for a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_rotation')
        self._emit('secret_rotate', secret.id, label or secret.label)

    def trigger_secret_removal(self, secret_id: str, revision: int, *,
                               label: str | None = None) -> None:
        """Emit secret-remove for a revision of a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_removal')
        self._emit('secret_remove', secret.id, label or secret.label, revision)

    def trigger_secret_expiration(self, secret_id: str, revision: int, *,
                                  label: str | None = None) -> None:
        """Emit secret-expired for a revision of a secret the charm owns."""
        secret = self._owned(secret_id, 'trigger_secret_expiration')
        self._emit('secret_expired', secret.id, label or secret.label, revision)

    # -- actions and statuses ------------------------------------------------------------

    def run_action(self, action_name: str,
                   params: Mapping[str, Any] | None = None) -> ActionOutput:
        """Run an action as ``juju run`` does; return its logs and results.

        Raises :class:`HarnessActionFailed` if the charm called ``event.fail()``.
        """
        charm = self.charm
        action = self._meta.actions.get(action_name)
        if action is None:
            raise RuntimeError(f'{self._app_name} has no action {action_name!r} (known: '
                               f'{", ".join(sorted(self._meta.actions)) or "none"})')
        given = dict(params or {})
        missing = [key for key in action.required if key not in given]
        if missing:
            raise RuntimeError(f'action {action_name!r} needs parameter(s) '
                               f'{", ".join(missing)}')
        extra = [key for key in given if key not in action.parameters]
        if extra and not action.additional_properties:
            raise ModelError(f'additional property "{extra[0]}" is not allowed by action '
                             f'{action_name!r}')
        self._action = (action_name, given)
        try:
            bound = getattr(charm.on, f'{action_name.replace("-", "_")}_action')
            bound.emit(str(self._count('action')))
        finally:
            self._action = None
        backend = self._last_backend
        output = ActionOutput(list(backend.action_logs), _nest(backend.action_results))
        if backend.action_failure is not None:
            raise HarnessActionFailed(backend.action_failure, output, self._sync())
        return output

    def evaluate_status(self) -> None:
        """Run collect-status now (it also runs after every event)."""
        charm = self.charm
        self._sync()
        _evaluate_status(charm)

    # -- reactive --------------------------------------------------------------------------

    def set_flag(self, name: str, value: Any = None) -> None:
        """Set a flag before the next event (no trigger fires, no handler runs now)."""
        self._check_idle('set_flag')
        if not isinstance(name, str) or not name:
            raise ValueError(f'a flag name is a non-empty string, not {name!r}')
        self._store.kv_set(_FLAG_PREFIX + name, value)
        self._store.commit()

    def clear_flag(self, name: str) -> None:
        """Clear a flag before the next event."""
        self._check_idle('clear_flag')
        self._store.kv_delete(_FLAG_PREFIX + name)
        self._store.commit()

    @property
    def flags(self) -> dict[str, Any]:
        """The flags set now, with their values."""
        return {key[len(_FLAG_PREFIX):]: value
                for key, value in self._store.kv_items(_FLAG_PREFIX)}

    @property
    def handlers_run(self) -> list[str]:
        """The ids of the reactive handlers the last event ran, in order."""
        return list(self._handlers_run)

    @property
    def reactive_trace(self) -> list[dict[str, Any]]:
        """The steps of the last event's reactive dispatch (handlers run, flags changed)."""
        return list(self._trace)

    # -- one event, as a dispatch ------------------------------------------------------------

    def _dispatch_event(self, event: EventBase) -> None:
        """The framework's ``_emit`` in this harness: a Juju event emitted from outside
        any event (by the harness or by the test) runs as a whole dispatch."""
        if self._running or not event._juju_hook_event or self._charm is None:
            self._emit_now(event)
            return
        context = self._context_of(event)
        before = self._sync()
        memory = self._remember()
        backend = self._make_backend(before, context, self._action_params(context))
        kind = event.handle.kind
        self._backend = self._last_backend = backend
        self._framework.model = Model(
            self._meta, cast(Any, backend), remote_unit_name=context.remote_unit,
            broken_relation_id=context.relation_id if kind.endswith('_relation_broken')
            else None)
        self._framework._event_name = kind
        self._running = True
        ok = False
        try:
            self._run(event, kind, hook_name_of(context.dispatch_path, kind))
            ok = True
        finally:
            self._running = False
            self._framework._event_name = None
            if ok:
                self._reboots += backend.reboot_requested
                self._set_world(backend.output_state())
            else:
                self._restore(memory)
                self._set_world(before)

    def _run(self, event: EventBase, kind: str, hook_name: str) -> None:
        from ..reactive._dispatch import ReactiveExtension

        framework, charm = self._framework, self.charm
        restricted = kind in _RESTRICTED_EVENTS
        reactive = ReactiveExtension(run_handlers=self._reactive)
        reactive.start(framework, hook_name)
        try:
            if not restricted:
                framework.reemit()
            self._emit_now(event)
            reactive.after_event(charm, restricted)
            if not restricted:
                _evaluate_status(charm)
            framework.commit()
        finally:
            recorder = reactive.runtime.recorder if reactive.runtime is not None else None
            self._handlers_run = list(recorder.handlers_run) if recorder else []
            self._trace = list(recorder.steps) if recorder else []
            reactive.stop()

    def _remember(self) -> tuple[dict[str, tuple[Any, bool]], dict[str, Any]]:
        """What a failed event must not change: stored state as the charm holds it in
        memory, and the framework's event counter."""
        stored = {path: (copy.deepcopy(obj.snapshot()), obj.dirty)
                  for path, obj in list(self._framework._objects.items())
                  if isinstance(obj, StoredStateData)}
        return stored, copy.deepcopy(self._framework._stored)

    def _restore(self, memory: tuple[dict[str, tuple[Any, bool]], dict[str, Any]]) -> None:
        # SQLiteStorage has no public rollback: in production a failed dispatch just
        # closes the store. The harness keeps its store, so it rolls back by hand.
        self._store._execute('ROLLBACK')
        self._store._begin()
        stored, counters = memory
        self._framework._stored = counters
        for path, obj in list(self._framework._objects.items()):
            if not isinstance(obj, StoredStateData):
                continue
            if path in stored:
                content, dirty = stored[path]
                obj.restore(copy.deepcopy(content))
                obj.dirty = dirty
                continue
            try:
                obj.restore(self._store.load_snapshot(path))
            except NoSnapshotError:
                obj.restore({})

    def _context_of(self, event: EventBase) -> JujuContext:
        """The ``JUJU_*`` context of *event*, from what its snapshot says."""
        kind, data = event.handle.kind, event.snapshot()
        if isinstance(event, ActionEvent):
            name = next((a for a in self._meta.actions
                         if f'{a.replace("-", "_")}_action' == kind), kind[:-len('_action')])
            return self._context(dispatch_path=f'actions/{name}', action_name=name,
                                 action_uuid=data.get('id'))
        hook = kind.replace('_', '-')
        fields: dict[str, Any] = {}
        if isinstance(event, RelationEvent):
            hook = f'{data["relation_name"]}-relation-{kind.rsplit("_", 1)[-1]}'
            fields = {'relation_name': data['relation_name'], 'relation_id': data['relation_id'],
                      'remote_app': data.get('app_name'), 'remote_unit': data.get('unit_name'),
                      'departing_unit': data.get('departing_unit')}
        elif isinstance(event, StorageEvent):
            hook = f'{data["storage_name"]}-storage-{kind.rsplit("_", 1)[-1]}'
            fields = {'storage_name': data['storage_name'],
                      'storage_index': data['storage_index']}
        elif isinstance(event, SecretEvent):
            fields = {'secret_id': data['id'], 'secret_label': data.get('label'),
                      'secret_revision': data.get('revision')}
        return self._context(dispatch_path=f'hooks/{hook}', hook_name=hook, **fields)

    def _context(self, **fields: Any) -> JujuContext:
        model = self._state.model
        return JujuContext(unit_name=self._unit_name, model_name=model.name,
                           model_uuid=model.uuid, version=self._juju_version,
                           charm_dir=self._charm_dir, machine_id='0', **fields)

    def _action_params(self, context: JujuContext) -> dict[str, Any] | None:
        if context.action_name is None:
            return None
        running = self._action
        params = copy.deepcopy(running[1]) if running and running[0] == context.action_name \
            else {}
        action = self._meta.actions.get(context.action_name)
        for name, schema in (action.parameters.items() if action is not None else ()):
            if name not in params and isinstance(schema, Mapping) and 'default' in schema:
                params[name] = copy.deepcopy(schema['default'])
        return params

    # -- the world between events ------------------------------------------------------------

    def _make_backend(self, state: State, context: JujuContext,
                      action_params: Mapping[str, Any] | None = None) -> _HarnessBackend:
        return _HarnessBackend(state, self._meta, context, networks=self._networks,
                               departed=self._departed, action_params=action_params,
                               storage_root=self._tmp / 'storage')

    def _sync(self) -> State:
        """The world now, with what charm code did between events."""
        if not self._running:
            self._state = self._backend.output_state()
        return self._state

    def _set_world(self, state: State) -> None:
        """Make *state* the world, with a fresh backend and model over it."""
        self._check_idle('change the model')
        peers = {unit for relation in state.relations if isinstance(relation, PeerRelation)
                 for unit in relation.peers_data}
        storages = [_Storage(name, int(index)) for name, index in
                    (storage_id.split('/') for storage_id, attached in self._storages.items()
                     if attached)]
        self._state = state.replace(
            storages=storages, planned_units=self._planned_units if
            self._planned_units is not None else 1 + len(peers))
        self._backend = self._make_backend(self._state, self._context())
        model = Model(self._meta, cast(Any, self._backend))
        model._on_commit()  # write through: charm code's writes between events land at once
        self._framework.model = model

    def _check_idle(self, what: str) -> None:
        if self._running:
            raise RuntimeError(f'the harness cannot {what} while an event runs; do it '
                               'between events')

    def _count(self, what: str) -> int:
        value = self._counters[what]
        self._counters[what] = value + 1
        return value

    @property
    def _firing(self) -> bool:
        return self._charm is not None and self._hooks_enabled

    def _emit(self, event_name: str, *args: Any) -> None:
        if self._firing:
            getattr(self.charm.on, event_name).emit(*args)

    def _emit_relation(self, kind: str, relation_id: int, unit_name: str | None = None) -> None:
        if not self._firing:
            return
        relation = self._relation(relation_id)
        model = self.model
        unit = model.get_unit(unit_name) if unit_name is not None else None
        app = unit.app if unit is not None else model.get_app(self._remote_app(relation))
        args: list[Any] = [model.get_relation(relation.endpoint, relation_id), app, unit]
        if kind == 'departed':
            args.append(unit_name)
        self._emit(f'{relation.endpoint.replace("-", "_")}_relation_{kind}', *args)

    def _emit_storage(self, kind: str, storage_id: str) -> None:
        if not self._firing:
            return
        name, index = storage_id.split('/')
        storage = next(s for s in self.model.storages[name] if s.index == int(index))
        _ = storage.location  # read now, so the event's snapshot carries it
        self._emit(f'{name.replace("-", "_")}_storage_{kind}', storage)

    def _relation(self, relation_id: int) -> RelationBase:
        try:
            return self._sync().get_relation(relation_id)
        except KeyError:
            raise RelationNotFoundError(f'no relation {relation_id} in this harness; '
                                        f'add it with add_relation()') from None

    def _put(self, relation: RelationBase) -> None:
        state = self._sync()
        self._set_world(state.replace(relations=[
            relation if r.id == relation.id else r for r in state.relations]))

    def _remote_app(self, relation: RelationBase) -> str:
        return self._app_name if isinstance(relation, PeerRelation) else relation.remote_app

    def _units(self, relation: RelationBase) -> list[str]:
        return [f'{self._remote_app(relation)}/{n}' for n in sorted(_units_field(relation)[1])]

    def _unit_number(self, relation: RelationBase, unit_name: str) -> int:
        app, _, number = unit_name.partition('/')
        if app != self._remote_app(relation) or not number.isdigit() or \
                unit_name == self._unit_name:
            raise ValueError(f'{unit_name!r} is not a remote unit of relation {relation.id}: '
                             f'name it {self._remote_app(relation)}/<number> (not this unit)')
        return int(number)

    def _bag(self, relation: RelationBase,
             name: str) -> tuple[dict[str, str], Any]:
        """One bag of *relation* by member name, and how to put a new version of it."""
        if name == self._unit_name:
            return dict(relation.local_unit_data), \
                lambda new: relation.replace(local_unit_data=new)
        if name == self._app_name:
            return dict(relation.local_app_data), \
                lambda new: relation.replace(local_app_data=new)
        if isinstance(relation, Relation) and name == relation.remote_app_name:
            return dict(relation.remote_app_data), \
                lambda new: relation.replace(remote_app_data=new)
        field, units = _units_field(relation)
        number = self._unit_number(relation, name) if '/' in name else None
        if number is None or number not in units:
            raise KeyError(f'{name!r} has no data bag in relation {relation.endpoint}:'
                           f'{relation.id}')
        return dict(units[number]), \
            lambda new: relation.replace(**{field: {**units, number: new}})

    def _option(self, key: str) -> Any:
        option = self._meta.config.get(key)
        if option is None:
            raise ValueError(f'unknown config option {key!r} (declared: '
                             f'{", ".join(sorted(self._meta.config)) or "none"})')
        return option

    def _storage(self, storage_id: str) -> bool:
        if storage_id not in self._storages:
            raise KeyError(f'no storage {storage_id!r} in this harness; add it with '
                           'add_storage()')
        return self._storages[storage_id]

    # -- secrets ---------------------------------------------------------------------------

    def _add_foreign(self, owner: str, content: Mapping[str, str]) -> str:
        secret_id = Secret(tracked_content={}).id
        self._foreign[secret_id] = _ForeignSecret(secret_id, owner,
                                                  [_validate_content(dict(content))])
        return secret_id

    def _foreign_secret(self, secret_id: str, what: str) -> _ForeignSecret:
        foreign = self._foreign.get(secret_id)
        if foreign is None:
            raise RuntimeError(f'{what}: secret {secret_id!r} is not one added with '
                               f'add_model_secret or add_user_secret (a secret the charm '
                               f'owns is changed by the charm)')
        return foreign

    def _grant_key(self, foreign: _ForeignSecret) -> int | None:
        if foreign.owner == self._state.model.uuid:
            return None  # a user secret is granted without a relation
        owner_app = foreign.owner.split('/')[0]
        for relation in sorted(self._sync().relations, key=lambda r: r.id):
            if self._remote_app(relation) == owner_app:
                return relation.id
        raise RuntimeError(f'no relation between {self._app_name} and the secret owner '
                           f'{owner_app}: Juju grants a secret over a relation; add one')

    def _visible(self, secret_id: str) -> Secret | None:
        wanted = _unique(secret_id)
        return next((s for s in self._sync().secrets if _unique(s.id) == wanted), None)

    def _owned(self, secret_id: str, what: str) -> Secret:
        secret = self._visible(secret_id)
        if secret is None or secret.owner is None:
            raise RuntimeError(f'{what}: {secret_id!r} is not a secret the charm owns (Juju '
                               f'sends rotate, expired and remove events to the owner only)')
        return secret

    def _put_secret(self, secret: Secret) -> None:
        state = self._sync()
        self._set_world(state.replace(secrets=[
            *(s for s in state.secrets if s.id != secret.id), secret]))

    def _show(self, foreign: _ForeignSecret) -> None:
        """Put the secret in the charm's view while it is granted to this app or unit."""
        granted = any({self._app_name, self._unit_name} & names
                      for names in foreign.grants.values())
        secret = self._visible(foreign.id)
        state = self._sync()
        if granted and secret is None:
            self._put_secret(Secret(tracked_content=foreign.revisions[-1], id=foreign.id,
                                    revision=len(foreign.revisions)))
        elif not granted and secret is not None:
            self._set_world(state.replace(secrets=[s for s in state.secrets
                                                   if s.id != secret.id]))


def _units_field(relation: RelationBase) -> tuple[str, Mapping[int, Mapping[str, str]]]:
    """The name and value of the field holding a relation's remote units, by number."""
    if isinstance(relation, PeerRelation):
        return 'peers_data', relation.peers_data
    if isinstance(relation, Relation):
        return 'remote_units_data', relation.remote_units_data
    raise TypeError(f'the harness does not manage {type(relation).__name__}s')


def _name_of(app_or_unit: str | Application | Unit) -> str:
    if isinstance(app_or_unit, Application | Unit):
        return app_or_unit.name
    if isinstance(app_or_unit, str):
        return app_or_unit
    raise TypeError(f'expected an Application, a Unit or a name, not {app_or_unit!r}')


def _storage_key(storage_id: str) -> int:
    return int(storage_id.rsplit('/', 1)[1])


def _network(address: str, cidr: str | None = None, interface: str = 'eth0',
             ingress: Iterable[str] | None = None,
             egress: Iterable[str] | None = None) -> Network:
    parsed = ipaddress.ip_address(address)  # ValueError if it is not an address
    if cidr is None:
        cidr = str(ipaddress.ip_network(f'{address}/{24 if parsed.version == 4 else 64}',
                                        strict=False))
    return Network('', bind_address=address, interface_name=interface,
                   ingress_addresses=tuple(ingress or (address,)),
                   egress_subnets=tuple(egress or (cidr,)))


def _load_meta(charm_cls: type[CharmBase], meta: str | IO[str] | None,
               actions: str | IO[str] | None, config: str | IO[str] | None,
               juju_version: str) -> tuple[CharmMeta, Path | None]:
    """The metadata, part by part from the arguments or else the charm's files (as ops'
    Harness does), and the charm directory if the files are there."""
    root = _class_root(charm_cls)
    if root is None or not any((root / name).is_file() for name in _METADATA_FILES):
        root = None
    disk = CharmMeta.from_charm_root(root, juju_version=juju_version) if root else None
    raw = _yaml(meta, 'meta') if meta is not None else \
        disk.raw if disk is not None else {'name': 'test-charm'}
    whole = meta is not None and not raw.keys().isdisjoint({'actions', 'config'})
    raw_actions = _yaml(actions, 'actions') if actions is not None else \
        disk.actions_raw if disk is not None and not whole else None
    raw_config = _yaml(config, 'config') if config is not None else \
        disk.config_raw if disk is not None and not whole else None
    return _meta_from_dicts(raw, raw_actions, raw_config, juju_version), root


def _yaml(text: str | IO[str], what: str) -> dict[str, Any]:
    loaded = yaml.safe_load(textwrap.dedent(text) if isinstance(text, str) else text.read())
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValueError(f'{what}= must be YAML for a mapping, not {type(loaded).__name__}')
    return loaded
