"""StoredState: attributes of an Object that survive from one hook to the next.

Declare ``_stored = StoredState()`` on a charm or library class; each instance then has
its own persistent namespace, saved to the state store when the dispatch commits (and
not at all if the dispatch fails). Values may be ``None``, ``bool``, ``int``, ``float``,
``str``, ``bytes``, lists, tuples, dicts, sets and frozensets of those; lists, dicts and
sets come back wrapped (:class:`StoredList`, :class:`StoredDict`, :class:`StoredSet`) so
that changing them in place is noticed and saved.

Re-exported by :mod:`reactops.framework`.
"""

from __future__ import annotations

from collections.abc import (
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    MutableSequence,
    MutableSet,
    Set,
)

from ._private import codec as _codec
from ._private.pubname import public_module
from ._private.typing import TYPE_CHECKING, overload
from .errors import NoSnapshotError
from .framework import Object

if TYPE_CHECKING:
    from typing import Any

    from .framework import CommitEvent

__all__ = [
    'BoundStoredState',
    'StoredDict',
    'StoredList',
    'StoredSet',
    'StoredState',
    'StoredStateData',
]

_ALLOWED_TYPES = (type(None), bool, int, float, str, bytes, dict, list, tuple, set, frozenset)


class StoredStateData(Object):
    """The persisted mapping behind one :class:`StoredState` attribute of one object.

    Its handle is ``<owner>/StoredStateData[<attribute name>]``, the path ops uses, and
    it saves itself on the framework's commit event when something changed.
    """

    def __init__(self, parent: Object, attr_name: str):
        super().__init__(parent, attr_name)
        self._cache: dict[str, Any] = {}
        self.dirty = False

    def __getitem__(self, key: str) -> Any:
        return self._cache[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._cache[key] = value
        self.dirty = True

    def __contains__(self, key: object) -> bool:
        return key in self._cache

    def snapshot(self) -> dict[str, Any]:
        """Return the stored values (saved as JSON)."""
        return self._cache

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Load the stored values from a snapshot."""
        self._cache = snapshot
        self.dirty = False

    def on_commit(self, event: CommitEvent) -> None:
        """Save the values if anything changed during this dispatch."""
        if self.dirty:
            self.framework.save_snapshot(self)
            self.dirty = False


class BoundStoredState:
    """One object's stored attributes: what ``self._stored`` is on an instance."""

    if TYPE_CHECKING:
        # Any attribute may be stored; type checkers should not complain.
        def __getattr__(self, key: str) -> Any: ...

    def __init__(self, parent: Object, attr_name: str):
        framework = parent.framework
        framework.register_type(StoredStateData, parent, StoredStateData.handle_kind)
        handle = parent.handle.nest(StoredStateData.handle_kind, attr_name)
        try:
            data = framework.load_snapshot(handle)
        except NoSnapshotError:
            data = StoredStateData(parent, attr_name)
        self.__dict__['_data'] = data
        self.__dict__['_attr_name'] = attr_name
        framework.observe(framework.on.commit, data.on_commit)

    if not TYPE_CHECKING:

        def __getattr__(self, key: str) -> Any:
            if key == 'on':
                raise AttributeError("attribute 'on' is reserved")
            data: StoredStateData = self.__dict__['_data']
            if key not in data:
                # Set it first, or give it a default with set_default(key=...).
                raise AttributeError(f"attribute '{key}' is not stored")
            return _wrap(data, data[key])

    def __setattr__(self, key: str, value: Any) -> None:
        if key == 'on':
            raise AttributeError("attribute 'on' is reserved and cannot be set")
        data: StoredStateData = self.__dict__['_data']
        value = _unwrap(value)
        if not isinstance(value, _ALLOWED_TYPES):
            # None, bool, int, float, str, bytes, list, tuple, dict, set and frozenset.
            raise AttributeError(f'attribute {key!r} cannot be a {type(value).__name__}: '
                                 'must be int/float/dict/list/etc')
        _codec.check(value, where=f'{data.handle.path}.{key}')
        data[key] = value

    def set_default(self, **kwargs: Any) -> None:
        """Set each attribute that has no stored value yet."""
        data: StoredStateData = self.__dict__['_data']
        for key, value in kwargs.items():
            if key not in data:
                setattr(self, key, value)


class StoredState:
    """Declare persistent attributes on an Object class: ``_stored = StoredState()``.

    One StoredState belongs to one attribute of one class (and its subclasses); using it
    from an unrelated class, or under two names, raises :class:`RuntimeError` on access.
    """

    def __init__(self) -> None:
        self.parent_type: type[Any] | None = None
        self.attr_name: str | None = None

    @overload
    def __get__(self, parent: None, parent_type: type[Any]) -> StoredState: ...

    @overload
    def __get__(self, parent: Object, parent_type: type[Any]) -> BoundStoredState: ...

    def __get__(self, parent: Object | None,
                parent_type: type[Any]) -> StoredState | BoundStoredState:
        if self.parent_type is not None and self.parent_type not in parent_type.__mro__:
            raise RuntimeError(f'StoredState shared by {self.parent_type.__name__} and '
                               f'{parent_type.__name__}')
        if parent is None:
            return self
        if self.attr_name is not None:
            cached = parent.__dict__.get(self.attr_name)
            if isinstance(cached, BoundStoredState):
                return cached
        # The first access from this instance: find the attribute's name on the class.
        found = [(cls, name) for cls in parent_type.__mro__
                 for name, value in vars(cls).items() if value is self]
        if not found:
            raise AttributeError(f'cannot find {type(self).__name__} attribute in type '
                                 f'{parent_type.__name__}')
        if len(found) > 1:
            (first_cls, first), (_, second) = found[:2]
            raise RuntimeError(f'StoredState shared by {first_cls.__name__}.{first} and '
                               f'{first_cls.__name__}.{second}')
        self.parent_type, self.attr_name = found[0]
        bound = BoundStoredState(parent, self.attr_name)
        # Cached on the instance: the descriptor has no __set__, so this wins next time.
        parent.__dict__[self.attr_name] = bound
        return bound


def _repr(wrapper: object, under: object) -> str:
    """``ops.framework.StoredDict({'a': 1})``, or ``...StoredDict()`` when empty."""
    name = f'{public_module("reactops.framework")}.{type(wrapper).__name__}'
    return f'{name}({under!r})' if under else f'{name}()'


def _wrap(data: StoredStateData, value: Any) -> Any:
    if isinstance(value, dict):
        return StoredDict(data, value)
    if isinstance(value, list):
        return StoredList(data, value)
    if isinstance(value, set):
        return StoredSet(data, value)
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, (StoredDict, StoredList, StoredSet)):
        return value._under
    return value


def _checked(data: StoredStateData, value: Any, where: str) -> Any:
    value = _unwrap(value)
    _codec.check(value, where=f'{data.handle.path} {where}')
    return value


class StoredDict(MutableMapping['Any', 'Any']):
    """A dict held in stored state; changes mark the state for saving."""

    def __init__(self, stored_data: StoredStateData, under: dict[Any, Any]):
        self._stored_data = stored_data
        self._under = under

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._stored_data, self._under[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._under[key] = _checked(self._stored_data, value, f'[{key!r}]')
        self._stored_data.dirty = True

    def __delitem__(self, key: Any) -> None:
        del self._under[key]
        self._stored_data.dirty = True

    def __iter__(self) -> Iterator[Any]:
        return iter(self._under)

    def __len__(self) -> int:
        return len(self._under)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredDict):
            return self._under == other._under
        if isinstance(other, Mapping):
            return self._under == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _repr(self, self._under)


class StoredList(MutableSequence['Any']):
    """A list held in stored state; changes mark the state for saving."""

    def __init__(self, stored_data: StoredStateData, under: list[Any]):
        self._stored_data = stored_data
        self._under = under

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return _wrap(self._stored_data, self._under[index])

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            value = [_checked(self._stored_data, item, f'[{index!r}]') for item in value]
        else:
            value = _checked(self._stored_data, value, f'[{index!r}]')
        self._under[index] = value
        self._stored_data.dirty = True

    def __delitem__(self, index: int | slice) -> None:
        del self._under[index]
        self._stored_data.dirty = True

    def __len__(self) -> int:
        return len(self._under)

    def insert(self, index: int, value: Any) -> None:
        """Insert *value* before *index*."""
        self._under.insert(index, _checked(self._stored_data, value, f'[{index!r}]'))
        self._stored_data.dirty = True

    def append(self, value: Any) -> None:
        """Append *value* at the end."""
        self._under.append(_checked(self._stored_data, value, f'[{len(self._under)}]'))
        self._stored_data.dirty = True

    def _plain(self, other: object) -> list[Any] | None:
        if isinstance(other, StoredList):
            return other._under
        if isinstance(other, list):
            return other
        return None

    def __eq__(self, other: object) -> bool:
        plain = self._plain(other)
        return NotImplemented if plain is None else self._under == plain

    def __lt__(self, other: object) -> bool:
        plain = self._plain(other)
        return NotImplemented if plain is None else self._under < plain

    def __le__(self, other: object) -> bool:
        plain = self._plain(other)
        return NotImplemented if plain is None else self._under <= plain

    def __gt__(self, other: object) -> bool:
        plain = self._plain(other)
        return NotImplemented if plain is None else self._under > plain

    def __ge__(self, other: object) -> bool:
        plain = self._plain(other)
        return NotImplemented if plain is None else self._under >= plain

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _repr(self, self._under)


class StoredSet(MutableSet['Any']):
    """A set held in stored state; changes mark the state for saving."""

    def __init__(self, stored_data: StoredStateData, under: set[Any]):
        self._stored_data = stored_data
        self._under = under

    def add(self, value: Any) -> None:
        """Add *value* to the set."""
        # The member is named by its type: its value may be a password.
        self._under.add(_checked(self._stored_data, value,
                                 f'{{{type(value).__name__} member}}'))
        self._stored_data.dirty = True

    def discard(self, value: Any) -> None:
        """Remove *value* if present."""
        self._under.discard(value)
        self._stored_data.dirty = True

    def __contains__(self, value: object) -> bool:
        return value in self._under

    def __iter__(self) -> Iterator[Any]:
        return iter(self._under)

    def __len__(self) -> int:
        return len(self._under)

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> set[Any]:
        # Set operations (a | b, a & b) give plain sets, not new stored sets.
        return set(it)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredSet):
            return self._under == other._under
        if isinstance(other, Set):
            return self._under == set(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _repr(self, self._under)
