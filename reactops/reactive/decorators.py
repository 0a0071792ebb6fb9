"""The decorators that turn a function or a charm method into a handler.

A decorator never wraps the function: it records a :class:`HandlerSpec` on it, and every
decorator on one function adds to the same spec (they combine with AND). The spec also
records when the function was first decorated; handlers are registered in that order,
which for module functions is import order and, within a module, definition order.

All names are those of charms.reactive, so ``from charms.reactive import when`` ports as
``from reactops import when``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

from .._private.callshape import accepts_positional
from .._private.lazylog import get_logger
from .._private.typing import TYPE_CHECKING
from ..errors import HandlerDefinitionError
from ._declared import DECLARED
from ._detect import SPEC_ATTRIBUTE
from .predicates import (
    FileChanged,
    HookMatches,
    OnlyOnce,
    Predicate,
    RestrictedHook,
    WhenAll,
    WhenAny,
    WhenNone,
    WhenNotAll,
)

if TYPE_CHECKING:
    from typing import Any, TypeVar

    _F = TypeVar('_F', bound=Callable[..., Any])

__all__ = [
    'HandlerSpec', 'collect_metrics', 'hook', 'meter_status_changed', 'not_unless',
    'only_once', 'when', 'when_all', 'when_any', 'when_file_changed', 'when_none',
    'when_not', 'when_not_all',
]

logger = get_logger(__name__)

_SPEC_ATTRIBUTE = SPEC_ATTRIBUTE
_order = itertools.count()


class HandlerSpec:
    """What the decorators said about one function.

    Compared and shown by its fields like a dataclass; written by hand because creating
    a dataclass costs about half a millisecond in every hook of a reactive charm.
    """

    __slots__ = ('order', 'predicates', 'when_arg_groups', 'passes_hook_relation',
                 'priority', 'rerun', 'func', 'module', 'requires_flag')

    def __init__(self, order: int, predicates: list[Predicate] | None = None,
                 when_arg_groups: list[tuple[str, ...]] | None = None,
                 passes_hook_relation: bool = False, priority: int | None = None,
                 rerun: bool = True):
        self.order = order
        # Add predicates with add(): it keeps the declaration index (_declared) current.
        self.predicates: list[Predicate] = [] if predicates is None else predicates
        # One group of flags per @when/@when_all, for charms.reactive's legacy arguments.
        self.when_arg_groups: list[tuple[str, ...]] = (
            [] if when_arg_groups is None else when_arg_groups)
        self.passes_hook_relation = passes_hook_relation
        self.priority = priority
        self.rerun = rerun
        # Set for a spec the decorators made: the function and its module, indexed in
        # DECLARED (a spec made by hand, e.g. for an external handler, is not).
        self.func: Callable[..., Any] | None = None
        self.module: str | None = None
        self.requires_flag = False  # a predicate needs one of its flags set

    def add(self, predicate: Predicate) -> None:
        """Add a condition (AND with the others), keeping the declaration index current."""
        self.predicates.append(predicate)
        if self.module is not None:
            DECLARED.added(self, predicate)

    def set_options(self, *, priority: int | None = None, rerun: bool | None = None) -> None:
        """Set ``priority`` and/or ``rerun`` (``None``: leave as is)."""
        if priority is not None:
            self.priority = priority
        if rerun is not None:
            self.rerun = rerun
        if self.module is not None:
            DECLARED.options_changed(self)

    def _fields(self) -> tuple[Any, ...]:
        return (self.order, self.predicates, self.when_arg_groups,
                self.passes_hook_relation, self.priority, self.rerun)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, HandlerSpec)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass's

    def __repr__(self) -> str:
        return (f'{type(self).__qualname__}(order={self.order!r}, '
                f'predicates={self.predicates!r}, when_arg_groups={self.when_arg_groups!r}, '
                f'passes_hook_relation={self.passes_hook_relation!r}, '
                f'priority={self.priority!r}, rerun={self.rerun!r})')

    @property
    def flags(self) -> list[str]:
        """Every flag any predicate reads, in order, once each."""
        return list(dict.fromkeys(f for p in self.predicates for f in p.flags))


def handler_spec(func: Callable[..., Any]) -> HandlerSpec | None:
    """The spec recorded on *func*, if it is a handler."""
    spec = getattr(func, _SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, HandlerSpec) else None


def _where(func: Callable[..., Any]) -> str:
    code = getattr(func, '__code__', None)
    if code is None:
        return getattr(func, '__qualname__', repr(func))
    return f'{getattr(func, "__qualname__", func.__name__)} ({code.co_filename}:' \
           f'{code.co_firstlineno})'


def _spec_for(func: Callable[..., Any], decorator: str) -> HandlerSpec:
    if not callable(func) or isinstance(func, (staticmethod, classmethod)):
        raise HandlerDefinitionError(f'@{decorator} decorates functions and methods, '
                                     f'not {func!r}')
    spec = handler_spec(func)
    if spec is None:
        spec = HandlerSpec(order=next(_order))
        setattr(func, _SPEC_ATTRIBUTE, spec)
        spec.func = func
        spec.module = getattr(func, '__module__', None) or ''
        DECLARED.created(spec)
    return spec


def _flag_decorator(decorator: str, predicate_type: type[Predicate],
                    flags: tuple[Any, ...], options: dict[str, Any]) -> Callable[[_F], _F]:
    def apply(func: _F) -> _F:
        for flag in flags:
            if not isinstance(flag, str) or not flag:
                raise HandlerDefinitionError(
                    f'@{decorator} on {_where(func)}: flag names must be non-empty strings, '
                    f'got {flag!r} ({type(flag).__name__})')
        unknown = set(options) - {'priority', 'rerun'}
        if unknown:
            raise HandlerDefinitionError(
                f'@{decorator} on {_where(func)}: unknown argument(s) '
                f'{", ".join(sorted(unknown))}; it takes flag names, priority= and rerun=')
        if 'priority' in options and not isinstance(options['priority'], int):
            raise HandlerDefinitionError(f'@{decorator} on {_where(func)}: priority must '
                                         f'be an int, got {options["priority"]!r}')
        spec = _spec_for(func, decorator)
        spec.add(predicate_type(tuple(flags)))  # type: ignore[call-arg]
        if predicate_type is WhenAll:
            spec.when_arg_groups.append(tuple(flags))
        if options:
            spec.set_options(priority=options.get('priority'),
                             rerun=bool(options['rerun']) if 'rerun' in options else None)
        return func

    # @when used bare (without parentheses) would pass the function as a flag.
    if len(flags) == 1 and callable(flags[0]) and not isinstance(flags[0], str):
        raise HandlerDefinitionError(
            f'@{decorator} needs flag names: write @{decorator}("flag"), not @{decorator} '
            f'on {_where(flags[0])}')
    return apply


def when(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Run when every flag is set. ``priority=`` orders handlers (lower first) and
    ``rerun=False`` runs the handler only when the predicate has newly become true or the
    values of its flags changed, instead of in every hook."""
    return _flag_decorator('when', WhenAll, flags, options)


def when_all(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Same as :func:`when`."""
    return _flag_decorator('when_all', WhenAll, flags, options)


def when_any(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Run when at least one of the flags is set."""
    return _flag_decorator('when_any', WhenAny, flags, options)


def when_not(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Run when none of the flags is set."""
    return _flag_decorator('when_not', WhenNone, flags, options)


def when_none(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Same as :func:`when_not`."""
    return _flag_decorator('when_none', WhenNone, flags, options)


def when_not_all(*flags: str, **options: Any) -> Callable[[_F], _F]:
    """Run when at least one of the flags is not set."""
    return _flag_decorator('when_not_all', WhenNotAll, flags, options)


def hook(*patterns: str) -> Callable[[_F], _F]:
    """Run in the hooks phase of a hook matching a pattern (``db-relation-{joined,changed}``,
    ``{requires:pgsql}-relation-changed``). Combined with ``@when*`` it can never run."""
    for pattern in patterns:
        if not isinstance(pattern, str):
            if callable(pattern):
                raise HandlerDefinitionError(
                    f'@hook needs hook names: write @hook("install"), not @hook on '
                    f'{_where(pattern)}')
            raise HandlerDefinitionError(f'@hook patterns must be strings, got {pattern!r}')

    def apply(func: _F) -> _F:
        if not patterns:
            raise HandlerDefinitionError(f'@hook on {_where(func)} needs at least one pattern')
        spec = _spec_for(func, 'hook')
        spec.add(HookMatches(tuple(patterns)))
        spec.passes_hook_relation = True
        return func

    return apply


def when_file_changed(*files: str | Callable[[], str],
                      hash_type: str = 'md5') -> Callable[[_F], _F]:
    """Run when one of the files changed since this handler last saw it."""
    for file in files:
        if not (isinstance(file, str) or callable(file)):
            raise HandlerDefinitionError(
                f'@when_file_changed takes file names or callables, got {file!r}')

    def apply(func: _F) -> _F:
        spec = _spec_for(func, 'when_file_changed')
        spec.add(FileChanged(tuple(files), hash_type))
        return func

    return apply


def only_once(func: Callable[..., Any] | None = None) -> Any:
    """Run the handler once in the unit's life (``@only_once`` or ``@only_once()``)."""
    def apply(target: _F) -> _F:
        _spec_for(target, 'only_once').add(OnlyOnce())
        return target

    return apply if func is None else apply(func)


def collect_metrics() -> Callable[[_F], _F]:
    """Run in the collect-metrics hook (a restricted hook: few hook tools work)."""
    def apply(func: _F) -> _F:
        _spec_for(func, 'collect_metrics').add(RestrictedHook('collect-metrics'))
        return func

    return apply


def meter_status_changed() -> Callable[[_F], _F]:
    """Run in the meter-status-changed hook (a restricted hook)."""
    def apply(func: _F) -> _F:
        spec = _spec_for(func, 'meter_status_changed')
        spec.add(RestrictedHook('meter-status-changed'))
        return func

    return apply


def not_unless(*flags: str) -> Callable[[_F], _F]:
    """Not a handler: log a warning when the function is called before *flags* are set."""
    for flag in flags:
        if not isinstance(flag, str):
            raise HandlerDefinitionError(f'@not_unless takes flag names, got {flag!r}')

    def apply(func: _F) -> _F:
        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from .flags import get_unset_flags

            missing = get_unset_flags(*flags)
            if missing:
                logger.warning('%s called before flag(s): %s', _where(func),
                               ', '.join(missing))
            return func(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return apply


def takes_arguments(func: Callable[..., Any]) -> bool:
    """Whether *func* accepts at least one positional argument (legacy argument rule)."""
    return accepts_positional(func, 1, exactly=False)
