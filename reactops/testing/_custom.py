"""Emitting a charm library's own event (``ctx.on.custom(MyLib.on.ready, ...)``).

The event is found on the live charm by its emitter's type: the charm (or an object it
holds) must have an events object of the same class as the one the test named. State
components among the arguments become the model objects the charm would get.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._state_relations import RelationBase, Secret
from .errors import BadOwnerPath, NoObserverError

if TYPE_CHECKING:
    from ..charm import CharmBase
    from ..framework import Object
    from ._events import _Event

__all__ = ['emit_custom']


def _find_emitter(root: Object, kind: type, seen: set[int]) -> Object | None:
    """The events object of class *kind* reachable from *root*: one of root's own
    attributes, or an events descriptor of its class (``on = MyEvents()``), depth first."""
    from ..framework import Object, ObjectEvents

    if type(root) is kind:
        return root
    seen.add(id(root))
    values = list(vars(root).values())
    for klass in type(root).__mro__:
        for name, attr in list(vars(klass).items()):
            if isinstance(attr, ObjectEvents):
                values.append(getattr(root, name))
    for value in values:
        if isinstance(value, Object) and id(value) not in seen:
            found = _find_emitter(value, kind, seen)
            if found is not None:
                return found
    return None


def _to_model(charm: CharmBase, value: Any) -> Any:
    if isinstance(value, RelationBase):
        return charm.model.get_relation(value.endpoint, value.id)
    if isinstance(value, Secret):
        return charm.model.get_secret(id=value.id)
    return value


def emit_custom(charm: CharmBase, event: _Event) -> None:
    """Emit *event*'s custom event on the charm's matching events object."""
    bound = event.custom_event
    assert bound is not None
    emitter_type = type(bound.emitter)
    emitter = _find_emitter(charm, emitter_type, set())
    if emitter is None:
        raise BadOwnerPath(f'the charm has no {emitter_type.__name__} to emit '
                           f'{bound.event_kind} on')
    target = getattr(emitter, bound.event_kind, None)
    if target is None:
        raise NoObserverError(f'{emitter_type.__name__} has no event {bound.event_kind}')
    args = [_to_model(charm, a) for a in event.custom_event_args]
    kwargs = {k: _to_model(charm, v) for k, v in event.custom_event_kwargs.items()}
    target.emit(*args, **kwargs)
