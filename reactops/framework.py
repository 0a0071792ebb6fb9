"""The event core: handles, objects, events, observers, deferral and commit.

Juju runs each hook in a new process. Inside it, the :class:`Framework` emits one event
to the objects that observe it; an observer may :meth:`~EventBase.defer` the event, and
the framework then keeps a *notice* in the state store so the event is delivered again,
first, in the next dispatch. Every emitted event is stored as a snapshot and restored
before an observer sees it, so an observer sees the same thing today and when re-run.

Nothing is durable until :meth:`Framework.commit`: a dispatch that raises keeps none of
its stored state, notices or event counter.

The names and signatures follow ``ops.framework``, so ``from ops.framework import X``
ports as ``from reactops.framework import X``.
"""

from __future__ import annotations

import keyword
import os
import sys
import types
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ._private import codec as _codec
from ._private.callshape import accepts_positional
from ._private.lazylog import get_logger
from ._private.lazypath import PathOnRead
from ._private.pubname import public_module
from ._private.typing import TYPE_CHECKING, Generic, TypeVar, cast, overload
from .errors import NoSnapshotError, NoTypeError, SnapshotEncodingError
from .storage import SQLiteStorage

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from typing_extensions import Self

    from ._private.serializable import Serializable
    from .stored import (
        BoundStoredState,
        StoredDict,
        StoredList,
        StoredSet,
        StoredState,
        StoredStateData,
    )

__all__ = [
    'BoundEvent',
    'BoundStoredState',
    'CommitEvent',
    'EventBase',
    'EventSource',
    'Framework',
    'FrameworkEvents',
    'Handle',
    'HandleKind',
    'LifecycleEvent',
    'NoSnapshotError',
    'NoTypeError',
    'Object',
    'ObjectEvents',
    'PreCommitEvent',
    'PrefixedEvents',
    'Serializable',
    'StoredDict',
    'StoredList',
    'StoredSet',
    'StoredState',
    'StoredStateData',
]

logger = get_logger(public_module(__name__))

_EventType = TypeVar('_EventType', bound='EventBase')
_BREAKPOINT_NAME = r'^[a-z0-9]([a-z0-9\-]*[a-z0-9])?$'  # compiled on first use
# The handle path of an event snapshot (as opposed to stored state): `.../on/<kind>[<n>]`.
_event_regex = r'^(|.*/)on/[a-zA-Z_]+\[\d+\]$'
# Printed once per process, before the first pdb session a breakpoint opens.
_BREAKPOINT_WELCOME_MESSAGE = """
Starting pdb to debug charm operator (a breakpoint, or JUJU_DEBUG_AT).
Type `h` for help, `c` to continue the hook, or `exit` / CTRL-d to stop it.
Other breakpoints may stop the hook again later. About `juju debug-code`:
https://documentation.ubuntu.com/juju/3.6/reference/juju-cli/list-of-juju-cli-commands/debug-code/

"""
_FRAMEWORK_STORED_PATH = 'StoredStateData[_stored]'


def _split_segment(segment: str) -> tuple[str | None, str | None]:
    """A handle path segment's kind and key (``on[4]`` gives ``('on', '4')``, ``on`` gives
    ``('on', None)``); ``(None, None)`` when malformed. Written out, not a regular
    expression, so that reading deferred events back imports no :mod:`re`."""
    start = segment.find('[')
    kind = segment if start < 0 else segment[:start]
    if not kind or ']' in kind:
        return None, None
    if start < 0:
        return kind, None
    key = segment[start + 1:]
    if not key.endswith(']') or '\n' in key:  # the key is anything but a line break
        return None, None
    return kind, key[:-1]


class Handle:
    """The address of an object or event in the state store: ``parent/kind[key]``.

    Handles compare equal when parent, kind and key are equal. The key is left out of the
    path when it is empty, so ``Handle(None, 'MyCharm', None).path == 'MyCharm'``.
    """

    def __init__(self, parent: Handle | Object | None, kind: str, key: str | None):
        if isinstance(parent, Object):
            parent = parent.handle
        self._parent = parent
        self._kind = kind
        self._key = key
        own = f'{kind}[{key}]' if key else kind
        self._path = f'{parent.path}/{own}' if parent is not None else own

    def nest(self, kind: str, key: str | None) -> Handle:
        """Return a handle for a child of this one."""
        return Handle(self, kind, key)

    @property
    def parent(self) -> Handle | None:
        """The parent handle, or ``None`` at the top."""
        return self._parent

    @property
    def kind(self) -> str:
        """The kind of thing addressed (a class name, an event kind, ...)."""
        return self._kind

    @property
    def key(self) -> str | None:
        """What tells this handle apart from its siblings of the same kind."""
        return self._key

    @property
    def path(self) -> str:
        """The full path, e.g. ``MyCharm/on/config_changed[4]``."""
        return self._path

    @classmethod
    def from_path(cls, path: str) -> Handle:
        """Parse a handle path back into a :class:`Handle`."""
        handle: Handle | None = None
        for segment in path.split('/'):
            kind, key = _split_segment(segment)
            if kind is None:
                raise RuntimeError(f'handle path {path!r} has a malformed segment {segment!r}')
            handle = Handle(handle, kind, key)
        assert handle is not None
        return handle

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Handle):
            return NotImplemented
        return (self._parent, self._kind, self._key) == (other._parent, other._kind, other._key)

    def __hash__(self) -> int:
        return hash((self._parent, self._kind, self._key))

    def __repr__(self) -> str:
        return f'Handle({self._path!r})'

    def __str__(self) -> str:
        return self._path


class HandleKind:
    """``handle_kind`` defaults to the class name, and is not inherited when overridden."""

    def __get__(self, obj: object, owner: type) -> str:
        declared = owner.__dict__.get('handle_kind')
        return declared if isinstance(declared, str) else owner.__name__


class Object:
    """A thing with a handle that can emit and observe events: a charm, a library, ...

    *parent* is the :class:`Framework` (the object then sits at the top) or another
    Object (it nests under it). Two live objects may not share a path: create a library
    object twice and give each its own *key*.
    """

    handle_kind: str = cast(str, HandleKind())

    def __init__(self, parent: Framework | Object, key: str | None):
        kind = self.handle_kind
        if isinstance(parent, Framework):
            self.framework: Framework = parent
            # The framework is its own parent; a proxy avoids a reference cycle.
            if self.framework is self:
                self.framework = weakref.proxy(self.framework)
            self.handle = Handle(None, kind, key)
        else:
            self.framework = parent.framework
            self.handle = Handle(parent, kind, key)
        self.framework._track(self)

    @property
    def model(self) -> Any:
        """The Juju model the framework was given (``None`` when only the core is used)."""
        return self.framework.model


class EventBase:
    """Something that happened, delivered to the observers of its :class:`EventSource`.

    Subclasses that carry data override :meth:`snapshot` and :meth:`restore`: the event
    an observer receives is always rebuilt from its snapshot.
    """

    framework: Framework | None = None
    # Events that come from Juju (hooks and actions) set this; JUJU_DEBUG_AT=hook uses it.
    _juju_hook_event: bool = False

    def __init__(self, handle: Handle):
        self.handle = handle
        self.deferred = False

    def defer(self) -> None:
        """Deliver this event to this observer again at the start of the next dispatch.

        The observer keeps running; deferral only marks the event. Deferred events run
        before the next Juju event, in the order they were first emitted.
        """
        logger.debug('Deferring %s.', self)
        self.deferred = True

    def snapshot(self) -> dict[str, Any]:
        """Return the event's data, to be stored as JSON; the base event has none."""
        return {}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event from :meth:`snapshot`'s data."""
        self.deferred = False

    def __repr__(self) -> str:
        path = self.handle.path if getattr(self, 'handle', None) is not None else None
        return f'<{type(self).__name__} via {path}>'


class LifecycleEvent(EventBase):
    """An event of the framework's own life (pre-commit, commit, collect-status).

    These happen once, at a fixed point of the dispatch, so deferring one is an error.
    """

    def defer(self) -> None:
        """Refuse: lifecycle events cannot be deferred."""
        raise RuntimeError(f'cannot defer {type(self).__name__}: lifecycle events happen '
                           'once, at a fixed point of the dispatch')


class PreCommitEvent(LifecycleEvent):
    """Emitted just before the dispatch's changes are committed: a last chance to write."""


class CommitEvent(LifecycleEvent):
    """Emitted while the dispatch commits; stored state saves itself on it."""


class EventSource(Generic[_EventType]):
    """Declares an event on an :class:`ObjectEvents` class: ``ping = EventSource(Ping)``."""

    def __init__(self, event_type: type[_EventType]):
        if not (isinstance(event_type, type) and issubclass(event_type, EventBase)):
            raise RuntimeError(
                f'Event requires a subclass of EventBase as an argument, got {event_type}')
        self.event_type = event_type
        self.event_kind: str | None = None
        self.emitter_type: type[Object] | None = None

    def __set_name__(self, emitter_type: type[Object], event_kind: str) -> None:
        if self.event_kind is not None:
            # One EventSource per event: the kind is the attribute's name.
            first = getattr(self.emitter_type, '__name__', self.emitter_type)
            raise RuntimeError(
                f'EventSource({self.event_type.__name__}) reused as {first}.{self.event_kind} '
                f'and {emitter_type.__name__}.{event_kind}')
        self.event_kind = event_kind
        self.emitter_type = emitter_type

    @overload
    def __get__(self, emitter: None, emitter_type: type[Object]) -> EventSource[_EventType]: ...

    @overload
    def __get__(self, emitter: Object, emitter_type: type[Object]) -> BoundEvent: ...

    def __get__(self, emitter: Object | None,
                emitter_type: type[Object]) -> EventSource[_EventType] | BoundEvent:
        if emitter is None:
            return self
        assert self.event_kind is not None
        # An emitter not attached to a framework (the class-level `on` of a charm) can
        # still list its events.
        framework = getattr(emitter, 'framework', None)
        if framework is not None:
            framework.register_type(self.event_type, emitter, self.event_kind)
        return BoundEvent(emitter, self.event_type, self.event_kind)


class BoundEvent:
    """An event source bound to its emitter: what ``obj.on.ping`` returns."""

    def __init__(self, emitter: Object, event_type: type[EventBase], event_kind: str):
        self.emitter = emitter
        self.event_type = event_type
        self.event_kind = event_kind

    def emit(self, *args: Any, **kwargs: Any) -> None:
        """Emit the event now: its observers run before ``emit`` returns.

        The arguments go to the event class's constructor after the handle.
        """
        framework = self.emitter.framework
        key = framework._next_event_key()
        event = self.event_type(Handle(self.emitter, self.event_kind, key), *args, **kwargs)
        event.framework = framework
        framework._emit(event)

    def __repr__(self) -> str:
        return (f'<BoundEvent {self.event_type.__name__} bound to '
                f'{type(self.emitter).__name__}.{self.event_kind} at {hex(id(self))}>')


class ObjectEvents(Object):
    """The set of events an object can emit, declared as class attributes.

    Used as a descriptor, ``on = MyEvents()``, it gives each emitter its own instance,
    whose handle is ``<emitter>/on``.
    """

    handle_kind = 'on'

    def __init__(self, parent: Object | None = None, key: str | None = None):
        if parent is not None:
            super().__init__(parent, key)
        self._cache: weakref.WeakKeyDictionary[Object, ObjectEvents] = (
            weakref.WeakKeyDictionary())

    @overload
    def __get__(self, emitter: None, emitter_type: type[Object]) -> Self: ...

    @overload
    def __get__(self, emitter: Object, emitter_type: type[Object]) -> Self: ...

    def __get__(self, emitter: Object | None, emitter_type: type[Object]) -> Self:
        if emitter is None:
            return self
        instance = self._cache.get(emitter)
        if instance is None:
            instance = type(self)(emitter)
            self._cache[emitter] = instance
        return cast('Self', instance)

    @classmethod
    def define_event(cls, event_kind: str, event_type: type[EventBase]) -> None:
        """Add an event to this class at run time (used for events named in metadata).

        This changes the class for every instance; to keep a change local, subclass first.
        """
        problem = 'unable to define an event with event_kind that '
        if not event_kind.isidentifier():
            raise RuntimeError(f'{problem}is not a valid python identifier: {event_kind}')
        if keyword.iskeyword(event_kind):
            raise RuntimeError(f'{problem}is a python keyword: {event_kind}')
        if hasattr(cls, event_kind):
            raise RuntimeError(
                f'{problem}overlaps with an existing type {cls} attribute: {event_kind}')
        source = EventSource(event_type)
        source.__set_name__(cls, event_kind)
        setattr(cls, event_kind, source)

    def _event_kinds(self) -> list[str]:
        seen: dict[str, object] = {}
        for klass in type(self).__mro__:
            for name, value in vars(klass).items():
                seen.setdefault(name, value)
        return sorted(name for name, value in seen.items() if isinstance(value, EventSource))

    def events(self) -> dict[str, BoundEvent]:
        """Return every event of this emitter, by kind."""
        return {kind: getattr(self, kind) for kind in self._event_kinds()}

    def __getitem__(self, key: str) -> PrefixedEvents:
        """``charm.on['db']`` gives the events whose kind starts with ``db_``."""
        return PrefixedEvents(self, key)

    def __repr__(self) -> str:
        cls = type(self)
        return f'<{cls.__module__}.{cls.__qualname__}: {", ".join(self._event_kinds())}>'

    if TYPE_CHECKING:
        # For type checkers only: the events a charm's metadata defines at run time
        # (`self.on.db_relation_joined`, `self.on.backup_action`) are not class attributes
        # they can see. At run time an unknown name raises AttributeError as before.
        def __getattr__(self, name: str) -> BoundEvent: ...


class PrefixedEvents:
    """The events of an emitter whose kind starts with a prefix (``on['db-x']``)."""

    def __init__(self, emitter: ObjectEvents, key: str):
        self._emitter = emitter
        self._prefix = key.replace('-', '_') + '_'

    def __getattr__(self, name: str) -> BoundEvent:
        return cast(BoundEvent, getattr(self._emitter, self._prefix + name))


class FrameworkEvents(ObjectEvents):
    """The framework's own events, emitted by :meth:`Framework.commit`."""

    pre_commit = EventSource(PreCommitEvent)
    commit = EventSource(CommitEvent)


class Framework(Object):
    """Routes events to observers and owns the dispatch's transaction in the state store.

    *storage* is a :class:`~reactops.storage.SQLiteStorage` (or a path to make one).
    *charm_dir*, *meta* and *model* describe the charm and may be ``None`` when only the
    event core is used. The event counter, stored state and deferred notices live in
    *storage* and become durable only at :meth:`commit`.
    """

    on = FrameworkEvents()

    def __init__(self, storage: SQLiteStorage | str | os.PathLike[str],
                 charm_dir: str | os.PathLike[str] | None, meta: Any, model: Any,
                 event_name: str | None = None, juju_debug_at: set[str] | None = None,
                 skip_duplicate_events: bool = True):
        self._objects: weakref.WeakValueDictionary[str, Object] = weakref.WeakValueDictionary()
        self._observer: weakref.WeakValueDictionary[str, Object] = (
            weakref.WeakValueDictionary())
        # (observer path, method name, emitter path, event kind), in registration order.
        self._observers: list[tuple[str, str, str, str]] = []
        self._type_registry: dict[tuple[str | None, str], type[Any]] = {}
        self._type_known: set[type[Any]] = set()
        self._closed = False
        self._debug_welcome_shown = False
        super().__init__(self, None)

        if isinstance(storage, (str, os.PathLike)):
            logger.warning('deprecated: Framework now takes a Storage not a path')
            storage = SQLiteStorage(storage)
        self._storage = storage
        self.charm_dir = cast('Path | None', charm_dir)  # a Path when read (see charm_dir)
        self.meta = meta
        self.model = model
        self._event_name = event_name.replace('-', '_') if event_name else None
        self._juju_debug_at = set(juju_debug_at or ())
        self.skip_duplicate_events = skip_duplicate_events
        try:
            self._stored: dict[str, Any] = self._storage.load_snapshot(_FRAMEWORK_STORED_PATH)
        except NoSnapshotError:
            self._stored = {'event_count': 0}

    # The framework is its own Object; `model` is a plain attribute here.
    model: Any = None

    if TYPE_CHECKING:
        charm_dir: Path | None
    else:
        charm_dir = PathOnRead('charm_dir')
    """The charm's directory as a ``pathlib.Path`` (None without a charm); made when first
    read, so a hook that never reads it imports no pathlib."""

    # -- objects and types ---------------------------------------------------------------

    def _track(self, obj: Object) -> None:
        path = obj.handle.path
        if path in self._objects:
            raise RuntimeError(
                f'two objects claiming to be {path} have been created; give each instance '
                'of a class created under the same parent its own key')
        self._objects[path] = obj

    def _forget(self, obj: Object | EventBase) -> None:
        self._objects.pop(obj.handle.path, None)

    def register_type(self, cls: type[Any], parent: Handle | Object | None,
                      kind: str | None = None) -> None:
        """Remember which class to rebuild for handles of *kind* under *parent*."""
        if isinstance(parent, Object):
            parent = parent.handle
        parent_path = parent.path if parent is not None else None
        event_kind: str = kind if kind is not None else cls.handle_kind
        self._type_registry[(parent_path, event_kind)] = cls
        self._type_known.add(cls)

    # -- snapshots -----------------------------------------------------------------------

    def save_snapshot(self, value: Any) -> None:
        """Store ``value.snapshot()`` under ``value.handle``; the type must be registered.

        The data must be plain (see :mod:`reactops._private.codec`), else :class:`ValueError`.
        """
        data = value.snapshot()
        self._check_snapshot(value, data)
        self._storage.save_snapshot(value.handle.path, data)

    def _check_snapshot(self, value: Any, data: Any) -> None:
        if type(value) not in self._type_known:
            raise RuntimeError(
                f'cannot save {type(value).__name__} values before registering that type')
        try:
            _codec.check(data, where=f'snapshot of {value.handle.path}')
        except SnapshotEncodingError as e:
            # Shown by shape (keys, types), never values: they may be passwords or secrets.
            raise SnapshotEncodingError(
                f'unable to save the data for {type(value).__name__}, it must contain only '
                f'simple types: {_codec.redact(data)}') from e

    def load_snapshot(self, handle: Handle) -> Any:
        """Rebuild the object stored under *handle* (raises :class:`NoTypeError`)."""
        parent_path = handle.parent.path if handle.parent is not None else None
        cls = self._type_registry.get((parent_path, handle.kind))
        if cls is None:
            raise NoTypeError(handle.path)
        data = self._storage.load_snapshot(handle.path)
        obj = cast('Any', cls).__new__(cls)
        obj.framework = self
        obj.handle = handle
        obj.restore(data)
        self._track(obj)
        return obj

    def drop_snapshot(self, handle: Handle) -> None:
        """Forget the snapshot stored under *handle*."""
        self._storage.drop_snapshot(handle.path)

    # -- observing and emitting ----------------------------------------------------------

    def observe(self, bound_event: BoundEvent, observer: Callable[[Any], None]) -> None:
        """Call *observer* (a method of an :class:`Object`) each time *bound_event* fires.

        Observers run in the order they were registered. Only the observer's path and
        method name are kept, so deferred events reach the same method next dispatch.
        """
        if not isinstance(bound_event, BoundEvent):
            raise TypeError(f'Framework.observe requires a BoundEvent (such as self.on.install) '
                            f'as second parameter, got {bound_event}')
        if not isinstance(observer, types.MethodType):
            # Only a method can be found again (by object path and name) when a deferred
            # event is delivered in a later dispatch.
            raise TypeError(f"Framework.observe requires a method as the 'observer' parameter "
                            f'(e.g. self._on_install), got {observer}')
        owner = observer.__self__
        method_name = observer.__name__
        if not isinstance(owner, Object):
            raise TypeError(f'Framework.observe: {type(owner).__name__}.{method_name} belongs '
                            'to an object that is not a reactops Object; derive its class '
                            'from reactops.framework.Object')
        if not accepts_positional(observer, 1, exactly=True, follow_wrapped=False):
            raise TypeError(f'Framework.observe: {type(owner).__name__}.{method_name} must be '
                            "callable with only 'self' and the 'event'")
        emitter = bound_event.emitter
        if getattr(emitter, 'handle', None) is None:
            raise TypeError(f'event emitter {type(emitter).__name__} must have a "handle" '
                            'attribute')
        self.register_type(bound_event.event_type, emitter, bound_event.event_kind)
        self._observers.append(
            (owner.handle.path, method_name, emitter.handle.path, bound_event.event_kind))
        self._observer[owner.handle.path] = owner

    def _is_observed(self, bound_event: BoundEvent) -> bool:
        """Whether any observer is registered for *bound_event*."""
        path, kind = bound_event.emitter.handle.path, bound_event.event_kind
        return any(emitter == path and k == kind for _, _, emitter, k in self._observers)

    def _next_event_key(self) -> str:
        self._stored['event_count'] += 1
        return str(self._stored['event_count'])

    def _emit(self, event: EventBase) -> None:
        """Store *event* with a notice per observer, then deliver it."""
        handle = event.handle
        assert handle.parent is not None
        emitter_path = handle.parent.path
        data = event.snapshot()
        _codec.check(data, where=f'snapshot of {handle.path}')
        saved = False
        for observer_path, method_name, source_path, kind in self._observers:
            if source_path != emitter_path or kind != handle.kind:
                continue
            if self.skip_duplicate_events and self._already_queued(
                    handle, data, observer_path, method_name):
                logger.info('Skipping notice (%s/%s/%s): an equal one is already queued.',
                            handle.path, observer_path, method_name)
                continue
            if not saved:
                self._storage.save_snapshot(handle.path, data)
                saved = True
            self._storage.save_notice(handle.path, observer_path, method_name)
        if saved:
            self._reemit(handle.path)

    def _already_queued(self, handle: Handle, data: dict[str, Any],
                        observer_path: str, method_name: str) -> bool:
        """Whether a deferred notice for an equal event already waits for this observer."""
        assert handle.parent is not None
        prefix = f'{handle.parent.path}/{handle.kind}['
        for event_path, queued_observer, queued_method in self._storage.notices():
            if (queued_observer, queued_method) != (observer_path, method_name):
                continue
            if not event_path.startswith(prefix) or event_path == handle.path:
                continue
            try:
                if self._storage.load_snapshot(event_path) == data:
                    return True
            except NoSnapshotError:
                continue
        return False

    def reemit(self) -> None:
        """Deliver every deferred event again, in the order first emitted."""
        self._reemit()

    def _reemit(self, single_event_path: str | None = None) -> None:
        notices = list(self._storage.notices(single_event_path))
        last_path: str | None = None
        keep_snapshot = False
        for position, (event_path, observer_path, method_name) in enumerate(notices, 1):
            if event_path != last_path:
                if last_path is not None and not keep_snapshot:
                    self._storage.drop_snapshot(last_path)
                last_path, keep_snapshot = event_path, False
            if self._deliver(event_path, observer_path, method_name,
                             deferred_position=None if single_event_path else
                             (position, len(notices))):
                keep_snapshot = True
        if last_path is not None and not keep_snapshot:
            self._storage.drop_snapshot(last_path)

    def _deliver(self, event_path: str, observer_path: str, method_name: str,
                 deferred_position: tuple[int, int] | None) -> bool:
        """Run one notice; return whether the observer deferred the event again."""
        handle = Handle.from_path(event_path)
        try:
            event: EventBase = self.load_snapshot(handle)
        except (NoTypeError, NoSnapshotError) as e:
            logger.warning('Dropping notice for %s: %s', event_path, e)
            self._storage.drop_notice(event_path, observer_path, method_name)
            return False
        event.deferred = False
        try:
            observer = self._observer.get(observer_path)
            method = getattr(observer, method_name, None) if observer is not None else None
            if observer is None:
                logger.warning('Reference to ops.Object at path %s was garbage collected before '
                               '%s was emitted; dropping the notice. Keep a reference to the '
                               'observer (e.g. as an attribute of the charm).', observer_path,
                               event_path)
            elif method is None:
                logger.warning('Dropping notice for %s: %s has no method %s', event_path,
                               observer_path, method_name)
            else:
                if deferred_position is not None:
                    logger.debug('Re-emitting deferred event %s (%d of %d in queue).',
                                 event_path, *deferred_position)
                elif (self._event_name and self._event_name != handle.kind
                      and not isinstance(event, LifecycleEvent)):
                    # Neither the Juju event of this dispatch nor a framework one.
                    logger.debug('Emitting custom event %s.', event)
                with self._event_context(handle.kind):
                    self._call_observer(method, event)
        finally:
            self._forget(event)
        if event.deferred:
            return True
        self._storage.drop_notice(event_path, observer_path, method_name)
        return False

    def _call_observer(self, method: Callable[[Any], None], event: EventBase) -> None:
        if event._juju_hook_event and self._juju_debug_at & {'all', 'hook'}:
            self._show_debug_welcome()
            import pdb

            pdb.runcall(method, event)
        else:
            method(event)

    @contextmanager
    def _event_context(self, event_name: str) -> Iterator[None]:
        """Mark that charm code runs for *event_name* (the model checks access rules then)."""
        backend = getattr(self.model, '_backend', None)
        if backend is None:
            yield
            return
        previous = getattr(backend, '_hook_is_running', '')
        backend._hook_is_running = event_name
        try:
            yield
        finally:
            backend._hook_is_running = previous

    # -- commit and close ----------------------------------------------------------------

    def commit(self) -> None:
        """Emit pre-commit and commit, then make the dispatch's changes durable.

        Between the commit event and the store's commit, a model that buffers writes to
        Juju (relation data) sends them, through its ``_on_commit()`` method: if that
        fails, nothing of the dispatch is kept.
        """
        self.on.pre_commit.emit()
        self.on.commit.emit()
        publish = getattr(self.model, '_on_commit', None)
        if publish is not None:
            publish()
        self._storage.save_snapshot(_FRAMEWORK_STORED_PATH, self._stored)
        self._storage.commit()

    def close(self) -> None:
        """Close the state store; anything not committed is discarded."""
        self._storage.close()
        self._closed = True

    def remove_unreferenced_events(self) -> None:
        """Drop event snapshots no notice refers to (left by older framework versions)."""
        referenced = {event_path for event_path, _, _ in self._storage.notices()}
        import re

        pattern = re.compile(r'^(|.*/)on/[a-zA-Z_]+\[\d+\]$')
        for path in list(self._storage.list_snapshots()):
            if pattern.match(path) and path not in referenced:
                self._storage.drop_snapshot(path)

    # -- debugging -----------------------------------------------------------------------

    def breakpoint(self, name: str | None = None) -> None:
        """Stop in the debugger here when ``JUJU_DEBUG_AT`` names *name* (or ``all``).

        Use it as ``self.framework.breakpoint('before-restart')`` and run
        ``juju debug-code --at=before-restart``.
        """
        if name is not None:
            if not isinstance(name, str):
                raise TypeError('breakpoint names must be strings')
            if name in ('all', 'hook'):
                raise ValueError('breakpoint names "all" and "hook" are reserved')
            import re

            if not re.match(_BREAKPOINT_NAME, name):
                raise ValueError('breakpoint names must look like "foo" or "foo-bar"')
        if not self._juju_debug_at:
            return
        if 'all' in self._juju_debug_at or (name is not None and name in self._juju_debug_at):
            self._show_debug_welcome()
            import pdb

            frame = sys._getframe(1)
            pdb.Pdb().set_trace(frame)
        else:
            logger.warning('Breakpoint %r skipped (not found in the requested breakpoints: %s)',
                           name, self._juju_debug_at)

    def set_breakpointhook(self) -> Callable[..., Any] | None:
        """Route Python's ``breakpoint()`` to :meth:`breakpoint`; return the old hook.

        ``breakpoint()`` in charm code then stops only when ``JUJU_DEBUG_AT`` asks for it.
        """
        old: Callable[..., Any] | None = getattr(sys, 'breakpointhook', None)
        if old is not None:
            sys.breakpointhook = self.breakpoint
        return old

    def _show_debug_welcome(self) -> None:
        if not self._debug_welcome_shown:
            self._debug_welcome_shown = True
            print(_BREAKPOINT_WELCOME_MESSAGE, file=sys.stderr, end='')


# StoredState builds on the classes above and lives in reactops.stored; its names are
# served from here lazily so that `from reactops.framework import StoredState` works.
_STORED_NAMES = frozenset({'BoundStoredState', 'StoredDict', 'StoredList', 'StoredSet',
                           'StoredState', 'StoredStateData'})


def __getattr__(name: str) -> Any:
    if name in _STORED_NAMES:
        from . import stored

        return getattr(stored, name)
    if name == 'Serializable':
        from ._private.serializable import Serializable

        return Serializable
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
