"""Relations and secrets as a :class:`~reactops.testing.State` holds them.

A relation is described from this unit's side: our two bags (``local_app_data``,
``local_unit_data``) and what the other side wrote. A secret holds the revision this unit
tracks and, for owners and peekers, the latest one.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import random
import string
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, NoReturn

from ._state_parts import _check_name, _list_of_str, _set
from .errors import StateValidationError

__all__ = ['PeerRelation', 'Relation', 'RelationBase', 'Secret', 'SubordinateRelation']

_DEFAULT_IP = '192.0.2.0'

#: What Juju puts in every unit's bag of a new relation (the unit's address).
_DEFAULT_JUJU_DATABAG: dict[str, str] = {
    'egress-subnets': _DEFAULT_IP, 'ingress-address': _DEFAULT_IP,
    'private-address': _DEFAULT_IP}

_next_relation_id_counter = 1


def _next_relation_id(*, update: bool = True) -> int:
    """The id the next relation will get (taken only with *update*)."""
    global _next_relation_id_counter
    current = _next_relation_id_counter
    if update:
        _next_relation_id_counter += 1
    return current


def _default_unit_bag() -> dict[str, str]:
    return dict(_DEFAULT_JUJU_DATABAG)


@dataclasses.dataclass(frozen=True)
class RelationBase:
    """What every relation has: an endpoint, an interface, an id and our own two bags.

    Use :class:`Relation`, :class:`PeerRelation` or :class:`SubordinateRelation`. The
    interface, when left out, is the one the metadata gives the endpoint.
    """

    endpoint: str
    interface: str | None = None
    _: dataclasses.KW_ONLY
    id: int = dataclasses.field(default_factory=_next_relation_id)
    local_app_data: dict[str, str] = dataclasses.field(default_factory=dict)
    local_unit_data: dict[str, str] = dataclasses.field(default_factory=_default_unit_bag)

    @property
    def relation_id(self) -> NoReturn:
        """Not this: use :attr:`id`."""
        raise AttributeError('use .id instead of .relation_id')

    @property
    def _databags(self) -> Iterator[Mapping[str, str]]:
        yield self.local_app_data
        yield self.local_unit_data

    def replace(self, **changes: Any) -> Any:
        """reactops: a copy with *changes* (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    @property
    def remote_app(self) -> str:
        """reactops: the application on the other side ('' for peers: our own)."""
        return str(getattr(self, 'remote_app_name', ''))

    def remote_units(self) -> dict[str, Mapping[str, str]]:
        """reactops: each remote unit's name and bag (peers by number only)."""
        prefix = f'{self.remote_app}/' if self.remote_app else ''
        return {f'{prefix}{n}': self._get_databag_for_remote(n)
                for n in sorted(self._remote_unit_ids)}

    @property
    def _remote_unit_ids(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _get_databag_for_remote(self, unit_id: int) -> Mapping[str, str]:
        raise NotImplementedError

    def __post_init__(self) -> None:
        if type(self) is RelationBase:
            raise RuntimeError('RelationBase cannot be instantiated directly; please use '
                               'Relation, PeerRelation, or SubordinateRelation')
        _check_name(self.endpoint, 'relation endpoint')
        for bag in self._databags:
            if not isinstance(bag, dict):
                raise StateValidationError(f'all databags should be dicts, not {type(bag)}')
            for value in bag.values():
                if not isinstance(value, str):
                    raise StateValidationError(f'all databags should be Dict[str,str]; '
                                               f'found a value of type {type(value)}')
        # Our own copies: a caller changing its dict later must not change the state.
        for name, value in list(self.__dict__.items()):
            if isinstance(value, dict | list):
                object.__setattr__(self, name, copy.deepcopy(value))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Relation(RelationBase):
    """A regular relation to another application; ``remote_units_data`` maps each remote
    unit number to its bag."""

    remote_app_name: str = 'remote'
    limit: int = 1
    remote_app_data: dict[str, str] = dataclasses.field(default_factory=dict)
    remote_units_data: dict[int, dict[str, str]] = dataclasses.field(
        default_factory=lambda: {0: _default_unit_bag()})
    remote_model_uuid: str | None = None

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def _remote_app_name(self) -> str:
        return self.remote_app_name

    @property
    def _remote_unit_ids(self) -> tuple[int, ...]:
        return tuple(self.remote_units_data)

    def _get_databag_for_remote(self, unit_id: int) -> Mapping[str, str]:
        return self.remote_units_data[unit_id]

    @property
    def _databags(self) -> Iterator[Mapping[str, str]]:
        yield self.local_app_data
        yield self.local_unit_data
        yield self.remote_app_data
        yield from self.remote_units_data.values()


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubordinateRelation(RelationBase):
    """A container-scoped relation between a subordinate and its principal: one remote
    unit, ``remote_app_name/remote_unit_id``."""

    remote_app_data: dict[str, str] = dataclasses.field(default_factory=dict)
    remote_unit_data: dict[str, str] = dataclasses.field(default_factory=_default_unit_bag)
    remote_app_name: str = 'remote'
    remote_unit_id: int = 0

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def _remote_app_name(self) -> str:
        return self.remote_app_name

    @property
    def _remote_unit_ids(self) -> tuple[int, ...]:
        return (self.remote_unit_id,)

    def _get_databag_for_remote(self, unit_id: int) -> Mapping[str, str]:
        if unit_id != self.remote_unit_id:
            raise ValueError(f'invalid unit id ({unit_id}): subordinate relation only has one '
                             f'remote and that has id {self.remote_unit_id}')
        return self.remote_unit_data

    @property
    def _databags(self) -> Iterator[Mapping[str, str]]:
        yield self.local_app_data
        yield self.local_unit_data
        yield self.remote_app_data
        yield self.remote_unit_data

    @property
    def remote_unit_name(self) -> str:
        """The unit on the other side, ``<app>/<id>``."""
        return f'{self.remote_app_name}/{self.remote_unit_id}'


@dataclasses.dataclass(frozen=True, kw_only=True)
class PeerRelation(RelationBase):
    """A relation among the units of our own application; ``peers_data`` maps each other
    unit's number to its bag (this unit's bag is ``local_unit_data``)."""

    peers_data: dict[int, dict[str, str]] = dataclasses.field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def _databags(self) -> Iterator[Mapping[str, str]]:
        yield self.local_app_data
        yield self.local_unit_data
        yield from self.peers_data.values()

    @property
    def _remote_unit_ids(self) -> tuple[int, ...]:
        return tuple(self.peers_data)

    def _get_databag_for_remote(self, unit_id: int) -> Mapping[str, str]:
        return self.peers_data[unit_id]


def _generate_secret_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return 'secret:' + ''.join(random.choice(alphabet) for _ in range(20))


def _check_content(content: object, name: str) -> None:
    if not isinstance(content, dict):
        raise StateValidationError(f'Secret.{name} should be a dict, not {type(content)}')
    if not content:
        raise StateValidationError(f'Secret.{name} must not be empty; Juju requires at '
                                   f'least one key')
    bad = {k: v for k, v in content.items() if not isinstance(k, str)
           or not isinstance(v, str)}
    if bad:
        raise StateValidationError(f'Secret.{name} should be dict[str, str]; found '
                                   f'non-string key(s)/value(s): {bad}')


@dataclasses.dataclass(frozen=True, init=False)
class Secret:
    """A Juju secret this unit can see, as owner (``owner='unit'``/``'app'``) or grantee.

    ``tracked_content`` is what ``get_content()`` returns; ``latest_content`` (defaults
    to it) what ``refresh=True`` or ``peek()`` returns.
    """

    tracked_content: dict[str, str]
    latest_content: dict[str, str]
    id: str
    owner: Literal['unit', 'app'] | None
    remote_grants: Mapping[int, frozenset[str]]
    label: str | None
    description: str | None
    expire: datetime.datetime | None
    rotate: Any
    # Revisions are not fields: they are not compared and not given by tests.
    _tracked_revision = 1
    _latest_revision = 1

    def __init__(self, tracked_content: Mapping[str, str], *,
                 latest_content: Mapping[str, str] | None = None, id: str | None = None,
                 owner: Literal['unit', 'app'] | None = None,
                 remote_grants: Mapping[int, Iterable[str]] | None = None,
                 label: str | None = None, description: str | None = None,
                 expire: datetime.datetime | None = None, rotate: Any = None):
        _check_content(tracked_content, 'tracked_content')
        if latest_content is not None:
            _check_content(latest_content, 'latest_content')
        grants = {rid: frozenset(_list_of_str(units, f'remote_grants[{rid!r}]'))
                  for rid, units in (remote_grants or {}).items()}
        _set(self, tracked_content=dict(tracked_content),
             latest_content=dict(latest_content if latest_content is not None
                                 else tracked_content),
             id=id if id is not None else _generate_secret_id(), owner=owner,
             remote_grants=grants, label=label, description=description, expire=expire,
             rotate=rotate, _tracked_revision=1, _latest_revision=1)

    def __hash__(self) -> int:
        return hash(self.id)
