"""An ops-style :class:`Harness`, so tests written for ops' Harness keep working.

The Harness keeps one charm instance and lets a test change the model step by step
(``add_relation``, ``update_config``, ``set_leader``, ...), each step emitting the event
Juju would send. Underneath it is the same :class:`~reactops.testing.SimulatedBackend`
that :class:`~reactops.testing.Context` uses, and every Juju event runs as a dispatch does
in production. New tests are better written with :class:`~reactops.testing.Context`.

The class is assembled from small modules: ``_harness_base`` (the world between events
and the dispatch of one event), ``_harness_secrets`` (secret methods) and
``_harness_support`` (results, the backend, metadata loading).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..charm import evaluate_status as _evaluate_status
from ..errors import ModelError, RelationDataTypeError, RelationNotFoundError
from ..framework import Framework
from ..model import Application, Unit
from ._context import _nest
from ._harness_base import CharmType
from ._harness_secrets import _HarnessSecrets
from ._harness_support import (
    FLAG_PREFIX,
    OPTION_TYPES,
    ActionOutput,
    HarnessActionFailed,
    _name_of,
    _network,
    _storage_key,
    _units_field,
)
from ._state import PeerRelation, Relation, RelationBase, Resource

__all__ = ['ActionOutput', 'Harness', 'HarnessActionFailed']


class Harness(_HarnessSecrets[CharmType]):
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

    # -- lifetime --------------------------------------------------------------------------

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
            wanted = OPTION_TYPES.get(option.type, (str,))
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
        self._store.kv_set(FLAG_PREFIX + name, value)
        self._store.commit()

    def clear_flag(self, name: str) -> None:
        """Clear a flag before the next event."""
        self._check_idle('clear_flag')
        self._store.kv_delete(FLAG_PREFIX + name)
        self._store.commit()

    @property
    def flags(self) -> dict[str, Any]:
        """The flags set now, with their values."""
        return {key[len(FLAG_PREFIX):]: value
                for key, value in self._store.kv_items(FLAG_PREFIX)}

    @property
    def handlers_run(self) -> list[str]:
        """The ids of the reactive handlers the last event ran, in order."""
        return list(self._handlers_run)

    @property
    def reactive_trace(self) -> list[dict[str, Any]]:
        """The steps of the last event's reactive dispatch (handlers run, flags changed)."""
        return list(self._trace)
