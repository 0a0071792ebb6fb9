"""Predicates: the conditions decorators put on a handler, all of which must hold.

Each predicate knows the dispatch *phase* it belongs to (charms.reactive's model: ``@hook``
handlers run in the hooks phase, ``@when*`` handlers in the main loop, metrics handlers
in restricted hooks) and the flags it reads, which the flag graph and the incremental
dispatcher use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from .._private.record import FrozenValue
from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re
    from typing import Any

    from ._runtime import ReactiveRuntime
    from .registry import Handler

__all__ = [
    'FileChanged', 'HookMatches', 'OnlyOnce', 'Predicate', 'RestrictedHook', 'WhenAll',
    'WhenAny', 'WhenNone', 'WhenNotAll', 'expand_hook_patterns',
]

HOOKS = 'hooks'
MAIN = 'other'
RESTRICTED = 'restricted'


class Predicate:
    """One condition of a handler."""

    __slots__ = ()

    kind = 'predicate'
    phase: str | None = None
    flags: tuple[str, ...] = ()

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        """Whether the condition holds now."""
        raise NotImplementedError

    def with_endpoint(self, endpoint_name: str) -> Predicate:
        """This predicate with ``{endpoint_name}`` in its flags replaced."""
        return self

    def required_flags(self) -> tuple[str, ...] | None:
        """Flags of which at least one must be set for the predicate to hold (``None``:
        no such flag). The dispatcher looks up, rather than tests, handlers that have one:
        a handler none of whose required flags is set is not ready."""
        return None

    def after_run(self, runtime: ReactiveRuntime, handler: Handler) -> None:
        """Called after the handler ran (e.g. to remember that it did)."""

    def describe(self) -> str:
        """A short human description, for ``explain``."""
        return f'{self.kind}({", ".join(map(repr, self.flags))})'


class _Frozen(FrozenValue, Predicate):
    """A predicate compared, hashed and shown by its fields, and immutable once made: a
    frozen dataclass of its ``__match_args__``, without the half millisecond each
    dataclass costs to create at import (which a reactive charm would pay every hook)."""

    __slots__ = ()


class _FlagPredicate(_Frozen):
    __slots__ = ('flags',)
    __match_args__ = ('flags',)
    phase = MAIN

    def __init__(self, flags: tuple[str, ...] = ()):
        self._set_fields(flags=flags)

    def with_endpoint(self, endpoint_name: str) -> Predicate:
        return type(self)(tuple(f.replace('{endpoint_name}', endpoint_name)
                                for f in self.flags))

    def describe(self) -> str:
        return f'@{self.kind}({", ".join(map(repr, self.flags))})'


class WhenAll(_FlagPredicate):
    """Every flag is set (``@when`` / ``@when_all``)."""

    __slots__ = ()

    kind = 'when'

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        return all(runtime.is_set(flag) for flag in self.flags)

    def required_flags(self) -> tuple[str, ...] | None:
        return self.flags[:1] or None  # every flag is needed: one is enough to look up


class WhenAny(_FlagPredicate):
    """At least one flag is set (``@when_any``)."""

    __slots__ = ()

    kind = 'when_any'

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        return any(runtime.is_set(flag) for flag in self.flags)

    def required_flags(self) -> tuple[str, ...] | None:
        return self.flags  # () for @when_any(): never true, so never looked up


class WhenNone(_FlagPredicate):
    """No flag is set (``@when_not`` / ``@when_none``)."""

    __slots__ = ()

    kind = 'when_not'

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        return not any(runtime.is_set(flag) for flag in self.flags)


class WhenNotAll(_FlagPredicate):
    """At least one flag is not set (``@when_not_all``)."""

    __slots__ = ()

    kind = 'when_not_all'

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        return not all(runtime.is_set(flag) for flag in self.flags)


class HookMatches(_Frozen):
    """The running hook matches one of the patterns (``@hook``)."""

    __slots__ = ('patterns',)

    __match_args__ = ('patterns',)
    patterns: tuple[str, ...]
    kind = 'hook'
    phase = HOOKS

    def __init__(self, patterns: tuple[str, ...]):
        self._set_fields(patterns=patterns)

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        meta = getattr(getattr(runtime.charm, 'framework', None), 'meta', None)
        return runtime.hook_name in expand_hook_patterns(self.patterns, meta)

    def describe(self) -> str:
        return f'@hook({", ".join(map(repr, self.patterns))})'


class RestrictedHook(_Frozen):
    """The running hook is this restricted one (``@collect_metrics``, ...)."""

    __slots__ = ('hook',)

    __match_args__ = ('hook',)
    hook: str
    kind = 'restricted_hook'
    phase = RESTRICTED

    def __init__(self, hook: str):
        self._set_fields(hook=hook)

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        return runtime.hook_name == self.hook

    def describe(self) -> str:
        return f'restricted hook {self.hook!r}'


class FileChanged(_Frozen):
    """One of the files changed since the handler last ran (``@when_file_changed``).

    Unlike charms.reactive, testing never consumes the change: each file's hash is read
    once per dispatch, every handler watching it may fire once, and the new hash is stored
    only when the dispatch succeeds.
    """

    __slots__ = ('files', 'hash_type')

    __match_args__ = ('files', 'hash_type')
    files: tuple[str | Callable[[], str], ...]
    hash_type: str
    kind = 'when_file_changed'

    def __init__(self, files: tuple[str | Callable[[], str], ...], hash_type: str = 'md5'):
        self._set_fields(files=files, hash_type=hash_type)

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        from .helpers import _file_changes

        return _file_changes(runtime).pending_for(handler.id, self.files, self.hash_type)

    def after_run(self, runtime: ReactiveRuntime, handler: Handler) -> None:
        from .helpers import _file_changes

        _file_changes(runtime).consume(handler.id, self.files, self.hash_type)

    def describe(self) -> str:
        names = [f if isinstance(f, str) else getattr(f, '__name__', repr(f))
                 for f in self.files]
        return f'@when_file_changed({", ".join(map(repr, names))})'


class OnlyOnce(_Frozen):
    """The handler has never run on this unit (``@only_once``)."""

    __slots__ = ()

    kind = 'only_once'

    def test(self, runtime: ReactiveRuntime, handler: Handler) -> bool:
        from .helpers import was_invoked

        return not was_invoked(handler.id)

    def after_run(self, runtime: ReactiveRuntime, handler: Handler) -> None:
        from .helpers import mark_invoked

        mark_invoked(handler.id)

    def describe(self) -> str:
        return '@only_once'


# Compiled on first use (re caches them): most charms' hook patterns have no braces.
_ROLE_INTERFACE = r'{([^:}]+):([^}]+)}'
_ALTERNATIVES = r'{((?:[^:,}]+,?)+)}'
_ROLES = {'provides': 'provides', 'requires': 'requires', 'peers': 'peers', 'peer': 'peers'}


def expand_hook_patterns(patterns: Iterable[str], meta: Any = None) -> set[str]:
    """Expand ``{role:interface}`` (endpoints from *meta*) and ``{a,b}`` in hook patterns.

    ``{requires:pgsql}-relation-{joined,changed}`` gives ``db-relation-joined`` and
    ``db-relation-changed`` for a charm whose ``db`` endpoint requires ``pgsql``. A role
    or interface no endpoint has makes the pattern match nothing. The role is a metadata
    section (``provides``, ``requires``, ``peers``); ``peer`` is accepted too, which
    charms.reactive documented but did not match.
    """
    expanded: list[str] = list(patterns)
    expanded = _expand(expanded, _ROLE_INTERFACE, lambda m: _endpoints(meta, m[1], m[2]))
    expanded = _expand(expanded, _ALTERNATIVES, lambda m: m[1].split(','))
    return set(expanded)


def _expand(patterns: list[str], regex: str,
            choices: Callable[[re.Match[str]], Sequence[str]]) -> list[str]:
    result: list[str] = []
    pending = list(patterns)
    while pending:
        pattern = pending.pop(0)
        if '{' in pattern:
            import re  # only here: most patterns have no braces, and re costs 4 ms to import

            match = re.search(regex, pattern)
        else:
            match = None
        if match is None:
            result.append(pattern)
            continue
        for choice in choices(match):
            pending.append(pattern[:match.start()] + choice + pattern[match.end():])
    return result


def _endpoints(meta: Any, role: str, interface: str) -> list[str]:
    section = _ROLES.get(role)
    if meta is None or section is None:
        return []
    relations: Mapping[str, Any] = getattr(meta, section, {}) or {}
    return [name for name, rel in relations.items() if rel.interface_name == interface]
