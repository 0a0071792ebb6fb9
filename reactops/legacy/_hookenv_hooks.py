"""The ``hookenv`` names of classic (pre-reactive) charms: the :class:`Hooks` registry,
``execution_environment()``, and the small decorators and wrappers around them.

Part of :mod:`reactops.legacy.hookenv`, imported the first time one of these names is
used. :meth:`Hooks.execute` runs the ``atstart``/``atexit`` callbacks of the shim's
session, as charmhelpers did; it is the charm's own hook script that calls it.
"""

from __future__ import annotations

import functools
import json
import os
from collections import UserDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ['MARKER', 'Hooks', 'Serializable', 'UnregisteredHookError', 'deprecate',
           'execution_environment', 'translate_exc']

_F = TypeVar('_F', bound=Callable[..., Any])

#: A value no caller passes: "no such attribute" for :class:`Serializable`.
MARKER = object()

# Functions deprecate() has already warned about in this process.
_warned: set[str] = set()


class UnregisteredHookError(Exception):
    """:meth:`Hooks.execute` was asked for a hook no function is registered for."""


class Hooks:
    """A registry of hook functions for a classic charm's hook scripts::

        hooks = Hooks()

        @hooks.hook('config-changed')
        def config_changed(): ...

        hooks.execute(sys.argv)   # runs the function registered for argv[0]'s name

    *config_save* sets :attr:`Config.implicit_save` of :func:`hookenv.config`.
    """

    def __init__(self, config_save: bool | None = None):
        self._hooks: dict[str, Callable[[], Any]] = {}
        if config_save is not None:
            from .hookenv import config

            config().implicit_save = config_save

    def register(self, name: str, function: Callable[[], Any]) -> None:
        """Run *function* for hook *name*."""
        self._hooks[name] = function

    def execute(self, args: Sequence[str]) -> None:
        """Run the function registered for the hook ``args[0]`` names (its base name),
        between the ``atstart`` callbacks and, if it succeeds (or exits 0), the
        ``atexit`` ones; :class:`UnregisteredHookError` if there is none."""
        from .hookenv import _run_atexit, _run_atstart

        _run_atstart()
        name = os.path.basename(args[0])
        if name not in self._hooks:
            raise UnregisteredHookError(name)
        try:
            self._hooks[name]()
        except SystemExit as exit:
            if exit.code in (None, 0):
                _run_atexit()
            raise
        _run_atexit()

    def hook(self, *hook_names: str) -> Callable[[_F], _F]:
        """Register the decorated function for *hook_names*, and for its own name (with
        ``_`` as ``-`` too: ``config_changed`` also answers ``config-changed``)."""
        def register(function: _F) -> _F:
            for name in hook_names:
                self.register(name, function)
            self.register(function.__name__, function)
            if '_' in function.__name__:
                self.register(function.__name__.replace('_', '-'), function)
            return function

        return register


def translate_exc(from_exc: type[BaseException] | tuple[type[BaseException], ...],
                  to_exc: type[BaseException] | BaseException) -> Callable[[_F], _F]:
    """A decorator raising *to_exc* when the function raises *from_exc* (charmhelpers
    turned a missing hook tool, an ``OSError``, into ``NotImplementedError`` so)."""
    def decorate(function: _F) -> _F:
        @functools.wraps(function)
        def translated(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except from_exc as error:
                raise to_exc from error

        return translated  # type: ignore[return-value]

    return decorate


def deprecate(warning: str, date: str | None = None,
              log: Callable[[str], Any] | None = None) -> Callable[[_F], _F]:
    """A decorator that logs, the first time the function runs in this process, that it
    is deprecated and what to use instead (*warning*), and when it goes (*date*)."""
    def decorate(function: _F) -> _F:
        key = f'{function.__module__}.{function.__qualname__}'

        @functools.wraps(function)
        def warned(*args: Any, **kwargs: Any) -> Any:
            if key not in _warned:
                _warned.add(key)
                text = f'DEPRECATION WARNING: Function {function.__name__} is being removed'
                text += f' on/around {date}' if date else ''
                text += f' : {warning}' if warning else ''
                (log or print)(text)
            return function(*args, **kwargs)

        return warned  # type: ignore[return-value]

    return decorate


class Serializable(UserDict[str, Any]):
    """A wrapper around a dict (or any object) that reads its keys as attributes and
    writes itself as JSON or YAML."""

    def __init__(self, obj: Any):
        super().__init__()
        self.data = obj

    def __getattr__(self, attr: str) -> Any:
        if attr in ('data', 'json', 'yaml') or attr.startswith('__'):
            raise AttributeError(attr)
        found = getattr(self.data, attr, MARKER)
        if found is not MARKER:
            return found
        try:
            return self.data[attr]
        except (KeyError, TypeError):
            raise AttributeError(attr) from None

    def __getstate__(self) -> Any:
        return self.data

    def __setstate__(self, state: Any) -> None:
        self.data = state

    def json(self) -> str:
        """The wrapped object as JSON."""
        return json.dumps(self.data)

    def yaml(self) -> str:
        """The wrapped object as YAML (plain data only: reactops writes safe YAML)."""
        from .._private.yaml import safe_dump

        return str(safe_dump(self.data))


def execution_environment() -> dict[str, Any]:
    """The hook's context in one dict: ``conf`` (the config), ``unit``, ``rels``
    (:func:`relations`), ``env`` (the environment) and, in a relation hook, ``reltype``,
    ``relid`` and ``rel`` (the remote unit's bag)."""
    from ._hookenv_relations import relation_get, relation_id, relation_type, relations
    from .hookenv import config, local_unit

    context: dict[str, Any] = {'conf': config()}
    if relation_id():
        context.update(reltype=relation_type(), relid=relation_id(), rel=relation_get())
    context.update(unit=local_unit(), rels=relations(), env=os.environ)
    return context
