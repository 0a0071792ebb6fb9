"""``charms.reactive.endpoints`` under reactops: ``Endpoint`` and its views."""

from __future__ import annotations

from typing import Any

from ...reactive._endpoint_views import (
    CombinedUnitsView,
    JSONUnitDataView,
    KeyList,
    UnitDataView,
)
from ...reactive.endpoint import Endpoint, RelatedUnit, Relation
from .._errors import unsupported

__all__ = ['CombinedUnitsView', 'Endpoint', 'JSONUnitDataView', 'KeyList', 'RelatedUnit',
           'Relation', 'UnitDataView']


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.endpoints', name)
