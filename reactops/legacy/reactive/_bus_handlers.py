"""``charms.reactive.bus``'s handler classes under reactops: ``Handler``, ``ExternalHandler``,
``FlagWatch`` and ``BrokenHandlerException``.

charms.reactive kept every handler in one class-level registry that its decorators filled.
reactops keeps a handler's conditions on the function itself (the spec its decorators
record) and builds a fresh registry for each dispatch. :class:`Handler` is charms.reactive's
view of that: ``Handler.get(func)`` is the handler of *func*, and what code that extends
the decorators adds through it (``add_predicate``, ``add_post_callback``,
``register_flags``) becomes a condition of *func* in reactops' dispatch too, so a layer's
own decorator (PostgreSQL's ``@everyhook``, say) keeps working. Part of
:mod:`reactops.legacy.reactive.bus`, loaded when one of these names is first used.
"""

from __future__ import annotations

import errno
import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from ...reactive import registry as _registry
from ...reactive._runtime import current
from ...reactive.decorators import _spec_for, handler_spec
from ...reactive.predicates import Predicate

__all__ = ['BrokenHandlerException', 'ExternalHandler', 'FlagWatch', 'Handler']

# Where discovery imports handler modules from (``reactive.x``, ``relations.pgsql.requires``).
_HANDLER_PACKAGES = ('reactive', 'relations')


class BrokenHandlerException(Exception):  # noqa: N818 - charms.reactive's name
    """A file under the handler directories is executable but cannot be run."""

    def __init__(self, path: str):
        super().__init__(f'{path} is executable, so it is taken for an external handler, '
                         'but it cannot be run: only handler files may be executable '
                         '(chmod -x it, or give it a #! line)')


# -- conditions added through Handler -------------------------------------------------------


class _Condition(Predicate):
    """A condition added with :meth:`Handler.add_predicate`: a callable of no arguments."""

    kind = 'legacy_predicate'

    def __init__(self, condition: Callable[[], Any]):
        self.condition = condition

    def test(self, runtime: Any, handler: Any) -> bool:
        return bool(self.condition())

    def describe(self) -> str:
        return f'predicate {getattr(self.condition, "__name__", repr(self.condition))}'


class _AfterRun(Predicate):
    """A callback added with :meth:`Handler.add_post_callback`: run after the handler."""

    kind = 'legacy_post_callback'

    def __init__(self, callback: Callable[[], Any]):
        self.callback = callback

    def test(self, runtime: Any, handler: Any) -> bool:
        return True

    def after_run(self, runtime: Any, handler: Any) -> None:
        self.callback()

    def describe(self) -> str:
        return f'then {getattr(self.callback, "__name__", repr(self.callback))}'


class _Watched(Predicate):
    """Flags given to :meth:`Handler.register_flags`: the handler reads them (so it is
    tested again when one changes), whatever its other conditions say."""

    kind = 'legacy_flags'

    def __init__(self, flags: tuple[str, ...]):
        self.flags = flags

    def test(self, runtime: Any, handler: Any) -> bool:
        return True


# -- Handler ----------------------------------------------------------------------------


def _charm_dir() -> Path:
    from .._session import charm_dir

    return charm_dir()


def _action_id(action: Callable[..., Any], suffix: str | None = None) -> str:
    """charms.reactive's key of a handler: the function's file, line and name."""
    if hasattr(action, '_action_id'):
        return str(getattr(action, '_action_id'))  # noqa: B009 (set on some functions only)
    code = action.__code__
    parts = [code.co_filename, str(code.co_firstlineno), code.co_name]
    return ':'.join(parts if suffix is None else [*parts, suffix])


def _short_action_id(action: Callable[..., Any], suffix: str | None = None) -> str:
    """The handler id reactops logs: the file relative to the charm, line and name."""
    if hasattr(action, '_short_action_id'):
        return str(getattr(action, '_short_action_id'))  # noqa: B009 (as above)
    found = _registry.handler_id(action, _charm_dir())
    return found if suffix is None else f'{found}:{suffix}'


class Handler:
    """A reactive handler: a function and the conditions it runs on.

    :meth:`get` returns the one handler of a function (made on first use); conditions
    added here are the function's in reactops' dispatch as well. Unlike charms.reactive,
    :meth:`add_args` is used by :meth:`invoke` only: reactops' dispatch passes a handler
    the arguments charms.reactive's decorators gave it (endpoints, ``@hook``'s relation).
    """

    _HANDLERS: ClassVar[dict[str, Handler]] = {}
    _CONSUMED_FLAGS: ClassVar[set[str]] = set()
    _forgotten: ClassVar[set[int]] = set()  # decorated functions clear() dropped

    @classmethod
    def get(cls, action: Callable[..., Any], suffix: str | None = None) -> Handler:
        """The handler of *action* (and *suffix*: an endpoint's name), made if need be."""
        key = _action_id(action, suffix)
        if key not in Handler._HANDLERS:
            Handler._HANDLERS[key] = cls(action, suffix)
        return Handler._HANDLERS[key]

    @classmethod
    def get_handlers(cls) -> list[Handler]:
        """Every handler known in this process: those of the decorated functions in the
        handler modules imported so far (``reactive.*``, ``relations.*``), in the order
        they were decorated, and those :meth:`get` made."""
        for function in _decorated_functions():
            if id(function) not in Handler._forgotten:
                cls.get(function)
        return list(Handler._HANDLERS.values())

    @classmethod
    def clear(cls) -> None:
        """Forget every handler known so far (for tests); reactops' dispatch, which
        builds its own registry, still finds the decorated functions."""
        Handler._forgotten.update(id(function) for function in _decorated_functions())
        Handler._HANDLERS = {}

    def __init__(self, action: Callable[..., Any], suffix: str | None = None):
        self._action = action
        self._suffix = suffix
        self._action_id = _short_action_id(action, suffix)
        self._args: list[Iterable[Any]] = []
        self._evaluated: list[Any] | None = None

    def __repr__(self) -> str:
        return f'<Handler {self._action_id}>'

    def id(self) -> str:
        """The handler's id: ``<file relative to the charm>:<line>:<name>``."""
        return self._action_id

    def add_args(self, args: Iterable[Any]) -> None:
        """Add arguments for :meth:`invoke` (an iterable, read on the first call)."""
        self._args.append(args)

    @property
    def has_args(self) -> bool:
        """Whether :meth:`add_args` was called."""
        return bool(self._args)

    def add_predicate(self, predicate: Callable[[], Any]) -> None:
        """Run the handler only when *predicate()* is true as well."""
        _spec_for(self._action, 'Handler.add_predicate').add(
            _Condition(predicate))

    def add_post_callback(self, callback: Callable[[], Any]) -> None:
        """Call *callback* each time after the handler ran."""
        _spec_for(self._action, 'Handler.add_post_callback').add(
            _AfterRun(callback))

    def register_flags(self, flags: Iterable[str]) -> None:
        """Count *flags* among those the handler reads: a change to one makes the
        dispatch test it again."""
        names = tuple(flags)
        Handler._CONSUMED_FLAGS.update(names)
        _spec_for(self._action, 'Handler.register_flags').add(_Watched(names))

    def _as_reactops(self) -> _registry.Handler:
        spec = _spec_for(self._action, 'Handler')
        return _registry.Handler(_registry.handler_id(self._action, _charm_dir()),
                                 self._action, list(spec.predicates), spec)

    def test(self) -> bool:
        """Whether the handler's conditions hold now (the dispatch phase aside)."""
        handler = self._as_reactops()
        runtime = current()
        return all(predicate.test(runtime, handler) for predicate in handler.predicates)

    def invoke(self) -> None:
        """Call the function with its arguments, then its post callbacks (and what its
        decorators do after a run: ``@only_once`` remembers it ran)."""
        handler = self._as_reactops()
        if self._evaluated is None:
            self._evaluated = list(itertools.chain.from_iterable(self._args)) \
                if self._args else _decorator_arguments(handler)
        self._action(*self._evaluated)
        runtime = current()
        for predicate in handler.predicates:
            predicate.after_run(runtime, handler)


def _decorator_arguments(handler: _registry.Handler) -> list[Any]:
    from ...reactive.endpoint import endpoint_from_flag, hook_endpoint

    return _registry.legacy_arguments(handler, endpoint_from_flag, hook_endpoint)


def _handler_modules() -> list[ModuleType]:
    return [module for name, module in list(sys.modules.items())
            if module is not None and name.split('.')[0] in _HANDLER_PACKAGES]


def _decorated_functions() -> list[Callable[..., Any]]:
    found: list[tuple[int, Callable[..., Any]]] = []
    for module in _handler_modules():
        for value in list(vars(module).values()):
            spec = handler_spec(value) if callable(value) else None
            if spec is not None and getattr(value, '__module__', None) == module.__name__:
                found.append((spec.order, value))
    return [function for _, function in sorted(found, key=lambda item: item[0])]


class ExternalHandler(Handler):
    """An executable handler (a bash script, say): ``<file> --test`` exits 0 when it
    wants to run, printing what ``<file> --invoke <output>`` then gets.

    reactops' dispatch runs the charm's executables itself; this class runs one by hand,
    as charms.reactive did (outside a dispatch, its ``charms.reactive`` commands work on
    the unit's state file).
    """

    @classmethod
    def register(cls, filepath: str) -> ExternalHandler:
        """The handler of executable *filepath*, made if need be."""
        key = str(filepath)
        if key not in Handler._HANDLERS:
            Handler._HANDLERS[key] = cls(key)
        handler = Handler._HANDLERS[key]
        assert isinstance(handler, ExternalHandler)
        return handler

    def __init__(self, filepath: str):
        self._filepath = str(filepath)
        self._test_output = ''

    def __repr__(self) -> str:
        return f'<ExternalHandler {self._filepath}>'

    def id(self) -> str:
        """The file relative to the charm, and what its last ``--test`` printed."""
        return f'{os.path.relpath(self._filepath, _charm_dir())} "{self._test_output}"'

    def test(self) -> bool:
        """Run ``<file> --test``: whether it exited 0 (its output is kept)."""
        try:
            done = subprocess.run([self._filepath, '--test'], stdout=subprocess.PIPE,
                                  env=os.environ, check=False)
        except OSError as error:
            if error.errno == errno.ENOEXEC:
                raise BrokenHandlerException(self._filepath) from error
            raise
        self._test_output = done.stdout.decode('utf-8', 'replace')
        return done.returncode == 0

    def invoke(self) -> None:
        """Run ``<file> --invoke <output of --test>`` (a non-zero exit raises)."""
        subprocess.run([self._filepath, '--invoke', self._test_output], env=os.environ,
                       check=True)


class FlagWatch:
    """charms.reactive's record of the flags changed in each dispatch iteration, which
    it used to skip handlers none of whose flags changed.

    reactops' dispatch tracks changes itself and does not feed this record: it is kept
    in memory (not under ``reactive.state_watch`` in the store) for code that calls it.
    """

    key = 'reactive.state_watch'
    _data: ClassVar[dict[str, Any]] = {}

    @classmethod
    def _get(cls) -> dict[str, Any]:
        if not FlagWatch._data:
            FlagWatch._data = {'iteration': 0, 'changes': [], 'pending': []}
        return FlagWatch._data

    @classmethod
    def reset(cls) -> None:
        """Forget every change and start again at iteration 0."""
        FlagWatch._data = {}

    @classmethod
    def iteration(cls, i: int) -> None:
        """Say iteration *i* starts."""
        cls._get()['iteration'] = i

    @classmethod
    def watch(cls, watcher: str, flags: Iterable[str]) -> bool:
        """Whether a handler reading *flags* should be tested: always in iteration 0,
        later only if one of them changed in the iteration before."""
        data = cls._get()
        return data['iteration'] == 0 or bool(set(flags) & set(data['changes']))

    @classmethod
    def change(cls, flag: str) -> None:
        """Note that *flag* was set or cleared."""
        cls._get()['pending'].append(flag)

    @classmethod
    def commit(cls) -> None:
        """End the iteration: its changes become those :meth:`watch` looks at."""
        data = cls._get()
        data['changes'], data['pending'] = data['pending'], []
