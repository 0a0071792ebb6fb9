"""Mappings filled from Juju on first read: the base of config and other lazy views."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._private.typing import Generic, TypeVar

__all__ = ['LazyMapping']

_V = TypeVar('_V')


class _GenericLazyMapping(Mapping[str, _V], Generic[_V]):
    """A read-only mapping whose content :meth:`_load` gives on first use.

    Subclasses implement :meth:`_load`; :meth:`_invalidate` drops the content so the
    next read loads it again.
    """

    _lazy_data: dict[str, _V] | None = None

    def _load(self) -> dict[str, _V]:
        raise NotImplementedError(f'{type(self).__name__} must implement _load()')

    @property
    def _data(self) -> dict[str, _V]:
        data = self._lazy_data
        if data is None:
            data = self._lazy_data = self._load()
        return data

    def _invalidate(self) -> None:
        self._lazy_data = None

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __getitem__(self, key: str) -> _V:
        return self._data[key]

    def __repr__(self) -> str:
        return repr(self._data)


class LazyMapping(_GenericLazyMapping[str]):
    """A ``str`` to ``str`` mapping read on first use (see :class:`_GenericLazyMapping`)."""
