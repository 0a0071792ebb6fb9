"""The relation views of an endpoint: :class:`Relation` (one relation, with the data
bags we publish and receive) and :class:`RelatedUnit` (one remote unit), plus the
persisted list behind :attr:`Endpoint.all_departed_units`.

Data is read lazily: a bag costs one ``relation-get`` the first time some code reads it.
Both classes are re-exported by :mod:`reactops.reactive.endpoint`, where they belong to
the public API.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from .._private.typing import TYPE_CHECKING
from ._endpoint_views import CombinedUnitsView, JSONUnitDataView, UnitDataView

if TYPE_CHECKING:
    from typing import Any

    from ..model import Relation as ModelRelation
    from .endpoint import Endpoint

__all__ = ['RelatedUnit', 'Relation']


def _unit_order(name: str) -> tuple[str, int, str]:
    app, _, number = name.partition('/')
    return (app, int(number) if number.isdigit() else -1, name)


class RelatedUnit:
    """A remote unit in a relation of an endpoint: ``unit.received['host']``.

    :attr:`received` decodes JSON values (missing keys read ``None``); both views are
    read-only and read the unit's bag (one ``relation-get``) only when first used.
    """

    def __init__(self, relation: Relation | None, unit_name: str,
                 data: dict[str, str] | None = None):
        self.relation = relation
        self.unit_name = unit_name
        self._data = data

    @property
    def application_name(self) -> str:
        """The unit's application (``pg`` for ``pg/0``)."""
        return self.unit_name.split('/')[0]

    @cached_property
    def received_raw(self) -> UnitDataView:
        """The unit's data as strings."""
        rid = self.relation.relation_id if self.relation is not None else '?'
        owner = f'the data of remote unit {self.unit_name} in relation {rid}'
        if self._data is not None or self.relation is None:
            return UnitDataView(dict(self._data or {}), owner=owner)
        relation = self.relation
        return UnitDataView(lambda: relation._bag_of_unit(self.unit_name), owner=owner)

    @cached_property
    def received(self) -> JSONUnitDataView:
        """The unit's data, JSON-decoded."""
        return JSONUnitDataView(self.received_raw)

    def _serialize(self) -> dict[str, Any]:
        return {'relation': self.relation.relation_id if self.relation else None,
                'unit_name': self.unit_name, 'data': dict(self.received_raw)}

    def __repr__(self) -> str:
        return f'<RelatedUnit {self.unit_name}>'


class Relation:
    """One relation of an endpoint, as interface code sees it (charms.reactive's
    ``Relation``; the model's is :class:`reactops.model.Relation`).

    :attr:`relation_id` is Juju's ``<endpoint>:<id>`` string. Writes to
    :attr:`to_publish` (JSON) and :attr:`to_publish_raw` are sent when the dispatch
    commits: one ``relation-set`` per changed bag, with only the changed keys.
    """

    def __init__(self, endpoint: Endpoint, model_relation: ModelRelation):
        self.endpoint = endpoint
        self.model_relation = model_relation

    @property
    def relation_id(self) -> str:
        """``db:3``: the endpoint name and Juju's relation number."""
        return f'{self.model_relation.name}:{self.model_relation.id}'

    @property
    def endpoint_name(self) -> str:
        """The name of the endpoint this relation belongs to."""
        return self.endpoint.endpoint_name

    @property
    def application_name(self) -> str:
        """The remote application (from the first unit; else as Juju tells it; else,
        as in charms.reactive's peer corner case, our own application)."""
        units = self.joined_units
        if units:
            return units[0].application_name
        app = self.model_relation.app
        return app.name if app is not None else self.endpoint._model.app.name

    @cached_property
    def joined_units(self) -> CombinedUnitsView[RelatedUnit]:
        """The remote units in this relation, in unit-number order."""
        names = sorted((u.name for u in self.model_relation.units), key=_unit_order)
        return CombinedUnitsView(RelatedUnit(self, name) for name in names)

    @property
    def units(self) -> CombinedUnitsView[RelatedUnit]:
        """Deprecated alias of :attr:`joined_units`."""
        return self.joined_units

    def _bag_of_unit(self, unit_name: str) -> Any:
        return self.model_relation.data[self.endpoint._model.get_unit(unit_name)]

    def _view(self, whose: str, writeable: bool) -> UnitDataView:
        model = self.endpoint._model
        rel = self.model_relation
        if whose == 'unit':
            return UnitDataView(lambda: rel.data[model.unit], writeable=writeable,
                                owner=f'the data of unit {model.unit.name} in relation '
                                      f'{self.relation_id}')
        if whose == 'app':
            return UnitDataView(lambda: rel.data[model.app], writeable=writeable,
                                owner=f'the data of application {model.app.name} in '
                                      f'relation {self.relation_id}')
        return UnitDataView(lambda: rel.data[rel.app], writeable=False,
                            owner=f'the data of remote application {self.application_name}'
                                  f' in relation {self.relation_id}')

    @cached_property
    def to_publish_raw(self) -> UnitDataView:
        """Our unit's data, as strings (``None`` deletes a key)."""
        return self._view('unit', True)

    @cached_property
    def to_publish(self) -> JSONUnitDataView:
        """Our unit's data, JSON-encoded on write and decoded on read."""
        return JSONUnitDataView(self.to_publish_raw)

    @cached_property
    def to_publish_app_raw(self) -> UnitDataView:
        """Our application's data, as strings (the leader writes it)."""
        return self._view('app', True)

    @cached_property
    def to_publish_app(self) -> JSONUnitDataView:
        """Our application's data, JSON views (the leader writes it)."""
        return JSONUnitDataView(self.to_publish_app_raw)

    @cached_property
    def received_app_raw(self) -> UnitDataView:
        """The remote application's data, as strings (read-only)."""
        return self._view('remote-app', False)

    @cached_property
    def received_app(self) -> JSONUnitDataView:
        """The remote application's data, JSON-decoded (read-only)."""
        return JSONUnitDataView(self.received_app_raw)

    def __repr__(self) -> str:
        return f'<Relation {self.relation_id}>'


class _DepartedUnits(CombinedUnitsView[RelatedUnit]):
    """:attr:`Endpoint.all_departed_units`: saved in the state store on every change."""

    def __init__(self, units: Iterable[RelatedUnit], save: Any):
        super().__init__(units)
        self._save = save

    def _changed(self) -> None:
        self._save([unit._serialize() for unit in self])

    def append(self, unit: RelatedUnit) -> None:
        super().append(unit)
        self._changed()

    def extend(self, units: Iterable[RelatedUnit]) -> None:
        super().extend(units)
        self._changed()

    def insert(self, index: Any, unit: RelatedUnit) -> None:
        super().insert(index, unit)
        self._changed()

    def remove(self, unit: RelatedUnit) -> None:
        super().remove(unit)
        self._changed()

    def pop(self, index: Any = -1) -> RelatedUnit:
        unit = super().pop(index)
        self._changed()
        return unit

    def clear(self) -> None:
        super().clear()
        self._changed()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._changed()

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._changed()
