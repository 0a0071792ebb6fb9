"""Legacy ``RelationBase`` and conversations: charms.reactive's interface API before Endpoint.

A *conversation* groups the remote units of a relation that this unit talks to as one:
one per remote unit (scope :attr:`scopes.UNIT`, the default), one per remote application
(:attr:`scopes.SERVICE`), or one for the whole endpoint (:attr:`scopes.GLOBAL`, or any
other string). A :class:`RelationBase` subclass in an interface layer
(``hooks/relations/<interface>/<role>.py``) sets flags *per conversation*, and a handler
given the relation object through ``@when('db.connected')`` sees exactly the
conversations in that flag.

The state store layout is charms.reactive's, byte for byte, so a legacy charm upgraded in
place keeps its conversations:

* ``reactive.conversations.<namespace>.<scope>`` → ``{"namespace", "units", "scope"}``
  (namespace: the relation id ``db:7`` for UNIT and SERVICE scope, else the relation name);
* a flag set by a conversation has the value ``{"relation": <name>, "conversations":
  [<conversation keys>]}`` and is cleared when the last conversation leaves it;
* ``<conversation key>.local-data.<key>`` holds :meth:`Conversation.set_local` data.

Remote data goes through the model (``relation.data[unit]``): read once and cached,
written once at the end of the dispatch like every other relation write. The hook
context (relation, remote unit) is the running dispatch's. Deliberate differences from
charms.reactive are marked *Unlike charms.reactive* in the docstrings.
"""

from __future__ import annotations

import importlib
import inspect
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import HandlerDefinitionError
from ._classes import leaf_classes
from ._conversations import (
    TOGGLE,
    Conversation,
    ConversationError,
    ConversationNotFoundError,
    NoRelationContextError,
    RelationBaseLookupError,
    _charm,
    _kv_write,
    _relation_id,
    _remote_app,
    hook_context,
    scopes,
)
from ._detect import SPEC_ATTRIBUTE
from ._runtime import ReactiveRuntime, current

if TYPE_CHECKING:
    from ..jujucontext import JujuContext

__all__ = [
    'TOGGLE', 'Conversation', 'ConversationError', 'ConversationNotFoundError',
    'NoRelationContextError', 'RelationBase', 'RelationBaseLookupError', 'hook_context',
    'manage_departures', 'relation_base_handlers', 'relation_factory_for',
    'relation_from_flag', 'relation_from_name', 'relation_from_state', 'scopes',
]

# Where charms.reactive looked for an interface layer's module, in its order.
_LEGACY_MODULES = (('reactive/relations', 'reactive.relations'),
                   ('hooks/relations', 'relations'))


def _accessor(field: str) -> Callable[[RelationBase], Any]:
    def accessor(self: RelationBase) -> Any:
        return self.get_remote(field)
    accessor.__name__ = accessor.__qualname__ = field.replace('-', '_')
    accessor.__doc__ = f'Get the {field}, if available, or None.'
    return accessor


class RelationBase:
    """An interface layer's object for one endpoint, in charms.reactive's pre-Endpoint API:
    the endpoint's name and the conversations this hook or flag is about.

    Subclasses set :attr:`scope` and may list remote fields in :attr:`auto_accessors`,
    each becoming a method (``'private-address'`` gives ``private_address()``). With no
    *conversations*, the object joins the running relation hook's conversation; *unlike
    charms.reactive*, it has none in another endpoint's hook, or when the hook names no
    remote unit (application) its UNIT (SERVICE) scope needs.
    """

    scope: ClassVar[str] = scopes.UNIT
    """How remote units are grouped into conversations (a :class:`scopes` value or any
    string)."""

    auto_accessors: ClassVar[list[str]] = []
    """Remote fields that get an accessor method (``get_remote(field)``)."""

    class states:  # noqa: N801 - charms.reactive's name
        """The flags the relation may set, as attributes: documentation only, as
        charms.reactive's ``StateList`` subclasses that interface layers put here."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = cls.__dict__.get('auto_accessors', ())
        if isinstance(fields, str) or not all(isinstance(f, str) and f for f in fields):
            raise HandlerDefinitionError(
                f'{cls.__module__}.{cls.__qualname__}.auto_accessors must be a list of field '
                f'names (non-empty strings), got {fields!r}')
        for field in fields:
            name = field.replace('-', '_')
            # Unlike charms.reactive, a method the class defines itself is kept.
            if name not in cls.__dict__:
                accessor = _accessor(field)
                accessor.__module__ = cls.__module__
                setattr(cls, name, accessor)

    def __init__(self, relation_name: str, conversations: list[Conversation] | None = None):
        self._relation_name = relation_name
        if conversations is None:
            conversations = self._join_running_hook()
        self._conversations = list(conversations)

    def _join_running_hook(self) -> list[Conversation]:
        context = hook_context()
        if context.relation_name != self._relation_name:
            return []  # not this endpoint's hook: nothing to talk about
        try:
            return [Conversation.join(self.scope)]
        except NoRelationContextError:
            return []  # e.g. UNIT scope in relation-broken: no remote unit to talk to

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self._relation_name} ' \
               f'conversations={[c.key for c in self._conversations]}>'

    @property
    def relation_name(self) -> str:
        """The endpoint's name in the charm's metadata."""
        return self._relation_name

    # -- finding the object --------------------------------------------------------------

    @classmethod
    def from_name(cls, relation_name: str | None,
                  conversations: list[Conversation] | None = None) -> RelationBase | None:
        """The interface layer's object for endpoint *relation_name* (``None`` if its
        interface module has no RelationBase subclass).

        Called on a subclass (``MySQLClient.from_name('db')``), that subclass is used
        without looking the interface module up.
        """
        if not relation_name:
            return None
        factory = cls if cls is not RelationBase else relation_factory_for(relation_name)
        return factory(relation_name, conversations) if factory is not None else None

    @classmethod
    def from_flag(cls, flag: str) -> RelationBase | None:
        """The object for the conversations a set *flag* lists (``None`` if the flag is
        unset or not a conversation flag).

        *Unlike charms.reactive*, whose records all gone made it join the running hook's
        conversation, the object then has no conversations.
        """
        value = current().value(flag)
        if not isinstance(value, dict) or 'relation' not in value:
            return None
        keys = value.get('conversations') or []
        return cls.from_name(value['relation'], Conversation.load(keys))

    @classmethod
    def from_state(cls, state: str) -> RelationBase | None:
        """Deprecated name of :meth:`from_flag`."""
        return cls.from_flag(state)

    # -- conversations --------------------------------------------------------------------

    def conversations(self) -> list[Conversation]:
        """The conversations of this hook or flag (not every one the endpoint has)."""
        return list(self._conversations)

    def conversation(self, scope: str | None = None) -> Conversation:
        """The conversation of *scope*; by default the running hook's (UNIT: the remote
        unit, SERVICE: the remote application) or, for other scopes, the only one."""
        if scope is None:
            if self.scope in (scopes.UNIT, scopes.SERVICE):
                context = hook_context()
                scope = context.remote_unit if self.scope == scopes.UNIT \
                    else _remote_app(context)
                if scope is None:
                    raise NoRelationContextError(
                        f'{type(self).__name__}({self._relation_name!r}) has scope '
                        f'{self.scope!r}, but hook {context.hook_name!r} names no remote '
                        f'{"unit" if self.scope == scopes.UNIT else "application"}: pass '
                        'scope= or iterate conversations()')
            else:
                scope = self.scope
        for conversation in self._conversations:
            if conversation.scope == scope:
                return conversation
        known = ', '.join(repr(c.scope) for c in self._conversations) or 'none'
        raise ConversationNotFoundError(
            f'{type(self).__name__}({self._relation_name!r}) has no conversation with scope '
            f'{scope!r} (it has: {known}); it holds only the conversations of the running '
            'hook or of the flag it came from')

    def set_state(self, state: str, scope: str | None = None) -> None:
        """``conversation(scope).set_state(state)``."""
        self.conversation(scope).set_state(state)

    def remove_state(self, state: str, scope: str | None = None) -> None:
        """``conversation(scope).remove_state(state)``."""
        self.conversation(scope).remove_state(state)

    def is_state(self, state: str, scope: str | None = None) -> bool:
        """``conversation(scope).is_state(state)``."""
        return self.conversation(scope).is_state(state)

    def toggle_state(self, state: str, active: Any = TOGGLE, scope: str | None = None) -> None:
        """``conversation(scope).toggle_state(state, active)``."""
        self.conversation(scope).toggle_state(state, active)

    set_flag = set_state
    remove_flag = remove_state
    is_flag_set = is_state
    toggle_flag = toggle_state

    def set_remote(self, key: str | None = None, value: Any = None,
                   data: Mapping[str, Any] | None = None, scope: str | None = None,
                   **kwdata: Any) -> None:
        """``conversation(scope).set_remote(key, value, data, **kwdata)``."""
        self.conversation(scope).set_remote(key, value, data, **kwdata)

    def get_remote(self, key: str, default: Any = None, scope: str | None = None) -> Any:
        """``conversation(scope).get_remote(key, default)``."""
        return self.conversation(scope).get_remote(key, default)

    def set_local(self, key: str | None = None, value: Any = None,
                  data: Mapping[str, Any] | None = None, scope: str | None = None,
                  **kwdata: Any) -> None:
        """``conversation(scope).set_local(key, value, data, **kwdata)``."""
        self.conversation(scope).set_local(key, value, data, **kwdata)

    def get_local(self, key: str, default: Any = None, scope: str | None = None) -> Any:
        """``conversation(scope).get_local(key, default)``."""
        return self.conversation(scope).get_local(key, default)


# -- finding an endpoint's RelationBase subclass -------------------------------------------

# Per dispatch (a runtime is one dispatch): relation name -> its class, or None.
_FACTORIES: weakref.WeakKeyDictionary[ReactiveRuntime, dict[str, type[RelationBase] | None]] = \
    weakref.WeakKeyDictionary()


def relation_factory_for(relation_name: str) -> type[RelationBase] | None:
    """The RelationBase subclass implementing endpoint *relation_name*, or ``None``.

    Looked up from the charm's metadata (role and interface) in charms.reactive's places:
    ``reactive/relations/<interface>/<role>.py``, then ``hooks/relations/...``; the
    module's most-derived RelationBase subclass. Found once per dispatch.
    """
    cache = _FACTORIES.setdefault(current(), {})
    if relation_name not in cache:
        cache[relation_name] = _find_factory(relation_name)
    return cache[relation_name]


def _find_factory(relation_name: str) -> type[RelationBase] | None:
    framework = _charm(f'finding the interface layer of {relation_name!r}').framework
    rel_meta = (getattr(framework.meta, 'relations', None) or {}).get(relation_name)
    if rel_meta is None:
        return None
    role = {'peer': 'peers'}.get(rel_meta.role.value, rel_meta.role.value)
    charm_dir = Path(framework.charm_dir or '.')
    from .registry import _switch_charm

    _switch_charm(charm_dir)  # import as handler discovery does, so classes are shared
    for directory, package in _LEGACY_MODULES:
        path = charm_dir / directory / rel_meta.interface_name / f'{role}.py'
        if path.is_file():
            module = importlib.import_module(f'{package}.{rel_meta.interface_name}.{role}')
            return _most_derived(module, str(path.relative_to(charm_dir)))
    return None


def _relation_base_classes(module: ModuleType) -> set[type[RelationBase]]:
    return {value for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, RelationBase)
            and value is not RelationBase}


def _most_derived(module: ModuleType, where: str) -> type[RelationBase] | None:
    candidates = _relation_base_classes(module)
    leaves = leaf_classes(candidates)
    if len(leaves) > 1:
        raise RelationBaseLookupError(
            f'{where} defines {len(leaves)} unrelated RelationBase subclasses '
            f'({", ".join(c.__qualname__ for c in leaves)}); charms.reactive would take the '
            'first alphabetically: keep one most-derived implementation')
    return leaves[0] if leaves else None


def relation_base_handlers(module: ModuleType) -> list[Callable[..., Any]]:
    """The decorated functions (``@hook``, ``@when``...) defined in the RelationBase
    subclasses of *module*, to register as plain handlers: charms.reactive registered them
    at class creation, and called them with the relation object as ``self``."""
    found: list[Callable[..., Any]] = []
    for cls in sorted(_relation_base_classes(module), key=lambda c: c.__qualname__):
        if cls.__module__ != module.__name__:
            continue  # imported: registered with its own module
        for value in vars(cls).values():
            if inspect.isfunction(value) and hasattr(value, SPEC_ATTRIBUTE) \
                    and value not in found:
                found.append(value)
    return found


def relation_from_name(relation_name: str | None) -> RelationBase | None:
    """The legacy relation object of endpoint *relation_name* for the running hook."""
    return RelationBase.from_name(relation_name)


def relation_from_flag(flag: str) -> RelationBase | None:
    """The legacy relation object of the conversations in *flag* (``None`` if none)."""
    return RelationBase.from_flag(flag)


def relation_from_state(state: str) -> RelationBase | None:
    """Deprecated name of :func:`relation_from_flag`."""
    return RelationBase.from_flag(state)


# -- departures ----------------------------------------------------------------------------


def manage_departures(runtime: ReactiveRuntime, juju_context: JujuContext) -> None:
    """In a ``-relation-departed`` hook, take the departing unit out of its UNIT-scoped
    conversation, deleting the record (charms.reactive did this at exit of every
    departed hook). SERVICE and GLOBAL conversations keep it, as they did there.

    Call once, after the handlers ran.
    """
    if not juju_context.hook_name.endswith('-relation-departed'):
        return
    relation_id, unit = _relation_id(juju_context), juju_context.remote_unit
    if relation_id is None or unit is None:
        return
    key = Conversation._key(relation_id, unit)
    record = runtime.storage.kv_get(key)
    if not record:
        return
    conversation = Conversation.deserialize(record)
    conversation.units.discard(unit)
    if conversation.units:
        _kv_write(runtime, key, Conversation.serialize(conversation))
    else:
        runtime.storage.kv_delete(key)
