"""Pebble's notices and identities: dataclasses, as ops has them.

Apart from the other records (:mod:`.pebble_records`) so that only a hook that reads a
notice or an identity loads :mod:`dataclasses`. Re-exported by :mod:`reactops.pebble`.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Literal

from . import timeconv
from .pebble_enums import IdentityAccess, NoticeType
from .pebble_infos import _enum_or_raw

if TYPE_CHECKING:
    from .pebble_dicts import BasicIdentityDict, IdentityDict, LocalIdentityDict
    from .pebble_types import _NoticeDict

__all__ = ['BasicIdentity', 'Identity', 'LocalIdentity', 'Notice']


@dataclasses.dataclass(frozen=True)
class Notice:
    """One notice: a (type, key) pair Pebble records each time it occurs, with its last data."""

    id: str
    user_id: int | None
    type: NoticeType | str
    key: str
    first_occurred: datetime.datetime
    last_occurred: datetime.datetime
    last_repeated: datetime.datetime
    occurrences: int
    last_data: dict[str, str] = dataclasses.field(default_factory=dict)
    repeat_after: datetime.timedelta | None = None
    expire_after: datetime.timedelta | None = None

    @classmethod
    def from_dict(cls, d: _NoticeDict) -> Notice:
        """Read Pebble's JSON (durations in Go's notation, e.g. ``1h30m``)."""
        repeat = d.get('repeat-after')
        expire = d.get('expire-after')
        return cls(
            id=d['id'], user_id=d.get('user-id'), type=_enum_or_raw(NoticeType, d['type']),
            key=d['key'],
            first_occurred=timeconv.parse_rfc3339(d['first-occurred']),
            last_occurred=timeconv.parse_rfc3339(d['last-occurred']),
            last_repeated=timeconv.parse_rfc3339(d['last-repeated']),
            occurrences=d['occurrences'], last_data=d.get('last-data') or {},
            repeat_after=timeconv.parse_duration(repeat) if repeat is not None else None,
            expire_after=timeconv.parse_duration(expire) if expire is not None else None,
        )


@dataclasses.dataclass
class LocalIdentity:
    """An identity that authenticates by the Unix user ID connecting to the socket."""

    user_id: int

    @classmethod
    def from_dict(cls, d: LocalIdentityDict) -> LocalIdentity:
        """Read Pebble's JSON."""
        return cls(user_id=d['user-id'])

    def to_dict(self) -> LocalIdentityDict:
        """The JSON Pebble expects."""
        return {'user-id': self.user_id}


@dataclasses.dataclass
class BasicIdentity:
    """An identity that authenticates by HTTP basic auth; ``password`` is sha512-crypt hashed.

    Pebble never sends the hash back (it reads ``*****``), and ``str()`` hides it too.
    """

    password: str

    @classmethod
    def from_dict(cls, d: BasicIdentityDict) -> BasicIdentity:
        """Read Pebble's JSON."""
        return cls(password=d['password'])

    def to_dict(self) -> BasicIdentityDict:
        """The JSON Pebble expects."""
        return {'password': self.password}

    def __str__(self) -> str:
        return f"{type(self).__name__}(password='*****')"


@dataclasses.dataclass
class Identity:
    """A named client of Pebble and its access level; it needs a local or a basic identity."""

    access: IdentityAccess | Literal['untrusted', 'metrics', 'read', 'admin']
    local: LocalIdentity | None = None
    basic: BasicIdentity | None = None

    def __post_init__(self) -> None:
        if self.local is None and self.basic is None:
            raise ValueError('at least one of "local" or "basic" must be provided')

    @classmethod
    def from_dict(cls, d: IdentityDict) -> Identity:
        """Read Pebble's JSON; an access level this client does not know is kept as given."""
        local = d.get('local')
        basic = d.get('basic')
        return cls(
            access=_enum_or_raw(IdentityAccess, d['access']),
            local=LocalIdentity.from_dict(local) if local is not None else None,
            basic=BasicIdentity.from_dict(basic) if basic is not None else None,
        )

    def to_dict(self) -> IdentityDict:
        """The JSON Pebble expects."""
        d: IdentityDict = {'access': str(self.access)}  # type: ignore[typeddict-item]
        if self.local is not None:
            d['local'] = self.local.to_dict()
        if self.basic is not None:
            d['basic'] = self.basic.to_dict()
        return d
