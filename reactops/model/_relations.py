"""Relations and their data bags, with Juju's rules for who may read and write which bag.

The rules, as Juju enforces them (from :mod:`reactops._private.jujurules`, the rule book the
local model and ``reactops.testing`` share):

* keys and values are strings (checked on every write, in tests too);
* a unit writes only its own unit bag, and its application's bag when it is the leader;
* any unit reads the remote units' bags, the remote application's bag and, in a peer
  relation, its peers' bags; our own application's bag is readable by the leader only,
  except in a peer relation, where all units read it.

The access rules are checked while charm code runs for an event (the framework marks it in
``backend._hook_is_running``, as ops does), so tests may arrange any bag outside events.
Writes are buffered until the end of the dispatch: see :mod:`reactops.model._bags`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping

from .._private import jujurules
from .._private.typing import TYPE_CHECKING, TypeVar
from ..errors import (
    ModelError,
    RelationDataAccessError,
    RelationDataTypeError,
    RelationNotFoundError,
    TooManyRelatedAppsError,
)
from ._units import Application, Unit

if TYPE_CHECKING:
    from typing import Any, TypeGuard

    from _typeshed import DataclassInstance

    from .._private.backend import ModelBackend
    from ..meta import RelationMeta
    from ._remote import RemoteModel
    from ._units import _ModelCache

__all__ = ['Relation', 'RelationData', 'RelationDataContent', 'RelationMapping']

_T = TypeVar('_T')


class RelationMapping(Mapping[str, list['Relation']]):
    """Each relation endpoint the charm declares, mapped to its live relations.

    An endpoint's relations are listed with one ``relation-ids`` on first use. In a
    relation-broken event the broken relation is left out.
    """

    def __init__(self, relations_meta: Mapping[str, RelationMeta], our_unit: Unit,
                 backend: ModelBackend, cache: _ModelCache, broken_relation_id: int | None,
                 _remote_unit: Unit | None = None):
        self._peers = {name for name, meta in relations_meta.items() if meta._is_peer()}
        self._our_unit = our_unit
        self._backend = backend
        self._cache = cache
        self._broken_relation_id = broken_relation_id
        self._remote_unit = _remote_unit
        self._data: dict[str, list[Relation] | None] = dict.fromkeys(relations_meta)
        self._inactive: dict[int, Relation] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __getitem__(self, relation_name: str) -> list[Relation]:
        if relation_name not in self._data:
            known = ', '.join(sorted(self._data)) or 'none'
            raise KeyError(f'the charm declares no relation endpoint {relation_name!r} '
                           f'(declared: {known}); add it under requires, provides or peers')
        relations = self._data[relation_name]
        if relations is None:
            relations = self._data[relation_name] = [
                self._make(relation_name, relation_id)
                for relation_id in self._backend.relation_ids(relation_name)
                if relation_id != self._broken_relation_id]
        return relations

    def _invalidate(self, relation_name: str) -> None:
        """Forget the relations listed for *relation_name*: the next read lists them again."""
        self._data[relation_name] = None

    def _make(self, relation_name: str, relation_id: int, active: bool = True) -> Relation:
        return Relation(relation_name, relation_id, relation_name in self._peers,
                        self._our_unit, self._backend, self._cache, active=active,
                        _remote_unit=self._remote_unit)

    def _get_unique(self, relation_name: str,
                    relation_id: int | None = None) -> Relation | None:
        if relation_id is not None:
            if isinstance(relation_id, bool) or not isinstance(relation_id, int):
                raise ModelError(f'a relation id must be an int, not {relation_id!r}')
            for relation in self[relation_name]:
                if relation.id == relation_id:
                    return relation
            # Gone (or broken in this very event), yet still worth naming: data reads
            # give {} and the remote app is still known when Juju tells it.
            inactive = self._inactive.get(relation_id)
            if inactive is None:
                inactive = self._inactive[relation_id] = self._make(
                    relation_name, relation_id, active=False)
            return inactive
        relations = self[relation_name]
        if len(relations) > 1:
            raise TooManyRelatedAppsError(relation_name, len(relations), 1)
        return relations[0] if relations else None


class Relation:
    """A relation between our application and another (or, for peers, among our units).

    :attr:`data` maps each unit and application in it to its data bag. :attr:`units` and
    :attr:`app` are found on first use (``relation-list``; the event's environment
    names the remote app of the event's relation without a tool run).
    """

    name: str
    """Our endpoint's name (``db``)."""

    id: int
    """Juju's number for this relation (``3`` in ``db:3``)."""

    data: RelationData
    """The data bags: ``relation.data[unit_or_app]['key']``."""

    def __init__(self, relation_name: str, relation_id: int, is_peer: bool, our_unit: Unit,
                 backend: ModelBackend, cache: _ModelCache, active: bool = True,
                 _remote_unit: Unit | None = None):
        self.name = relation_name
        self.id = relation_id
        self._is_peer = is_peer
        self._our_unit = our_unit
        self._backend = backend
        self._cache = cache
        self._active = active
        self._units: set[Unit] | None = None
        self._app: Application | None = our_unit.app if is_peer else None
        self._remote_unit = _remote_unit
        self._remote_model: RemoteModel | None = None
        self.data = RelationData(self, our_unit, backend)

    def __repr__(self) -> str:
        return f'<reactops.model.Relation {self.name}:{self.id}>'

    @property
    def units(self) -> set[Unit]:
        """The remote units that joined (for peers, the other units of our application).

        Read with one ``relation-list``; a relation that is gone (or broken in this event:
        every unit departed before) has none.
        """
        if self._units is None and not self._active:
            self._units = set()
        if self._units is None:
            try:
                names = self._backend.relation_list(self.id, self.name)
            except RelationNotFoundError:
                names = []
                self._active = False
            self._units = {self._cache.get(Unit, name) for name in names
                           if name != self._our_unit.name}
        return self._units

    @property
    def active(self) -> bool:
        """``False`` for the relation being broken in this event, or one that is gone."""
        if self._active:
            self.units  # noqa: B018 - relation-list is how Juju says it is gone
        return self._active

    @property
    def app(self) -> Application:
        """The remote application (our own for peers).

        It can be ``None`` only for a relation that is gone and is not the event's.
        """
        if self._app is None:
            units = self._units
            if units:
                self._app = next(iter(units)).app
            else:
                name = self._backend.relation_remote_app_name(self.id, self.name)
                if name is not None:
                    self._app = self._cache.get(Application, name)
        return self._app  # type: ignore[return-value]

    def _departing_unit(self) -> Unit | None:
        """The remote unit of a departed or broken event, if it belongs to this relation.

        Not for peers (as ops): a departing peer's bag is not offered.
        """
        unit = self._remote_unit
        if unit is None or self._is_peer:
            return None
        app = self.app
        return unit if app is not None and unit.app is app else None

    @property
    def remote_model(self) -> RemoteModel:
        """The model of the remote application (``relation-model-get``, Juju 3.6.2+)."""
        if self._remote_model is None:
            from ._remote import RemoteModel

            raw = self._backend.relation_model_get(self.id, self.name)
            self._remote_model = RemoteModel(uuid=raw['uuid'])
        return self._remote_model

    def load(self, cls: type[_T], src: Unit | Application, *args: Any,
             decoder: Callable[[str], Any] | None = None, **kwargs: Any) -> _T:
        """Build a *cls* from the bag of *src*, each value decoded (``json.loads``).

        For a dataclass or a Pydantic model only its fields are passed (a field's
        ``alias`` names its key in the bag); for any other class every key is. *args*
        and *kwargs* are passed on to *cls*.
        """
        import copy
        import json  # here: a hook that loads nothing imports no json (nor re)

        decode = json.loads if decoder is None else decoder
        fields = _juju_fields(cls)
        values: dict[str, Any] = copy.deepcopy(kwargs)  # the class may keep and change them
        for key, raw in sorted(self.data[src].items()):
            if fields is None:
                values[key] = decode(raw)
            elif key in fields:
                values[fields[key]] = decode(raw)
        return cls(*args, **values)

    def save(self, obj: object, dst: Unit | Application, *,
             encoder: Callable[[Any], str] | None = None) -> None:
        """Write the fields of *obj* to the bag of *dst*, each encoded (``json.dumps``).

        A dataclass or Pydantic model gives its fields (keys are the aliases, if any);
        any other object gives its class's annotated attributes (each must be set). A
        field missing from a Pydantic dump is deleted from the bag. Subject to the usual
        write rules.
        """
        import json

        encode = json.dumps if encoder is None else encoder
        values = _field_values(obj)
        self.data[dst].update({key: '' if value is _MISSING else encode(value)
                               for key, value in sorted(values.items())})


_MISSING = object()


def _is_dataclass(obj: object) -> TypeGuard[DataclassInstance | type[DataclassInstance]]:
    # What dataclasses.is_dataclass checks, without importing dataclasses into every hook.
    return hasattr(obj if isinstance(obj, type) else type(obj), '__dataclass_fields__')


def _juju_fields(cls: type[object]) -> dict[str, str] | None:
    """Bag key to constructor argument for a dataclass or Pydantic model; else ``None``."""
    if _is_dataclass(cls):
        import dataclasses

        # A Pydantic dataclass applies aliases itself, so it takes the alias as argument.
        pydantic = '__pydantic_validator__' in cls.__dict__
        result = {}
        for field in dataclasses.fields(cls):
            alias = field.metadata.get('alias', field.name)
            result[alias] = alias if pydantic else field.name
        return result
    model_fields = getattr(cls, 'model_fields', None)
    if isinstance(model_fields, Mapping):
        return {(info.alias or name): (info.alias or name)
                for name, info in model_fields.items()}
    return None


def _field_values(obj: object) -> dict[str, Any]:
    """Bag key to value for :meth:`Relation.save` (:data:`_MISSING` when left out)."""
    if _is_dataclass(obj) and not isinstance(obj, type):
        import dataclasses

        values = dataclasses.asdict(obj)
        return {field.metadata.get('alias', field.name): values[field.name]
                for field in dataclasses.fields(obj)}
    model_fields = getattr(type(obj), 'model_fields', None)
    if isinstance(model_fields, Mapping):
        dumped = obj.model_dump(mode='json', by_alias=True)  # type: ignore[attr-defined]
        keys = [info.alias or name for name, info in model_fields.items()]
        return {key: dumped.get(key, _MISSING) for key in keys}
    from typing import get_type_hints  # only plain classes need it

    return {name: getattr(obj, name) for name in get_type_hints(type(obj))}


class RelationData(Mapping[Unit | Application, 'RelationDataContent']):
    """The data bags of one relation, by unit or application.

    It holds our unit, our application, each unit in :attr:`Relation.units`, the remote
    application and, in a departed or broken event, the departing unit (no longer listed
    by Juju, but its data is still readable).
    """

    def __init__(self, relation: Relation, our_unit: Unit, backend: ModelBackend):
        self.relation = relation
        self._our_unit = our_unit
        self._backend = backend
        self._contents: dict[Unit | Application, RelationDataContent] = {}

    def _members(self) -> list[Unit | Application]:
        members: list[Unit | Application] = [self._our_unit, self._our_unit.app]
        members += sorted(self.relation.units, key=lambda unit: unit.name)
        for extra in (self.relation.app, self.relation._departing_unit()):
            if extra is not None and extra not in members:
                members.append(extra)
        return members

    def _is_member(self, key: object) -> bool:
        if key is self._our_unit or key is self._our_unit.app:
            return True
        if isinstance(key, Application):
            return key is self.relation.app
        if isinstance(key, Unit):
            # units first: once listed they also name the remote app (no relation-list --app)
            return key in self.relation.units or key is self.relation._departing_unit()
        return False

    def __contains__(self, key: object) -> bool:
        return self._is_member(key)

    def __len__(self) -> int:
        return len(self._members())

    def __iter__(self) -> Iterator[Unit | Application]:
        return iter(self._members())

    def __getitem__(self, key: Unit | Application) -> RelationDataContent:
        content = self._contents.get(key)
        if content is None:
            if not self._is_member(key):
                raise KeyError(f'{key!r} has no data bag in relation '
                               f'{self.relation.name}:{self.relation.id}')
            content = self._contents[key] = RelationDataContent(self.relation, key,
                                                                self._backend)
        return content

    def __repr__(self) -> str:
        return repr({member: self[member] for member in self._members()})


class RelationDataContent(MutableMapping[str, str]):
    """One data bag: a unit's or an application's keys and values in one relation.

    Read with one ``relation-get`` on first use (a relation that is gone reads ``{}``).
    Setting a key to ``''`` or deleting it removes it. Writes are checked at once (types
    always; access while an event runs), show at once in this dispatch, and reach Juju
    together at the end of the dispatch: one ``relation-set`` per changed bag, with only
    the keys that changed. This differs from ops, which runs relation-set on every write;
    Juju applies relation data only when the hook succeeds in either case.
    """

    def __init__(self, relation: Relation, entity: Unit | Application,
                 backend: ModelBackend):
        self.relation = relation
        self._entity = entity
        self._backend = backend
        self._is_app = isinstance(entity, Application)
        self._bag = relation._cache.bags.bag(relation.id, relation.name, entity.name,
                                             self._is_app)

    @property
    def _hook_is_running(self) -> bool:
        return bool(self._backend._hook_is_running)

    def _whose(self) -> str:
        kind = 'application' if self._is_app else 'unit'
        return f'the data bag of {kind} {self._entity.name} in relation ' \
               f'{self.relation.name}:{self.relation.id}'

    def _kind(self) -> str:
        return jujurules.bag_kind(self._backend.unit_name, self._entity.name,
                                  is_app=self._is_app, peer=self.relation._is_peer)

    def _check_read(self) -> None:
        # A gone relation reads {} whoever asks; only our own app's bag asks leadership.
        if not (self._hook_is_running and self._is_app and self.relation._active):
            return
        kind = self._kind()
        if kind != jujurules.OWN_APP or self.relation._is_peer:
            return
        refusal = jujurules.read_refusal(kind, leader=self._backend.is_leader(),
                                         peer=self.relation._is_peer)
        if refusal:
            raise RelationDataAccessError(
                f'unit {self._backend.unit_name} cannot read {self._whose()}: {refusal}; '
                f'check self.unit.is_leader() first')

    def _check_write(self, data: Mapping[str, str]) -> None:
        for key, value in data.items():
            if not isinstance(key, str) or not isinstance(value, str):
                # The value is never quoted: it may be a password or a secret's content.
                where = f'key {key!r}' if isinstance(key, str) else \
                    f'a key of type {type(key).__name__}'
                raise RelationDataTypeError(
                    f'relation data keys and values must be str; got {where} with a value '
                    f'of type {type(value).__name__} for {self._whose()}: encode it, e.g. '
                    f'with json.dumps')
        if not self._hook_is_running:
            return
        kind = self._kind()
        leader = kind == jujurules.OWN_APP and self._backend.is_leader()
        refusal = jujurules.write_refusal(kind, leader=leader)
        if refusal:
            hint = {jujurules.OWN_APP: 'check self.unit.is_leader() first',
                    jujurules.REMOTE_APP: "write to self.app's bag instead"}.get(
                        kind, 'write to self.unit')
            raise RelationDataAccessError(
                f'unit {self._backend.unit_name} cannot write {self._whose()}: {refusal}; '
                f'{hint}')

    def _view(self) -> dict[str, str]:
        self._check_read()
        bag = self._bag
        if bag.view is not None:
            return bag.view
        try:
            raw = self._backend.relation_get(self.relation.id, self.relation.name,
                                             self._entity.name, self._is_app)
        except RelationNotFoundError:
            raw = {}
        return bag.load(raw)

    def __getitem__(self, key: str) -> str:
        return self._view()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._view()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._view()))

    def __len__(self) -> int:
        return len(self._view())

    def __setitem__(self, key: str, value: str) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        # As Juju: deleting means setting to '', and a missing key is no error.
        self.update({key: ''})

    def update(  # type: ignore[override]  # one signature for MutableMapping's overloads
            self, data: Mapping[str, str] | Iterable[tuple[str, str]] = (), /,
            **kwargs: str) -> None:
        """Write several keys at once (``''`` deletes); checked before anything changes."""
        merged = dict(data, **kwargs)
        self._check_write(merged)
        if merged:
            self.relation._cache.bags.write(self._bag, merged)

    def __repr__(self) -> str:
        try:
            return repr(self._view())
        except RelationDataAccessError:
            return '<n/a>'
