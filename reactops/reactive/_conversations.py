"""Conversations: the remote units of a relation that a legacy ``RelationBase`` talks to
as one, with the flags, local data and remote data of each (see
:mod:`reactops.reactive.relations`, which re-exports every public name here).

The state store layout is charms.reactive's, byte for byte.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ReactiveError
from ._runtime import ReactiveRuntime, current

if TYPE_CHECKING:
    from ..jujucontext import JujuContext
    from ..model import Model, Relation

CONVERSATION_PREFIX = 'reactive.conversations.'
_LOCAL_DATA = 'local-data'


class _Toggle:
    def __repr__(self) -> str:
        return 'TOGGLE'


TOGGLE: Any = _Toggle()
"""Default of ``toggle_state(active=...)``: flip the flag for this conversation."""


# -- errors --------------------------------------------------------------------------------


class ConversationError(ReactiveError, ValueError):
    """A conversation could not be found or made (a ``ValueError``, as charms.reactive's)."""


class NoRelationContextError(ConversationError):
    """The running hook does not say which relation, remote unit or application is meant
    (or no dispatch runs at all)."""


class ConversationNotFoundError(ConversationError):
    """The relation object has no conversation of the scope asked for."""


class RelationBaseLookupError(ConversationError):
    """An interface module holds several unrelated ``RelationBase`` subclasses."""


class scopes:  # noqa: N801 - charms.reactive's name
    """How a :class:`RelationBase` groups remote units into conversations (its ``scope``).

    Any other string is allowed too: it names one relation-wide conversation, like GLOBAL.
    """

    GLOBAL = 'global'
    """One conversation for every remote unit of every relation on the endpoint."""
    SERVICE = 'service'
    """One conversation per remote application (per relation id)."""
    UNIT = 'unit'
    """One conversation per remote unit (the default)."""


# -- the running hook ----------------------------------------------------------------------


def _charm(what: str) -> Any:
    charm = current().charm
    if charm is None:
        raise NoRelationContextError(
            f'{what} needs the running hook, but no dispatch runs: call it from a handler '
            '(under reactops.main() or reactops.testing)')
    return charm


def hook_context() -> JujuContext:
    """The ``JUJU_*`` context of the running dispatch (relation, remote unit, hook).

    Raises :class:`NoRelationContextError` outside a dispatch.
    """
    backend = _charm('reading the hook context').model._backend
    context: JujuContext = backend._juju_context
    return context


def _model(what: str) -> Model:
    model: Model = _charm(what).model
    return model


def _relation_id(context: JujuContext) -> str | None:
    """``JUJU_RELATION_ID`` as charms.reactive used it: ``db:7``."""
    if context.relation_name is None or context.relation_id is None:
        return None
    return f'{context.relation_name}:{context.relation_id}'


def _remote_app(context: JujuContext) -> str | None:
    if context.remote_app:
        return context.remote_app
    return context.remote_unit.split('/')[0] if context.remote_unit else None


# -- the state store -----------------------------------------------------------------------


def _kv_write(runtime: ReactiveRuntime, key: str, value: Any) -> None:
    """Store *value* as charmhelpers' unitdata did (``json.dumps``, default separators), so
    the bytes match; a value plain JSON cannot carry goes through the store's codec."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = None
    if text is not None and json.loads(text) == value and '__reactops__' not in text:
        runtime.storage.kv_set_text(key, text)
    else:
        runtime.storage.kv_set(key, value)


# -- conversations -------------------------------------------------------------------------


class Conversation:
    """The remote units of a relation that this unit talks to as one, and what it knows
    about them: flags, data sent and received, and local notes.

    *namespace* is the relation id (``db:7``) for UNIT and SERVICE scope, else the relation
    name; *scope* is the remote unit, the remote application, or the scope string.
    Conversations persist across hooks in the state store, from the first join until the
    last unit departs.
    """

    def __init__(self, namespace: str, units: Iterable[str], scope: str):
        self.namespace = namespace
        self.units: set[str] = set(units)
        self.scope = scope

    def __repr__(self) -> str:
        return f'<Conversation {self.key} units={sorted(self.units)}>'

    @staticmethod
    def _key(namespace: str, scope: str) -> str:
        return f'{CONVERSATION_PREFIX}{namespace}.{scope}'

    @property
    def key(self) -> str:
        """The state-store key of this conversation (also what flags list)."""
        return self._key(self.namespace, self.scope)

    @property
    def relation_name(self) -> str:
        """The endpoint's name (``db``)."""
        return self.namespace.split(':')[0]

    @property
    def relation_ids(self) -> list[str]:
        """The relations this conversation speaks on, as ``db:7`` strings.

        A relation-wide conversation (namespace without an id) speaks on every live
        relation of the endpoint. *Unlike charms.reactive*, which gave ``['db']`` for a
        custom scope string, that holds for custom scopes as well as GLOBAL.
        """
        if ':' in self.namespace:
            return [self.namespace]
        model = _model(f'conversation {self.key}: relation_ids')
        return [f'{self.namespace}:{rel.id}' for rel in model.relations[self.namespace]]

    # -- persistence ----------------------------------------------------------------------

    @staticmethod
    def serialize(conversation: Conversation) -> dict[str, Any]:
        """The stored record: ``{"namespace", "units" (sorted), "scope"}``, in that order."""
        return {'namespace': conversation.namespace, 'units': sorted(conversation.units),
                'scope': conversation.scope}

    @classmethod
    def deserialize(cls, record: Mapping[str, Any]) -> Conversation:
        """The conversation a stored record describes."""
        try:
            return cls(record['namespace'], record['units'], record['scope'])
        except (KeyError, TypeError) as error:
            raise ConversationError(
                f'conversation record {record!r} lacks namespace, units or scope ({error}); '
                'records written before charms.reactive 0.4 (issue #28) are not migrated: '
                'remove the key from the state store and let the relation rejoin') from None

    @classmethod
    def load(cls, keys: Iterable[str]) -> list[Conversation]:
        """The stored conversations among *keys* (missing ones are skipped)."""
        storage = current().storage
        found = []
        for key in keys:
            record = storage.kv_get(key)
            if record:
                found.append(cls.deserialize(record))
        return found

    def _save(self) -> None:
        runtime = current()
        if self.units:
            _kv_write(runtime, self.key, self.serialize(self))
        else:
            runtime.storage.kv_delete(self.key)

    @classmethod
    def join(cls, scope: str) -> Conversation:
        """Load or start the conversation of *scope* for the running relation hook, and add
        its remote unit to it.

        UNIT scope is the remote unit's conversation on this relation id, SERVICE the
        remote application's, anything else the endpoint-wide one. Raises
        :class:`NoRelationContextError` outside a relation hook, or for UNIT or SERVICE
        scope when the hook has no remote unit or application (relation-created, -broken).
        """
        context = hook_context()
        relation_name, relation_id = context.relation_name, _relation_id(context)
        if relation_name is None or relation_id is None:
            raise NoRelationContextError(
                f'Conversation.join({scope!r}) in hook {context.hook_name!r}: not a relation '
                'hook, so there is no relation to join; build the relation object with '
                'RelationBase.from_flag(flag) or pass conversations=')
        unit = context.remote_unit
        if scope == scopes.UNIT or scope == scopes.SERVICE:
            key = unit if scope == scopes.UNIT else _remote_app(context)
            if key is None:
                raise NoRelationContextError(
                    f'Conversation.join({scope!r}) in hook {context.hook_name!r} of '
                    f'{relation_id}: Juju names no remote '
                    f'{"unit" if scope == scopes.UNIT else "application"} in this hook')
            namespace, scope = relation_id, key
        else:
            namespace = relation_name
        record = current().storage.kv_get(cls._key(namespace, scope))
        conversation = cls.deserialize(record) if record else cls(namespace, [], scope)
        if unit:
            conversation.units.add(unit)
        conversation._save()
        return conversation

    def depart(self) -> None:
        """Remove the running hook's remote unit; the record goes with the last unit.

        *Unlike charms.reactive*, a unit that is not in the conversation is no error.
        """
        unit = hook_context().remote_unit
        if unit is not None:
            self.units.discard(unit)
        self._save()

    # -- flags ----------------------------------------------------------------------------

    def _flag(self, state: str) -> str:
        return state.format(relation_name=self.relation_name)

    @staticmethod
    def _conversations_of(value: Any) -> list[str] | None:
        if isinstance(value, dict) and isinstance(value.get('conversations'), list):
            return value['conversations']  # type: ignore[no-any-return]
        return None

    def set_state(self, state: str) -> None:
        """Set flag *state* (``{relation_name}`` is replaced) and add this conversation to it."""
        runtime, flag = current(), self._flag(state)
        # a copy: the runtime keeps the stored value to tell what changed
        value = copy.deepcopy(runtime.value(flag))
        if self._conversations_of(value) is None:
            value = {'relation': self.relation_name, 'conversations': []}
        if self.key not in value['conversations']:
            value['conversations'].append(self.key)
        runtime.set(flag, value)

    def remove_state(self, state: str) -> None:
        """Take this conversation out of flag *state*; the flag is cleared with the last one.

        A flag set without conversations (by ``set_flag``) is left alone.
        """
        runtime, flag = current(), self._flag(state)
        value = copy.deepcopy(runtime.value(flag))
        keys = self._conversations_of(value)
        if keys is None:
            return
        if self.key in keys:
            keys.remove(self.key)
        if keys:
            runtime.set(flag, value)
        else:
            runtime.clear(flag)

    def is_state(self, state: str) -> bool:
        """Whether this conversation is in flag *state*."""
        keys = self._conversations_of(current().value(self._flag(state)))
        return keys is not None and self.key in keys

    def toggle_state(self, state: str, active: Any = TOGGLE) -> None:
        """Set *state* for this conversation if *active* is truthy, else remove it; with no
        *active*, flip it."""
        if active is TOGGLE:
            active = not self.is_state(state)
        if active:
            self.set_state(state)
        else:
            self.remove_state(state)

    set_flag = set_state
    remove_flag = remove_state
    is_flag_set = is_state
    toggle_flag = toggle_state

    # -- remote data ----------------------------------------------------------------------

    def _relations(self, model: Model) -> list[Relation]:
        relations = []
        for relation_id in self.relation_ids:
            name, _, number = relation_id.partition(':')
            relation = model.get_relation(name, int(number))
            if relation is not None:
                relations.append(relation)
        return relations

    def set_remote(self, key: str | None = None, value: Any = None,
                   data: Mapping[str, Any] | None = None, **kwdata: Any) -> None:
        """Publish data to the remote side, in our unit's bag of every relation of the
        conversation (Juju relation data is application-wide for the receiver anyway).

        Values are written as charmhelpers wrote them: ``str(value)``, ``None`` deletes the
        key. They reach Juju at the end of the dispatch, with the model's other writes.
        """
        merged: dict[str, Any] = dict(data or {})
        if key is not None:
            merged[key] = value
        merged.update(kwdata)
        if not merged:
            return
        encoded = {k: '' if v is None else f'{v}' for k, v in merged.items()}
        model = _model(f'conversation {self.key}: set_remote')
        for relation in self._relations(model):
            relation.data[model.unit].update(encoded)

    def get_remote(self, key: str, default: Any = None) -> Any:
        """The first non-empty value of *key* among the conversation's remote units (in
        relation order, then unit-name order); *default* if none has one.

        In a ``-relation-departed`` hook the departing unit still counts.
        """
        model = _model(f'conversation {self.key}: get_remote')
        context = hook_context()
        departing = context.remote_unit \
            if context.hook_name.endswith('-relation-departed') else None
        for relation in self._relations(model):
            names = sorted(unit.name for unit in relation.units)
            if departing and relation.id == context.relation_id and departing not in names:
                names.append(departing)
            for name in names:
                if name not in self.units:
                    continue
                try:
                    value = relation.data[model.get_unit(name)].get(key)
                except KeyError:  # gone from the relation
                    continue
                if value:
                    return value
        return default

    # -- local data -----------------------------------------------------------------------

    def set_local(self, key: str | None = None, value: Any = None,
                  data: Mapping[str, Any] | None = None, **kwdata: Any) -> None:
        """Keep JSON data for this conversation in the state store, under
        ``<conversation key>.local-data.<key>``."""
        merged: dict[str, Any] = dict(data or {})
        if key is not None:
            merged[key] = value
        merged.update(kwdata)
        runtime = current()
        for name, item in merged.items():
            _kv_write(runtime, f'{self.key}.{_LOCAL_DATA}.{name}', item)

    def get_local(self, key: str, default: Any = None) -> Any:
        """What :meth:`set_local` kept under *key*, or *default*."""
        return current().storage.kv_get(f'{self.key}.{_LOCAL_DATA}.{key}', default)


# -- RelationBase --------------------------------------------------------------------------
