"""An ops-style :class:`Harness`, so tests written for ops' Harness keep working.

The Harness keeps one charm instance and lets a test change the model step by step
(``add_relation``, ``update_config``, ``set_leader``, ...), each step emitting the event
Juju would send. New tests are better written with :class:`~reactops.testing.Context`.

The class is assembled from small modules: ``_harness_world`` (the simulated Juju the
model talks to), ``_harness_base`` (the world between events, and how one event runs),
``_harness_secrets``, ``_harness_containers`` and ``_harness_facets`` (groups of
methods), ``_harness_pebble`` (the in-memory Pebble of each container), ``_harness_support``
(metadata loading) and ``_harness_results`` (action outputs and failures).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from ..errors import RelationDataTypeError, RelationNotFoundError
from ._harness_base import AppUnitOrName, CharmType
from ._harness_facets import _HarnessFacets
from ._harness_results import ActionFailed, ActionOutput
from ._harness_support import FLAG_PREFIX, _check_option_value, _name_of
from ._harness_world import _Relation, network_output

__all__ = ['ActionFailed', 'ActionOutput', 'Harness']


class Harness(_HarnessFacets[CharmType]):
    """A charm under test, driven the way ops' ``Harness`` drives it: for porting ops tests.

    The metadata comes from *meta*, *actions* and *config* (YAML text or open files), or
    else, part by part, from the files of the charm directory above the class's source
    (``charmcraft.yaml``, ``metadata.yaml``, ``actions.yaml``, ``config.yaml``), or else is
    ``name: test-charm``. The unit is ``<name>/0``. Call :meth:`begin` (or
    :meth:`begin_with_initial_hooks`), change the model, assert; :meth:`cleanup` at the end.

    As in ops, one charm instance and one model live across events, and methods that
    change the model emit the event Juju would send once :meth:`begin` has run and hooks
    are enabled; deferred events wait for ``harness.framework.reemit()`` and statuses
    for :meth:`evaluate_status`. What reactops adds:

    * Each Juju event runs the charm's reactive handlers (if it has any) and commits the
      state store (stored state, deferred notices, flags); :attr:`flags`,
      :attr:`handlers_run` and :attr:`reactive_trace` show them.
    * A charm error keeps nothing of its event, as in Juju: the world, the store and stored
      state return to what they were before it. The charm's own exception propagates.
    * :meth:`begin_with_initial_hooks` visits relations in a fixed order (endpoints as the
      metadata lists them, relations by id) where ops shuffles them.
    * Each container's Pebble is simulated in memory, with no daemon: its files live in
      a folder (:meth:`get_filesystem_root`), ``exec`` is answered by
      :meth:`handle_exec`, and it can be reached once :meth:`set_can_connect` or
      :meth:`container_pebble_ready` says so. A failed event does not undo what it did
      in a container: the workload is not Juju's to roll back.
    """

    def __init__(self, charm_cls: type[CharmType], *, meta: str | IO[str] | None = None,
                 actions: str | IO[str] | None = None, config: str | IO[str] | None = None):
        super().__init__(charm_cls, meta=meta, actions=actions, config=config)
        warnings.warn('Harness is deprecated (as in ops): write new tests with '
                      'reactops.testing.Context', PendingDeprecationWarning, stacklevel=2)

    # -- lifetime --------------------------------------------------------------------------

    def begin(self) -> None:
        """Create the charm (once); events are emitted from now on."""
        if self._charm is not None:
            raise RuntimeError('cannot call the begin method on the harness more than once')
        from ..reactive._detect import wants_reactive
        from ..reactive._runtime import ReactiveRuntime, activate

        self._reactive = wants_reactive(self._charm_cls, self._charm_dir)
        with activate(ReactiveRuntime(self._store)), self._framework._event_context('__init__'):
            self._charm = self._charm_cls(self._framework)

    def begin_with_initial_hooks(self) -> None:
        """:meth:`begin`, then the events of a unit's start in ops' order: storage-attached,
        install, relation-created (peer relations are added if missing),
        leader-elected (or leader-settings-changed), config-changed, start, pebble-ready
        for each container (which makes it reachable), then per relation
        relation-changed for the remote app's data, if any, and relation-joined and
        relation-changed for each remote unit."""
        self.begin()
        backend = self._backend
        for name in self._meta.storages:
            for index, storage in list(backend.storages[name].items()):
                if storage.attached:
                    self._emit_storage('attached', name, index)
                else:
                    self.attach_storage(f'{name}/{index}')
        self._emit('install')
        for endpoint, relation_meta in self._meta.relations.items():
            ids = [r.id for r in backend.relations.values() if r.endpoint == endpoint]
            if relation_meta.role.is_peer() and not ids:
                self.add_relation(endpoint, self._app_name)
            for relation_id in ids:
                self._emit_relation('created', relation_id)
        self._emit('leader_elected' if backend.leader else 'leader_settings_changed')
        self._emit('config_changed')
        self._emit('start')
        for name in self._meta.containers:
            self.container_pebble_ready(name)
        if backend.unit_status == ('maintenance', ''):
            backend.unit_status = ('unknown', '')  # what Juju shows if install set nothing
            self._refresh()
        for relation in sorted(backend.relations.values(), key=lambda r: r.id):
            if relation.data.get(relation.remote_app):
                self._emit_relation('changed', relation.id, app_name=relation.remote_app)
            for unit in sorted(relation.units):
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
        if relation_name not in self._meta.relations:
            raise RelationNotFoundError(
                f'relation {relation_name!r} not declared in metadata (declared: '
                f'{", ".join(sorted(self._meta.relations)) or "none"})')
        relation_id = self._relation_counter
        self._relation_counter += 1
        self._backend.relations[relation_id] = _Relation(
            relation_id, relation_name, remote_app,
            data={remote_app: {}, self._unit_name: {}, self._app_name: {}})
        self._refresh()
        self._emit_relation('created', relation_id)
        if app_data is not None or unit_data is not None:
            unit = f'{remote_app}/0'
            self.add_relation_unit(relation_id, unit)
            if app_data is not None:
                self.update_relation_data(relation_id, remote_app, app_data)
            if unit_data is not None:
                self.update_relation_data(relation_id, unit, unit_data)
        networks = self._backend.networks
        if (None, None) not in networks:  # the bindings ops' Harness gives a relation
            networks.setdefault((relation_name, relation_id),
                                network_output('10.0.0.10', None, 'eth0', None, None))
            networks.setdefault((relation_name, None),
                                network_output('192.0.2.0', None, 'eth0', None, None))
        return relation_id

    def add_relation_unit(self, relation_id: int, remote_unit_name: str) -> None:
        """Add a remote unit (with an empty bag) to the relation; emit relation-joined."""
        relation = self._relation(relation_id)
        if not remote_unit_name.startswith(relation.remote_app):
            warnings.warn(f'remote unit name invalid: the remote application of '
                          f'{relation.endpoint} is called {relation.remote_app!r}; the remote '
                          f'unit name should be {relation.remote_app}/<some-number>, not '
                          f'{remote_unit_name!r}', stacklevel=2)
        relation.units.append(remote_unit_name)
        relation.data[remote_unit_name] = {}
        self._refresh()
        self._emit_relation('joined', relation_id, remote_unit_name)

    def remove_relation_unit(self, relation_id: int, remote_unit_name: str) -> None:
        """Remove a remote unit from the relation; emit relation-departed (its data stays
        readable during the event, as in Juju)."""
        relation = self._relation(relation_id)
        if remote_unit_name not in relation.units:
            raise KeyError(f'{remote_unit_name} is not in relation {relation_id}')
        relation.units.remove(remote_unit_name)
        self._refresh()
        try:
            self._emit_relation('departed', relation_id, remote_unit_name)
        finally:
            relation.data.pop(remote_unit_name, None)
            self._refresh()

    def remove_relation(self, relation_id: int) -> None:
        """Remove the relation: relation-departed for each remote unit, then
        relation-broken; secret grants made through it go too."""
        relation = self._relation(relation_id)
        for unit in list(relation.units):
            self.remove_relation_unit(relation_id, unit)
        self._emit_relation('broken', relation_id)
        del self._backend.relations[relation_id]
        for secret in self._backend.secrets:
            secret.grants.pop(relation_id, None)
        self._refresh()

    def update_relation_data(self, relation_id: int, app_or_unit: AppUnitOrName,
                             key_values: Mapping[str, str]) -> None:
        """Change one bag (``''`` deletes a key), as Juju would, bypassing access rules.

        Emits relation-changed when the bag changed, unless the bag is ours (as in Juju:
        except our app's bag in a peer relation, seen by the other units when we do not
        lead).
        """
        name = _name_of(app_or_unit)
        relation = self._relation(relation_id)
        for key, value in key_values.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise RelationDataTypeError(
                    f'relation data keys and values must be str; got {key!r}: {value!r} '
                    f'for {name} in relation {relation.endpoint}:{relation_id}')
        bag = relation.data.setdefault(name, {})
        changed = False
        for key, value in key_values.items():
            if value == '':
                changed = bag.pop(key, None) != value or changed
            elif bag.get(key) != value:
                bag[key] = value
                changed = True
        self._refresh()
        if not changed or name == self._unit_name:
            return
        if name == self._app_name and (relation.endpoint not in self._meta.peers or
                                       self._backend.leader):
            return
        if '/' in name:
            self._emit_relation('changed', relation_id, name, app_name=name.split('/')[0])
        else:
            self._emit_relation('changed', relation_id, app_name=name)

    def get_relation_data(self, relation_id: int,
                          app_or_unit: AppUnitOrName) -> dict[str, str] | None:
        """One bag as Juju holds it (no access rules), ``None`` if *app_or_unit* has none
        there; :class:`KeyError` for an unknown relation."""
        relation = self._backend.relations.get(relation_id)
        if relation is None:
            raise KeyError(relation_id)
        return relation.data.get(_name_of(app_or_unit))

    # -- config, leadership, model facts -------------------------------------------------

    def update_config(self, key_values: Mapping[str, str | int | float | bool] | None = None,
                      unset: Iterable[str] = ()) -> None:
        """Set options and unset others (back to their default); emit config-changed.

        A value must be of the option's declared type exactly (:class:`RuntimeError`
        otherwise); an undeclared option is a :class:`ValueError`; ``None`` leaves an
        option as it is.
        """
        config = self._backend.config
        for key, value in (key_values or {}).items():
            option = self._meta.config.get(key)
            if option is None:
                raise ValueError(f"unknown config option: '{key}'")
            if value is not None:
                _check_option_value(key, option.type, value)
                config[key] = value
        for key in unset:
            option = self._meta.config.get(key)
            if option is not None and option.default is not None:
                config[key] = option.default
            else:
                config.pop(key, None)
        self._refresh()
        self._emit('config_changed')

    def set_leader(self, is_leader: bool = True) -> None:
        """Make this unit the leader or not; ``True`` emits leader-elected (as ops does,
        each time)."""
        self._backend.leader = is_leader
        self._refresh()
        if is_leader:
            self._emit('leader_elected')

    def set_planned_units(self, num_units: int) -> None:
        """What ``app.planned_units()`` answers (no event, as in Juju)."""
        if num_units < 0:
            raise TypeError('num_units must be 0 or a positive integer')
        self._backend._planned_units = num_units

    def reset_planned_units(self) -> None:
        """Planned units back to the default: this unit plus its peers."""
        self._backend._planned_units = None

    def set_model_name(self, name: str) -> None:
        """The model's name (before :meth:`begin`)."""
        if self._charm is not None:
            raise RuntimeError('cannot set the Model name after begin()')
        self._backend.model_name = name

    def set_model_uuid(self, uuid: str) -> None:
        """The model's uuid (before :meth:`begin`)."""
        if self._charm is not None:
            raise RuntimeError('cannot set the Model uuid after begin()')
        self._backend.model_uuid = uuid

    def set_model_info(self, name: str | None = None, uuid: str | None = None) -> None:
        """The model's name and/or uuid (before :meth:`begin`)."""
        if name is not None:
            self.set_model_name(name)
        if uuid is not None:
            self.set_model_uuid(uuid)

    # -- reactive --------------------------------------------------------------------------

    def set_flag(self, name: str, value: Any = None) -> None:
        """Set a flag before the next event (no trigger fires, no handler runs now)."""
        if not isinstance(name, str) or not name:
            raise ValueError(f'a flag name is a non-empty string, not {name!r}')
        self._store.kv_set(FLAG_PREFIX + name, value)
        self._store.commit()

    def clear_flag(self, name: str) -> None:
        """Clear a flag before the next event."""
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
