"""``charms.reactive.relations`` under reactops: ``RelationBase``, conversations, lookups.

``RelationBase``, ``Conversation`` and ``scopes`` are reactops' own
(:mod:`reactops.reactive.relations`). As in charms.reactive, ``relation_from_flag`` and
``relation_from_name`` are the Endpoint lookups (they find a ``RelationBase`` too), and
:class:`RelationFactory` is the base both kinds count as.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar

from ...reactive._conversations import TOGGLE
from ...reactive.endpoint import Endpoint, endpoint_from_flag, endpoint_from_name
from ...reactive.relations import (
    Conversation,
    RelationBase,
    relation_factory_for,
    scopes,
)
from .._errors import unsupported

__all__ = ['ALL', 'TOGGLE', 'AutoAccessors', 'Conversation', 'RelationBase',
           'RelationFactory', 'endpoint_from_flag', 'endpoint_from_name', 'relation_call',
           'relation_factory', 'relation_from_flag', 'relation_from_name',
           'relation_from_state', 'scopes']

#: charms.reactive's marker for "every conversation" (kept for code that names it).
ALL: Any = object()

#: charms.reactive's entry-point group of relation factories from installed packages.
FACTORY_ENTRY_POINTS = 'charms.reactive.relation_factory'

relation_from_flag = endpoint_from_flag
relation_from_state = endpoint_from_flag
relation_from_name = endpoint_from_name


class RelationFactory(abc.ABC):  # noqa: B024 - its methods are overridden, not abstract
    """What makes the object an interface layer gives a relation: an ``Endpoint`` or
    ``RelationBase`` subclass (both count as subclasses), or a factory an installed
    package declares under the ``charms.reactive.relation_factory`` entry points."""

    _factories: ClassVar[list[Any]] = []
    _discovered: ClassVar[bool] = False

    @classmethod
    def discover(cls) -> None:
        """Load the factories installed packages declare (done on first use)."""
        from ...reactive._entry_points import entry_points  # not importlib.metadata

        RelationFactory._discovered = True
        for entry in entry_points(FACTORY_ENTRY_POINTS):
            factory = entry.load()
            factory.load()
            RelationFactory._factories.append(factory)

    @classmethod
    def get_factory(cls, relation_name: str) -> Any:
        """The installed factory that knows relation *relation_name*, if any."""
        if not RelationFactory._discovered:
            RelationFactory.discover()
        for factory in RelationFactory._factories:
            if factory.from_name(relation_name):
                return factory
        return None

    @classmethod
    def from_name(cls, relation_name: str) -> Any:
        """The object for relation *relation_name* (subclasses say how)."""
        raise NotImplementedError(f'{cls.__name__}.from_name')

    @classmethod
    def from_flag(cls, flag: str) -> Any:
        """The object for the relation a set *flag* belongs to (subclasses say how)."""
        raise NotImplementedError(f'{cls.__name__}.from_flag')


RelationFactory.register(Endpoint)
RelationFactory.register(RelationBase)


def relation_factory(relation_name: str) -> Any:
    """The class (or installed factory) that makes relation *relation_name*'s object:
    the charm's interface layer's Endpoint or RelationBase subclass; ``None`` if none."""
    factory = RelationFactory.get_factory(relation_name)
    if factory is not None:
        return factory
    endpoint = endpoint_from_name(relation_name)
    if isinstance(endpoint, Endpoint):
        return type(endpoint)
    return relation_factory_for(relation_name)


def _accessor(field: str) -> Callable[[Any], Any]:
    def accessor(self: Any) -> Any:
        return self.get_remote(field)
    accessor.__name__ = accessor.__qualname__ = field.replace('-', '_')
    accessor.__doc__ = f'Get the {field}, if available, or None.'
    return accessor


class AutoAccessors(type):
    """A metaclass that gives a class one method per name in its ``auto_accessors``
    (``'private-address'`` becomes ``private_address()``, returning
    ``self.get_remote('private-address')``). reactops' ``RelationBase`` does this itself."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
        for field in namespace.get('auto_accessors', []):
            method = _accessor(field)
            method.__module__ = namespace.get('__module__', method.__module__)
            namespace[method.__name__] = method
        return super().__new__(mcs, name, bases, namespace)


def relation_call(method: str, relation_name: str | None = None, flag: str | None = None,
                  state: str | None = None, *args: Any) -> Any:
    """Call *method* of the object of a relation, found by *relation_name* or by a set
    *flag* (*state*); for ``conversations`` of a RelationBase, their scopes."""
    key = relation_name or flag or state
    if relation_name:
        relation = endpoint_from_name(relation_name)
    elif key:
        relation = endpoint_from_flag(key)
    else:
        raise ValueError('relation_call needs relation_name or flag')
    if relation is None:
        raise ValueError(f'Relation not found: {key}')
    result = getattr(relation, method)(*args)
    if isinstance(relation, RelationBase) and method == 'conversations':
        return [conversation.scope for conversation in result]
    return result


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.relations', name)
