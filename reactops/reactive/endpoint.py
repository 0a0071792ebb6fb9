"""Endpoints: one object per relation endpoint of the charm, with automatic flags.

Every dispatch that runs handlers makes one :class:`Endpoint` per relation endpoint in
the charm's metadata (in sorted name order). Its class is the interface layer's
implementation for the endpoint's interface and role (see :func:`find_endpoint_class`),
or a plain :class:`Endpoint`, so the automatic flags always exist.

Automatic flags (``<n>`` is the endpoint name; rules applied at the start of the dispatch,
before any handler runs):

==========================  ================================  ================================
flag                        set when                          cleared when
==========================  ================================  ================================
``endpoint.<n>.joined``     a remote unit is joined in a      no remote unit is joined (from
                            relation of the endpoint          the last unit's ``-departed``
                            (checked every hook)              hook; in ``-broken``)
``endpoint.<n>.changed``    a field of a remote unit's or     never by reactops: the handler
                            the remote application's data     that reacts clears it
                            changed
``endpoint.<n>.changed.f``  field ``f`` changed (as above)    never by reactops (as above)
``endpoint.<n>.departed``   in ``<n>-relation-departed``      at the start of another hook
                                                              in which the endpoint is joined
``endpoint.<n>.broken``     in ``<n>-relation-broken``        at the start of another hook
                                                              in which the endpoint is joined
                                                              (it joined again)
==========================  ================================  ================================

Change detection keeps charms.reactive's hashes (``data_changed`` ids
``endpoint.<n>.<relation id>.<unit>.<field>``, e.g. ``endpoint.db.db:1.pg/0.host``), so an
upgraded charm does not see old data as new. It reads data (``relation-get``) only

* in the endpoint's own relation hooks (``<n>-relation-*``), and then only the bag of the
  hook's remote unit or, in a hook without one, of the remote application: Juju runs a
  relation hook for each remote member whose data changed, so no other bag can be new in
  it (charms.reactive read every unit of every relation of the endpoint in each of these
  hooks, and no application bag);
* in the hook in which the endpoint is first seen joined outside its own relation hooks
  (charms.reactive's "``joined`` was not set at the start of the hook" rule, kept: it
  costs reads only in that one hook), then for every relation of the endpoint.

A removed key is not noticed, and a departing unit does not set ``changed`` (as in
charms.reactive). The subclass hook :meth:`Endpoint.manage_flags` runs only when data was
scanned, as in charms.reactive, so interface code reading data there stays within the
cost rule. In every other hook an endpoint costs one ``relation-ids`` and one
``relation-list`` per relation, and no ``relation-get``.

Ordering: :attr:`Endpoint.relations` and :attr:`Endpoint.all_joined_units` are sorted by
the *numeric* relation id, then by unit number (``db:2`` before ``db:10``, ``pg/2`` before
``pg/10``); charms.reactive compared the strings. In ``<n>-relation-broken`` the broken
relation is not in :attr:`Endpoint.relations` (the model leaves it out, as ops does).

For a plain :class:`Endpoint` (no interface layer) outside its own relation hooks, the
flags are worked out when a handler first reads a flag ``endpoint.<n>.*`` (or lists every
flag): a hook in which nobody asks runs no hook tool for the endpoint at all.

In ``<n>-relation-departed`` the departing unit (``JUJU_REMOTE_UNIT``) and its last data
(one ``relation-get``) are appended to :attr:`Endpoint.all_departed_units`, kept in the
state store under ``reactive.endpoints.departed.<n>`` until the charm empties it.
"""

from __future__ import annotations

import importlib
import os
import weakref
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType

from .._private.typing import TYPE_CHECKING
from ..errors import ReactiveError
from ._classes import leaf_classes
from ._endpoint_relations import RelatedUnit, Relation, _DepartedUnits
from ._endpoint_views import (
    CombinedUnitsView,
    EndpointDataWriteError,
    JSONUnitDataView,
    KeyList,
    UnitDataView,
)
from ._runtime import ReactiveRuntime, current
from .helpers import data_changed

if TYPE_CHECKING:
    from typing import Any

    from ..model import Model

__all__ = [
    'ENTRY_POINT_GROUP', 'CombinedUnitsView', 'Endpoint', 'EndpointDataWriteError',
    'EndpointLookupError', 'JSONUnitDataView', 'KeyList', 'RelatedUnit', 'Relation',
    'UnitDataView', 'endpoint_from_flag', 'endpoint_from_name', 'find_endpoint_class',
]

#: The entry-point group through which installed packages provide interface layers.
ENTRY_POINT_GROUP = 'reactops.interfaces'
#: Where the persisted departed units of an endpoint are kept (charms.reactive's key).
DEPARTED_KEY = 'reactive.endpoints.departed.'
#: The charm's own interface layer files, relative to the charm directory: (path, module).
CHARM_INTERFACE_DIRS = (
    ('interfaces', 'interfaces'),
    ('hooks/relations', 'relations'),
    ('reactive/relations', 'reactive.relations'),
)

# The endpoints of each running dispatch (a runtime is one dispatch).
_ENDPOINTS: weakref.WeakKeyDictionary[ReactiveRuntime, dict[str, Endpoint]] = \
    weakref.WeakKeyDictionary()


class EndpointLookupError(ReactiveError):
    """Two implementations claim one interface and role at the same lookup level, or an
    entry point does not name an Endpoint subclass; the message names them."""


class Endpoint:
    """A relation endpoint of this charm (``db`` in ``requires: db: pgsql``), with every
    relation made on it.

    Interface layers subclass it; their decorated methods with ``{endpoint_name}`` in
    their flags run once per endpoint that uses the class, with ``self`` that endpoint.
    Reactops makes the instances at the start of each dispatch; reach them with
    :meth:`from_name`, :meth:`from_flag`, :func:`endpoint_from_name` or
    :func:`endpoint_from_flag`. Subclasses may override :meth:`register_triggers` and
    :meth:`manage_flags`, and ``__init__`` if they pass ``*args, **kwargs`` on.
    """

    def __init__(self, endpoint_name: str, relation_ids: Iterable[str] | None = None, *,
                 model: Model | None = None):
        runtime = current()
        if model is None:
            charm = runtime.charm
            if charm is None:
                raise RuntimeError(f'endpoint {endpoint_name!r} needs the model: make '
                                   'endpoints while a dispatch runs, or pass model=')
            model = charm.model
        assert model is not None
        self._endpoint_name = endpoint_name
        self._model: Model = model
        self._runtime = runtime
        self._wanted_ids = None if relation_ids is None else {str(r) for r in relation_ids}
        self._dropped: set[str] = set()
        self._relations: KeyList[Relation] | None = None
        self._departed_units: _DepartedUnits | None = None
        # In the endpoint's own relation hook, the member whose data can be new in it.
        self._hook_member: str | None = None

    # -- finding endpoints ---------------------------------------------------------------

    @classmethod
    def from_name(cls, endpoint_name: str) -> Endpoint | None:
        """The endpoint called *endpoint_name* in the running dispatch, or ``None``."""
        return _ENDPOINTS.get(current(), {}).get(endpoint_name)

    @classmethod
    def from_flag(cls, flag: str) -> Endpoint | None:
        """The endpoint a set flag names (``endpoint.db.joined`` or ``db.available``)."""
        runtime = current()
        if '.' not in flag or not runtime.is_set(flag):
            return None
        parts = flag.split('.')
        return cls.from_name(parts[1] if parts[0] == 'endpoint' else parts[0])

    # -- what interface code uses ----------------------------------------------------------

    @property
    def endpoint_name(self) -> str:
        """The endpoint's name in the charm's metadata."""
        return self._endpoint_name

    @property
    def relations(self) -> KeyList[Relation]:
        """The relations on this endpoint, in relation-id order; ``relations['db:1']``
        looks one up by id. In ``-broken`` the broken relation is not among them."""
        if self._relations is None:
            found = [Relation(self, rel) for rel in self._model.relations[self.endpoint_name]]
            self._relations = KeyList(
                (r for r in sorted(found, key=lambda r: r.model_relation.id)
                 if self._wanted_ids is None or r.relation_id in self._wanted_ids),
                key='relation_id')
        if self._dropped:
            self._relations = KeyList((r for r in self._relations
                                       if r.relation_id not in self._dropped),
                                      key='relation_id')
            self._dropped.clear()
        return self._relations

    @property
    def is_joined(self) -> bool:
        """Whether any remote unit is joined in any relation of the endpoint."""
        return any(relation.joined_units for relation in self.relations)

    @property
    def joined(self) -> bool:
        """Deprecated alias of :attr:`is_joined`."""
        return self.is_joined

    @property
    def all_joined_units(self) -> CombinedUnitsView[RelatedUnit]:
        """Every joined unit of every relation, by (numeric) relation id, then unit
        number; ``received`` merges their data (the first unit wins a key)."""
        return CombinedUnitsView(u for r in self.relations for u in r.joined_units)

    @property
    def all_units(self) -> CombinedUnitsView[RelatedUnit]:
        """Deprecated alias of :attr:`all_joined_units`."""
        return self.all_joined_units

    @property
    def all_departed_units(self) -> CombinedUnitsView[RelatedUnit]:
        """Units that departed, with their last data; kept until the charm removes them
        (``all_departed_units.clear()``)."""
        if self._departed_units is None:
            storage = self._runtime.storage
            key = DEPARTED_KEY + self.endpoint_name
            stored = storage.kv_get(key) or []
            units = [RelatedUnit(self._relation_or_none(entry.get('relation')),
                                 entry['unit_name'], dict(entry.get('data') or {}))
                     for entry in stored]
            self._departed_units = _DepartedUnits(units, lambda value: storage.kv_set(key, value))
        return self._departed_units

    def _relation_or_none(self, relation_id: str | None) -> Relation | None:
        for relation in self.relations:
            if relation.relation_id == relation_id:
                return relation
        return None

    def expand_name(self, flag: str) -> str:
        """``{endpoint_name}`` replaced by this endpoint's name; a flag without it is
        taken as ``endpoint.{endpoint_name}.<flag>``."""
        if '{endpoint_name}' not in flag:
            flag = 'endpoint.{endpoint_name}.' + flag
        return flag.replace('{endpoint_name}', self.endpoint_name)

    def register_triggers(self) -> None:
        """Override to register triggers (run at the start of every dispatch)."""

    def manage_flags(self) -> None:
        """Override to set the interface's own flags; runs after the automatic flags,
        in the hooks in which relation data was scanned (see the module docs)."""

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.endpoint_name}>'

    # -- the automatic flags ---------------------------------------------------------------

    def _startup(self, hook_name: str, relation_id: int | None,
                 remote_unit: str | None) -> None:
        self.register_triggers()
        own = hook_name.startswith(f'{self.endpoint_name}-relation-')
        if own and hook_name.endswith('-relation-departed'):
            self._manage_departed(relation_id, remote_unit)
        # Juju runs a relation hook for each remote member whose data changed, so in one
        # only that member's bag can be new: the remote unit's or, when the hook has no
        # remote unit, the remote application's.
        self._hook_member = (remote_unit or APP_MEMBER) if own else None
        self._manage_flags(hook_name if own else '', relation_id)

    def _manage_departed(self, relation_id: int | None, remote_unit: str | None) -> None:
        self._runtime.set(self.expand_name('departed'))
        if relation_id is None:
            return
        relation = next((r for r in self.relations
                         if r.model_relation.id == relation_id), None)
        if relation is None:
            return
        if remote_unit:
            try:
                last_data = dict(relation._bag_of_unit(remote_unit))
            except KeyError:  # a departing peer's bag is no longer offered (as in ops)
                last_data = {}
            self.all_departed_units.append(RelatedUnit(relation, remote_unit, last_data))
        if not relation.joined_units:
            self._dropped.add(relation.relation_id)

    def _manage_flags(self, own_hook: str, relation_id: int | None) -> None:
        runtime = self._runtime
        joined_flag = self.expand_name('joined')
        was_joined = runtime.is_set(joined_flag)
        joined = self.is_joined
        _toggle(runtime, joined_flag, joined)
        if own_hook.endswith('-relation-broken'):
            runtime.set(self.expand_name('broken'))
        elif joined:
            if not own_hook.endswith('-relation-departed'):
                runtime.clear(self.expand_name('departed'))
            runtime.clear(self.expand_name('broken'))
        if own_hook:
            scan = [r for r in self.relations if r.model_relation.id == relation_id]
        elif joined and not was_joined:
            scan = list(self.relations)
        else:
            return
        for relation in scan:
            self._detect_changes(relation)
        self.manage_flags()

    def _detect_changes(self, relation: Relation) -> None:
        changed = False
        only = self._hook_member  # None: compare every bag
        sources: list[tuple[str, JSONUnitDataView]] = [
            (unit.unit_name, unit.received) for unit in relation.joined_units
            if only is None or unit.unit_name == only]
        app = relation.model_relation.app
        # The remote application's bag is compared in every hook of the endpoint: Juju
        # tells of its changes in a hook without a remote unit, but ops.testing (as
        # Scenario) fills in the first remote unit when a test gives none.
        if app is not None and app.name != self._model.app.name:
            sources.append((app.name, relation.received_app))
        for member, data in sources:
            for key in sorted(data):
                data_id = f'endpoint.{self.endpoint_name}.{relation.relation_id}.{member}.{key}'
                if data_changed(data_id, data[key]):
                    changed = True
                    self._runtime.set(self.expand_name(f'changed.{key}'))
        if changed:
            self._runtime.set(self.expand_name('changed'))


# The member of a relation hook without a remote unit: the remote application's bag.
APP_MEMBER = '<application>'


def _toggle(runtime: ReactiveRuntime, flag: str, should_set: bool) -> None:
    if should_set:
        runtime.set(flag)
    else:
        runtime.clear(flag)


# -- module functions ------------------------------------------------------------------------


def endpoint_from_name(endpoint_name: str | None) -> Any:
    """The endpoint called *endpoint_name* in the running dispatch (``None`` if none), or
    the legacy RelationBase implementing it when no Endpoint class does."""
    if not endpoint_name:
        return None
    endpoint = Endpoint.from_name(endpoint_name)
    if endpoint is None or type(endpoint) is Endpoint:
        # No Endpoint implementation: a legacy RelationBase interface may implement it.
        legacy = _legacy_relation_from_name(endpoint_name)
        if legacy is not None:
            return legacy
    return endpoint


def endpoint_from_flag(flag: str) -> Any:
    """The endpoint a set flag belongs to (``None`` if none): ``endpoint.<n>.*`` names
    ``<n>``; another flag with a dot names its first part if that is an endpoint
    (``db.available``). A flag a legacy ``RelationBase`` set (its value names the
    relation) gives that RelationBase, when :mod:`reactops.reactive.relations` is there."""
    runtime = current()
    value = runtime.value(flag) if runtime.is_set(flag) else None
    if isinstance(value, dict) and 'relation' in value:
        return _legacy_relation_from_flag(flag)
    return Endpoint.from_flag(flag)


def _legacy_relation_from_name(endpoint_name: str) -> Any:
    try:
        relations = importlib.import_module('.relations', __package__)
    except ImportError:
        return None
    factory = relations.relation_factory_for(endpoint_name)
    return factory.from_name(endpoint_name) if factory is not None else None


def _legacy_relation_from_flag(flag: str) -> Any:
    # A flag set by a legacy RelationBase conversation carries {'relation': name, ...};
    # reactops.reactive.relations (legacy RelationBase) resolves it, when present.
    try:
        relations = importlib.import_module('.relations', __package__)
    except ImportError:
        return None
    resolve = getattr(relations, 'relation_from_flag', None)
    return resolve(flag) if callable(resolve) else None


# -- finding an endpoint's class: the seam for interface layers -------------------------------


def find_endpoint_class(charm_dir: str | os.PathLike[str], interface: str,
                        role: str) -> type[Endpoint] | None:
    """The Endpoint subclass implementing *interface* for *role*, or ``None``.

    *role* is a metadata section: ``provides``, ``requires`` or ``peers``. Looked up in
    this order, the first level with an implementation wins:

    1. the charm's own files: ``interfaces/<iface>/<role>.py``, legacy
       ``hooks/relations/<iface>/<role>.py`` and ``reactive/relations/<iface>/<role>.py``
       (in each, the unique most-derived Endpoint subclass);
    2. installed packages: entry points of group ``reactops.interfaces`` named
       ``<iface>.<role>``, each naming an Endpoint subclass;
    3. built-ins: module ``reactops.layers.<iface>`` (dashes as underscores), see
       :mod:`reactops.layers` for its convention.

    Two implementations at one level raise :class:`EndpointLookupError` naming both.
    """
    from .registry import _switch_charm

    _switch_charm(os.fspath(charm_dir))  # the charm's own layers import as discovery does
    for level in (_charm_classes, _entry_point_classes, _builtin_classes):
        found = level(charm_dir, interface, role)
        if len(found) > 1:
            names = ', '.join(f'{cls.__module__}.{cls.__qualname__} ({where})'
                              for where, cls in found)
            raise EndpointLookupError(
                f'interface {interface!r} role {role!r} has {len(found)} implementations: '
                f'{names}; keep one (remove the charm file or uninstall the package)')
        if found:
            return found[0][1]
    return None


def _charm_classes(charm_dir: str | os.PathLike[str], interface: str,
                   role: str) -> list[tuple[str, type[Endpoint]]]:
    found: list[tuple[str, type[Endpoint]]] = []
    root = os.fspath(charm_dir)  # os.path, not pathlib: no pathlib on the hook path
    for directory, package in CHARM_INTERFACE_DIRS:
        where = f'{directory}/{interface}/{role}.py'
        if not os.path.isfile(os.path.join(root, where)):
            continue
        module = importlib.import_module(f'{package}.{interface}.{role}')
        cls = _most_derived(module, where)
        if cls is not None:
            found.append((where, cls))
    return found


def _most_derived(module: ModuleType, where: str) -> type[Endpoint] | None:
    candidates = {value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Endpoint)
                  and value is not Endpoint}
    leaves = leaf_classes(candidates)
    if len(leaves) > 1:
        raise EndpointLookupError(
            f'{where} defines {len(leaves)} unrelated Endpoint subclasses '
            f'({", ".join(c.__qualname__ for c in leaves)}); an interface file must have '
            'one most-derived implementation')
    return leaves[0] if leaves else None


def _entry_point_classes(charm_dir: str | os.PathLike[str], interface: str,
                         role: str) -> list[tuple[str, type[Endpoint]]]:
    from ._entry_points import entry_points  # no importlib.metadata: see that module

    found: list[tuple[str, type[Endpoint]]] = []
    for entry in entry_points(ENTRY_POINT_GROUP, f'{interface}.{role}'):
        where = f'entry point {entry.name} = {entry.value} of package {entry.distribution}'
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Endpoint)):
            raise EndpointLookupError(f'{where} names {cls!r}, not an Endpoint subclass')
        if all(cls is not other for _, other in found):
            found.append((where, cls))
    return found


def _builtin_classes(charm_dir: str | os.PathLike[str], interface: str,
                     role: str) -> list[tuple[str, type[Endpoint]]]:
    name = f'reactops.layers.{interface.replace("-", "_")}'
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return []
        raise
    found: list[tuple[str, type[Endpoint]]] = []
    mapping = getattr(module, 'ENDPOINTS', None)
    if isinstance(mapping, dict) and role in mapping:
        found.append((f'{name}.ENDPOINTS[{role!r}]', mapping[role]))
    attribute = getattr(module, role.capitalize(), None)
    if attribute is not None and all(attribute is not cls for _, cls in found):
        found.append((f'{name}.{role.capitalize()}', attribute))
    for where, cls in found:
        if not (isinstance(cls, type) and issubclass(cls, Endpoint)):
            raise EndpointLookupError(f'{where} is {cls!r}, not an Endpoint subclass')
    return found


# -- one dispatch's endpoints ------------------------------------------------------------------


def create_endpoints(runtime: ReactiveRuntime, charm: Any,
                     charm_dir: str | os.PathLike[str]) -> list[Endpoint]:
    """Make this dispatch's endpoints (sorted by name) and apply their automatic flags."""
    meta = charm.framework.meta
    relations: dict[str, Any] = dict(getattr(meta, 'relations', None) or {})
    endpoints: dict[str, Endpoint] = {}
    _ENDPOINTS[runtime] = endpoints
    for name in sorted(relations):
        rel_meta = relations[name]
        # The role's text as the metadata keeps it: .role would make the RelationRole enum.
        role_name: str = rel_meta._role
        role = {'peer': 'peers'}.get(role_name, role_name)
        cls = find_endpoint_class(charm_dir, rel_meta.interface_name, role) or Endpoint
        endpoints[name] = cls(name, None)
    context = getattr(charm.model._backend, '_juju_context', None)
    relation_id = getattr(context, 'relation_id', None)
    remote_unit = getattr(context, 'remote_unit', None)
    hook_name = runtime.hook_name
    for name, endpoint in endpoints.items():
        if type(endpoint) is Endpoint and not hook_name.startswith(f'{name}-relation-'):
            # Nothing of the charm's runs at startup for a plain endpoint: work out its
            # flags when a handler first reads one (no hook tool runs if nobody does).
            runtime.add_lazy_family(f'endpoint.{name}.', _lazy_startup(
                endpoint, hook_name, relation_id, remote_unit))
        else:
            endpoint._startup(hook_name, relation_id, remote_unit)
    return list(endpoints.values())


def _lazy_startup(endpoint: Endpoint, hook_name: str, relation_id: int | None,
                  remote_unit: str | None) -> Callable[[ReactiveRuntime], None]:
    return lambda runtime: endpoint._startup(hook_name, relation_id, remote_unit)


def hook_endpoint() -> Any:
    """The endpoint (or legacy RelationBase) of the running relation hook
    (``JUJU_RELATION``), for ``@hook``."""
    runtime = current()
    charm = runtime.charm
    context = getattr(getattr(getattr(charm, 'model', None), '_backend', None),
                      '_juju_context', None)
    return endpoint_from_name(getattr(context, 'relation_name', None))


def endpoints_of(runtime: ReactiveRuntime) -> Iterator[Endpoint]:
    """The endpoints of *runtime*'s dispatch, in name order."""
    return iter(_ENDPOINTS.get(runtime, {}).values())
