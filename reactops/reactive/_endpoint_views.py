"""The data views and lists an :class:`~reactops.reactive.endpoint.Endpoint` hands out.

They are thin layers over :mod:`reactops.model`: a view reads its bag through a
:class:`~reactops.model.RelationDataContent` (one ``relation-get`` on first read, cached
for the dispatch) and writes through it (buffered, one ``relation-set`` per changed bag
when the dispatch commits, only the changed keys, nothing when the hook fails).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping

from .._private import fastjson
from .._private.typing import TYPE_CHECKING, TypeVar, overload
from ..errors import ReactiveError, RelationDataTypeError

if TYPE_CHECKING:
    from typing import Any, SupportsIndex

__all__ = ['CombinedUnitsView', 'EndpointDataWriteError', 'JSONUnitDataView', 'KeyList',
           'UnitDataView']

_T = TypeVar('_T')


class EndpointDataWriteError(ReactiveError, ValueError):
    """Charm code wrote to a data view it cannot write: a remote unit's or application's
    bag (``received``), or a merged or departed view. Write to ``to_publish`` instead."""


class KeyList(list[_T]):
    """A list whose items can also be looked up by a key attribute.

    ``relations[0]`` is the first relation, ``relations['db:1']`` the relation whose
    ``relation_id`` is ``'db:1'`` (the first match). ``x in keylist`` matches items and keys.
    """

    def __init__(self, items: Iterable[_T] = (), key: str = 'key'):
        super().__init__(items)
        self._key = key

    @overload
    def __getitem__(self, index: SupportsIndex) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> list[_T]: ...
    @overload
    def __getitem__(self, index: str) -> _T: ...

    def __getitem__(self, index: SupportsIndex | slice | str) -> _T | list[_T]:
        if isinstance(index, str):
            for item in self:
                if getattr(item, self._key) == index:
                    return item
            known = ', '.join(map(repr, self.keys())) or 'none'
            raise KeyError(f'no item with {self._key} {index!r} (known: {known})')
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        return super().__contains__(item) or item in self.keys()

    def keys(self) -> list[Any]:
        """The key of each item, in order (a key may repeat)."""
        return [getattr(item, self._key) for item in self]

    def values(self) -> list[_T]:
        """The items, in order."""
        return list(self)

    def items(self) -> list[tuple[Any, _T]]:
        """``(key, item)`` pairs, in order."""
        return [(getattr(item, self._key), item) for item in self]


class CombinedUnitsView(KeyList[_T]):
    """Related units (keyed by ``unit_name``) with their data merged.

    :attr:`received` and :attr:`received_raw` merge every unit's data; where units
    disagree on a key, the first unit in the list wins (lowest relation id, then unit).
    """

    def __init__(self, items: Iterable[_T] = ()):
        super().__init__(items, key='unit_name')

    @property
    def received_raw(self) -> UnitDataView:
        """Every unit's raw data merged into one read-only view."""
        merged: dict[str, str] = {}
        units: list[Any] = list(self)
        for unit in units:
            for key, value in unit.received_raw.items():
                merged.setdefault(key, value)
        return UnitDataView(merged, owner='the merged data of the joined units')

    @property
    def received(self) -> JSONUnitDataView:
        """Every unit's data, JSON-decoded, merged into one read-only view."""
        return JSONUnitDataView(self.received_raw)


def _raw_value(key: str, value: object, owner: str) -> str:
    """What a raw write sends: strings as they are; ``None`` deletes (``''``); numbers and
    booleans as Juju's YAML would show them (charms.reactive passed them to YAML)."""
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int | float):
        return str(value)
    # The value is never quoted: it may be a password or a secret's content.
    raise RelationDataTypeError(f'relation data values are strings: {key!r} holds a '
                                f'{type(value).__name__} in {owner}; encode it, or write it '
                                f'to the JSON view (to_publish) instead of the raw one')


class UnitDataView(MutableMapping[str, 'Any']):
    """One data bag as strings: missing keys read ``None``.

    A writeable view (our unit's or, for the leader, our application's bag) records each
    write at once and sends it when the dispatch commits; ``None`` or ``''`` deletes a
    key. Any other view raises :class:`EndpointDataWriteError` on write.
    """

    def __init__(self, data: Mapping[str, str] | Callable[[], Mapping[str, str]], *,
                 owner: str, writeable: bool = False):
        self._data = data
        self._owner = owner
        self.writeable = writeable
        self._modified = False

    @property
    def data(self) -> Mapping[str, str]:
        """The bag itself (charms.reactive's name for it)."""
        return self._bag()

    @property
    def modified(self) -> bool:
        """Whether something was written through this view."""
        return self._modified

    def _bag(self) -> Mapping[str, str]:
        # A callable is called on first use: building a view reads nothing.
        if callable(self._data):
            self._data = self._data()
        return self._data

    @property
    def owner(self) -> str:
        """Whose bag this is, as error messages name it."""
        return self._owner

    def __getitem__(self, key: str) -> str | None:
        return self._bag().get(key)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of *key*, or *default* when it is missing."""
        value = self._bag().get(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return key in self._bag()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._bag()))

    def __len__(self) -> int:
        return len(self._bag())

    def _refuse(self) -> EndpointDataWriteError:
        return EndpointDataWriteError(
            f'cannot write {self._owner}: it is read-only here (data a remote unit or '
            f'application published, or a merged or departed view); publish through '
            f'relation.to_publish / to_publish_raw (or to_publish_app as the leader)')

    def _writer(self) -> MutableMapping[str, str]:
        if not self.writeable:
            raise self._refuse()
        bag = self._bag()
        assert isinstance(bag, MutableMapping)
        # Read the bag before the first write (one relation-get, as charms.reactive did),
        # so the model sends only the keys whose value really changes.
        len(bag)
        return bag

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        self.update({key: None})

    def update(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),  # type: ignore[override]
               /, **kwargs: Any) -> None:
        """Write several keys (``None`` deletes one)."""
        writer = self._writer()
        merged = dict(data, **kwargs)
        writer.update({key: _raw_value(key, value, self._owner)
                       for key, value in merged.items()})
        self._modified = True

    def __repr__(self) -> str:
        return f'<{type(self).__name__} of {self._owner}: {dict(self._bag())!r}>'


def _decode(raw: str | None) -> Any:
    if raw is None:
        return None
    if not _may_be_json(raw.strip(_JSON_SPACE)):
        return raw  # a plain string published raw (an address, a name): as it is
    try:
        return fastjson.loads(raw)
    except ValueError:
        return raw  # not JSON after all: as it is


_JSON_SPACE = ' \t\n\r'
_JSON_WORDS = frozenset(('true', 'false', 'null', 'NaN', 'Infinity', '-Infinity'))
_JSON_CLOSING = {'{': '}', '[': ']', '"': '"'}
_NUMBER_CHARS = frozenset('0123456789+-.eE')


def _may_be_json(text: str) -> bool:
    """False for *text* that cannot be one JSON value (``10.0.0.1``, ``db-0.example``),
    which is most raw relation data: parsing it would fail, and the failure would import
    ``json`` (and ``re``) to build its error."""
    if not text:
        return False
    first = text[0]
    if first in _JSON_CLOSING:
        return len(text) > 1 and text[-1] == _JSON_CLOSING[first]
    if text in _JSON_WORDS:
        return True
    return (first in '-0123456789' and text.count('.') <= 1
            and all(c in _NUMBER_CHARS for c in text))


def _encode(key: str, value: object, owner: str) -> str:
    # Standard JSON only (no NaN or Infinity): the other side may not be Python.
    try:
        return fastjson.dumps(value, sort_keys=True, separators=(', ', ': '), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise RelationDataTypeError(
            f'cannot publish {key!r} in {owner}: {e}; the JSON view takes values standard '
            'JSON can carry (str, int, finite float, bool, None, lists and str-keyed dicts '
            'of them)') from None


class JSONUnitDataView(MutableMapping[str, 'Any']):
    """A data bag with JSON values: reads decode (falling back to the raw string, missing
    keys read ``None``); writes encode with ``json.dumps(value, sort_keys=True)``, so
    ``None`` is published as ``null``. :attr:`raw_data` is the underlying raw view."""

    def __init__(self, raw: UnitDataView):
        self.raw_data = raw

    @property
    def writeable(self) -> bool:
        """Whether writes are allowed (our own bags)."""
        return self.raw_data.writeable

    @property
    def data(self) -> UnitDataView:
        """The raw view (charms.reactive's name for :attr:`raw_data`)."""
        return self.raw_data

    @property
    def modified(self) -> bool:
        """Whether something was written through this view."""
        return self.raw_data.modified

    def __getitem__(self, key: str) -> Any:
        return _decode(self.raw_data[key])

    def get(self, key: str, default: Any = None) -> Any:
        """The decoded value of *key*, or *default* when it is missing."""
        value = self[key]
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return key in self.raw_data

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw_data)

    def __len__(self) -> int:
        return len(self.raw_data)

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        self.raw_data.update({key: None})

    def update(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),  # type: ignore[override]
               /, **kwargs: Any) -> None:
        """Write several keys, each JSON-encoded."""
        if not self.raw_data.writeable:
            raise self.raw_data._refuse()
        merged = dict(data, **kwargs)
        self.raw_data.update({key: _encode(key, value, self.raw_data.owner)
                              for key, value in merged.items()})

    def __repr__(self) -> str:
        return f'<JSONUnitDataView of {self.raw_data.owner}: {dict(self.items())!r}>'
