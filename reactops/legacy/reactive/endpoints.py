"""``charms.reactive.endpoints`` under reactops: ``Endpoint`` and its views (reactops' own),
and :class:`CachedKeyList`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex

from ...reactive._endpoint_views import (
    CombinedUnitsView,
    JSONUnitDataView,
    KeyList,
    UnitDataView,
)
from ...reactive.endpoint import Endpoint, RelatedUnit, Relation
from .._errors import unsupported

__all__ = ['CachedKeyList', 'CombinedUnitsView', 'Endpoint', 'JSONUnitDataView', 'KeyList',
           'RelatedUnit', 'Relation', 'UnitDataView']


class CachedKeyList(KeyList[Any]):
    """A :class:`KeyList` kept in the unit's key-value store under *cache_key*: every
    change saves the items (each item's ``_serialize()``), and :meth:`load` reads them
    back in a later hook. (An endpoint's ``all_departed_units`` is such a list.)"""

    def __init__(self, cache_key: str, items: Iterable[Any], key_attr: str):
        super().__init__(items, key_attr)
        self._cache_key = cache_key

    @classmethod
    def load(cls, cache_key: str, deserializer: Callable[[Any], Any],
             key_attr: str) -> CachedKeyList:
        """The list saved under *cache_key*, each item made by *deserializer*."""
        from .. import unitdata

        saved = unitdata.kv().get(cache_key) or []
        return cls(cache_key, [deserializer(item) for item in saved], key_attr)

    def _save(self) -> None:
        from .. import unitdata

        unitdata.kv().set(self._cache_key, [item._serialize() for item in self])

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._save()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._save()

    def pop(self, index: SupportsIndex = -1) -> Any:
        """Remove and return the item at *index* (the last by default)."""
        item = super().pop(index)
        self._save()
        return item

    def remove(self, value: Any) -> None:
        """Remove the first item equal to *value*."""
        super().remove(value)
        self._save()

    def clear(self) -> None:
        """Remove every item."""
        super().clear()
        self._save()

    def append(self, value: Any) -> None:
        """Add *value* at the end."""
        super().append(value)
        self._save()

    def extend(self, values: Iterable[Any]) -> None:
        """Add every item of *values* at the end."""
        super().extend(values)
        self._save()


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.endpoints', name)
