"""``hookenv.config()`` and its :class:`Config`: the charm's config with the values of the
last successful hook that read it.

Part of :mod:`reactops.legacy.hookenv`, imported the first time one of these names is
used. The last hook's values are kept in the unit's state store (charmhelpers kept them in
``.juju-persistent-config``, which is read once, after an in-place upgrade, and never
written).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import _session
from .hookenv import ERROR, atexit, log

__all__ = ['CONFIG_SAVED_KEY', 'Config', 'config']

#: Where :class:`Config` keeps the values the last successful hook saw.
CONFIG_SAVED_KEY = 'reactops.legacy.config.previous'
# charmhelpers kept them in this file; read once after an in-place upgrade.
_LEGACY_CONFIG_FILE = '.juju-persistent-config'


class Config(dict[str, Any]):
    """The charm's config, with :meth:`changed` and :meth:`previous` relative to the last
    successful hook that read it (every option counts as changed the first time).

    Made by :func:`config`. Unlike charmhelpers, the values of the last hook are kept in
    the unit's state store, not in :attr:`path` (read once after an in-place upgrade).
    """

    CONFIG_FILE_NAME = _LEGACY_CONFIG_FILE

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: Whether the end of a successful hook saves the values (:meth:`save`).
        self.implicit_save = True
        #: charmhelpers' file of the last hook's values (read by :meth:`load_previous`).
        self.path = str(_session.charm_dir() / self.CONFIG_FILE_NAME)
        self._prev_dict: dict[str, Any] | None = None

    def load_previous(self, path: str | None = None) -> None:
        """Read the last hook's values from a charmhelpers config file (*path*, else
        :attr:`path`); keys the charm stored itself and Juju no longer has come back."""
        self.path = path or self.path
        with open(self.path) as file:
            try:
                previous = json.load(file)
            except ValueError as error:
                log(f'cannot read the previous config in {self.path} ({error}): every '
                    'option counts as changed', level=ERROR)
                return
        self._set_previous(previous if isinstance(previous, dict) else None)

    def _set_previous(self, previous: Mapping[str, Any] | None) -> None:
        self._prev_dict = None if previous is None else dict(previous)
        for key, value in (previous or {}).items():
            self.setdefault(key, value)

    def previous(self, key: str) -> Any:
        """The value *key* had in the last hook (``None`` the first time)."""
        return None if not self._prev_dict else self._prev_dict.get(key)

    def changed(self, key: str) -> bool:
        """Whether *key* differs from the last hook (True the first time)."""
        if self._prev_dict is None:
            return True
        return bool(self.previous(key) != self.get(key))

    def save(self) -> None:
        """Remember the current values for the next hook (done at the end of every
        successful hook that read the config, unless :attr:`implicit_save` is off)."""
        from ..reactive._runtime import current

        current().storage.kv_set(CONFIG_SAVED_KEY, dict(self))

    def _implicit_save(self) -> None:
        if self.implicit_save:
            self.save()


def _previous_config() -> dict[str, Any] | None:
    from ..reactive._runtime import current

    saved = current().storage.kv_get(CONFIG_SAVED_KEY)
    if isinstance(saved, dict):
        return saved
    try:
        data = json.loads((_session.charm_dir() / _LEGACY_CONFIG_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def config(scope: str | None = None) -> Any:
    """The whole config (a :class:`Config`), or with *scope* one option's value."""
    state = _session.session()
    if state.config is None:
        state.config = Config(dict(_session.model().config))
        state.config._set_previous(_previous_config())
        if _session.in_dispatch():
            atexit(state.config._implicit_save)
    return state.config if scope is None else state.config.get(scope)
