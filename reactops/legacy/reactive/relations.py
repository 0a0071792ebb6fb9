"""``charms.reactive.relations`` under reactops: ``RelationBase``, conversations, lookups."""

from __future__ import annotations

from typing import Any

from ...reactive.endpoint import endpoint_from_flag, endpoint_from_name
from ...reactive.relations import (
    Conversation,
    RelationBase,
    relation_factory_for,
    relation_from_flag,
    relation_from_name,
    relation_from_state,
    scopes,
)
from .._errors import unsupported

__all__ = ['Conversation', 'RelationBase', 'endpoint_from_flag', 'endpoint_from_name',
           'relation_factory', 'relation_from_flag', 'relation_from_name',
           'relation_from_state', 'scopes']


def relation_factory(relation_name: str) -> Any:
    """The interface class (Endpoint or RelationBase subclass) for a relation name."""
    from ...reactive.endpoint import endpoint_from_name as _from_name

    endpoint = _from_name(relation_name)
    if endpoint is not None:
        return type(endpoint)
    return relation_factory_for(relation_name)


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.relations', name)
