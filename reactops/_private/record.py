"""Frozen dataclasses at a fraction of their start-up cost, for the modules every hook loads.

``@dataclasses.dataclass`` generates its methods by compiling source code, and importing
:mod:`dataclasses` brings in :mod:`inspect`; together about 10 ms of every hook. The
classes a hook always builds (:class:`~reactops.jujucontext.JujuContext`, the metadata
records) are declared as dataclasses for type checkers, but at run time use
:func:`dataclass` below, which gives them the same constructor (positional or keyword, with
defaults and ``default_factory``), equality, hash, repr and immutability.
``dataclasses.fields()`` and ``dataclasses.replace()`` do not apply to them; use
:func:`record_fields` and ``copy.replace()`` (the ``__replace__`` protocol) instead.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar

    _C = TypeVar('_C', bound=type)

__all__ = ['FrozenValue', 'dataclass', 'field', 'frozen_error', 'record_fields']

_NO_DEFAULT = object()


class _Field:
    __slots__ = ('compare', 'default_factory')

    def __init__(self, default_factory: Callable[[], Any] | None, compare: bool):
        self.default_factory = default_factory
        self.compare = compare


def field(*, default_factory: Callable[[], Any] | None = None, compare: bool = True) -> Any:
    """A field whose default is made by *default_factory* for each instance (required if
    none), left out of equality and hashing when *compare* is false."""
    return _Field(default_factory, compare)


def frozen_error(message: str) -> AttributeError:
    """The error assigning to a frozen record raises: ``dataclasses.FrozenInstanceError``.

    Imported here, only when an assignment is attempted, which is a bug in the caller.
    """
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


def record_fields(cls_or_instance: object) -> tuple[str, ...]:
    """The field names of a record class (or instance), in declaration order."""
    cls = cls_or_instance if isinstance(cls_or_instance, type) else type(cls_or_instance)
    names: tuple[str, ...] = tuple(cls.__match_args__)  # type: ignore[attr-defined]
    return names


def dataclass(*, frozen: bool) -> Callable[[_C], _C]:
    """Make the annotated class a frozen record (only ``frozen=True`` is supported)."""
    if not frozen:
        raise TypeError('reactops records are always frozen')
    return _make_record


def _make_record(cls: _C) -> _C:
    names: list[str] = []
    defaults: dict[str, Any] = {}
    uncompared: set[str] = set()
    for base in reversed(cls.__mro__[1:]):
        for name in vars(base).get('__record_defaults__', ()):
            if name not in names:
                names.append(name)
                defaults[name] = vars(base)['__record_defaults__'][name]
        uncompared.update(vars(base).get('__record_uncompared__', ()))
    for name, annotation in cls.__dict__.get('__annotations__', {}).items():
        if str(annotation).startswith(('ClassVar', 'typing.ClassVar')):
            continue
        if name not in names:
            names.append(name)
        value = cls.__dict__.get(name, _NO_DEFAULT)
        if isinstance(value, _Field):
            delattr(cls, name)
            if not value.compare:
                uncompared.add(name)
            if value.default_factory is None:
                value = _NO_DEFAULT
        defaults[name] = value
    _check_order(cls, names, defaults)
    attributes: dict[str, Any] = {
        '__match_args__': tuple(names), '__record_defaults__': defaults,
        '__record_uncompared__': frozenset(uncompared),
        '__record_compared__': tuple(name for name in names if name not in uncompared),
        '__signature__': _Signature(), '__init__': _init}
    for name in ('__eq__', '__hash__', '__repr__', '__setattr__', '__delattr__',
                 '__replace__'):
        attributes[name] = vars(FrozenValue)[name]
    for name, value in attributes.items():
        setattr(cls, name, value)
    return cls


class _Signature:
    """A record class's ``__signature__``: its fields as constructor parameters, as
    ``inspect.signature`` (``help()``, Sphinx, IDEs) would show a dataclass's. Built when
    asked, because it needs :mod:`inspect`."""

    def __get__(self, instance: object, owner: type) -> Any:
        import inspect

        annotations = {}
        for klass in reversed(owner.__mro__):
            annotations.update(klass.__dict__.get('__annotations__', {}))
        parameters = []
        for name in owner.__match_args__:  # type: ignore[attr-defined]
            default = owner.__record_defaults__[name]  # type: ignore[attr-defined]
            if isinstance(default, _Field):
                default = _FACTORY
            parameters.append(inspect.Parameter(
                name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=inspect.Parameter.empty if default is _NO_DEFAULT else default,
                annotation=annotations.get(name, inspect.Parameter.empty)))
        return inspect.Signature(parameters, return_annotation=None)


class _FactoryDefault:
    def __repr__(self) -> str:
        return '<factory>'


_FACTORY = _FactoryDefault()


def _check_order(cls: type, names: list[str], defaults: dict[str, Any]) -> None:
    seen_default = False
    for name in names:
        if defaults[name] is not _NO_DEFAULT:
            seen_default = True
        elif seen_default:
            raise TypeError(f'non-default argument {name!r} follows default argument '
                            f'in {cls.__qualname__}')


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    names: tuple[str, ...] = self.__match_args__
    if len(args) > len(names):
        raise TypeError(f'{type(self).__qualname__}() takes {len(names)} positional '
                        f'arguments but {len(args)} were given')
    values = dict(zip(names, args, strict=False))
    for name, value in kwargs.items():
        if name not in names:
            raise TypeError(f'{type(self).__qualname__}() got an unexpected keyword '
                            f'argument {name!r}')
        if name in values:
            raise TypeError(f'{type(self).__qualname__}() got multiple values for '
                            f'argument {name!r}')
        values[name] = value
    defaults: dict[str, Any] = self.__record_defaults__
    missing = [name for name in names if name not in values and defaults[name] is _NO_DEFAULT]
    if missing:
        raise TypeError(f'{type(self).__qualname__}() missing required argument(s): '
                        f'{", ".join(map(repr, missing))}')
    for name in names:
        value = values[name] if name in values else defaults[name]
        if isinstance(value, _Field) and value.default_factory is not None:
            value = value.default_factory()
        object.__setattr__(self, name, value)
    post_init = getattr(self, '__post_init__', None)
    if post_init is not None:
        post_init()


class FrozenValue:
    """A value compared, hashed and shown by the fields its ``__match_args__`` names, and
    immutable once made: what a frozen dataclass is, for classes that write their own
    constructor (they set their fields with :meth:`_set_fields`). Records made by
    :func:`dataclass` get the same methods."""

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()

    def _set_fields(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        fields = ', '.join(f'{name}={getattr(self, name)!r}' for name in self.__match_args__)
        return f'{type(self).__qualname__}({fields})'

    def __setattr__(self, name: str, value: object) -> None:
        raise frozen_error(f'cannot assign to field {name!r}')

    def __delattr__(self, name: str) -> None:
        raise frozen_error(f'cannot delete field {name!r}')

    def __replace__(self, **changes: Any) -> Any:
        """A copy with *changes* (what ``copy.replace()`` calls, from Python 3.13)."""
        values = {name: getattr(self, name) for name in self.__match_args__}
        values.update(changes)
        return type(self)(**values)


def _values(value: Any) -> tuple[Any, ...]:
    # Records may leave fields out of equality; FrozenValue subclasses compare them all.
    names = getattr(value, '__record_compared__', None)
    if names is None:
        names = value.__match_args__
    return tuple(getattr(value, name) for name in names)
