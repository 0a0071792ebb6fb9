"""The reactive runtime: the flags, triggers and bookkeeping of one dispatch.

Everything the module-level functions (``set_flag``, ``data_changed``, ...) touch lives in
one :class:`ReactiveRuntime`. A dispatch makes a fresh runtime over the unit's state store
and makes it *current* while it runs; outside a dispatch a default runtime over an
in-memory store is used, so importing handler modules or trying functions in a shell
works. Tests make their own runtimes; :func:`reset_default` drops the default one.

A layer above may replace that default with :func:`answer_outside_dispatch`: the legacy
shim does, so that code written for charms.reactive (an action script, say) reads and
writes the flags in the unit's state file outside a dispatch, as charms.reactive did.

Flags are kept where charms.reactive kept them: keys ``reactive.states.<flag>`` of the
state store's key-value table, with the flag's value as JSON. A legacy reactive charm
upgraded in place therefore keeps its flags, and a failed hook keeps none of its changes
(they are in the dispatch's transaction).

A steady unit's hooks write only what changed: setting a flag to the value its row already
holds writes nothing, and flags that last only for their hook (``config.*``: see
:meth:`ReactiveRuntime.keep_in_memory`) never reach the store, so a hook that changes
nothing leaves its flags' pages untouched.
"""

from __future__ import annotations

import builtins
import contextlib
from collections.abc import Callable, Iterable, Iterator

from .._private import codec as _codec
from .._private.typing import TYPE_CHECKING
from ..errors import HandlerDefinitionError
from ..storage import SQLiteStorage

if TYPE_CHECKING:
    from typing import Any

    from ._trace import DispatchRecorder

__all__ = ['FLAG_PREFIX', 'ReactiveRuntime', 'Trigger', 'activate', 'answer_outside_dispatch',
           'current', 'reset_default']

FLAG_PREFIX = 'reactive.states.'


class Trigger:
    """What happens at once when *flag* becomes set (``on_set``) or cleared.

    Compared and shown by its fields like a dataclass; written by hand because creating
    a dataclass costs about half a millisecond in every hook of a reactive charm.
    """

    def __init__(self, flag: str, on_set: bool, set_flags: list[str] | None = None,
                 clear_flags: list[str] | None = None,
                 callbacks: list[Callable[[], Any]] | None = None):
        self.flag = flag
        self.on_set = on_set
        self.set_flags: list[str] = [] if set_flags is None else set_flags
        self.clear_flags: list[str] = [] if clear_flags is None else clear_flags
        self.callbacks: list[Callable[[], Any]] = [] if callbacks is None else callbacks

    def _fields(self) -> tuple[Any, ...]:
        return (self.flag, self.on_set, self.set_flags, self.clear_flags, self.callbacks)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Trigger)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass's

    def __repr__(self) -> str:
        return (f'{type(self).__qualname__}(flag={self.flag!r}, on_set={self.on_set!r}, '
                f'set_flags={self.set_flags!r}, clear_flags={self.clear_flags!r}, '
                f'callbacks={self.callbacks!r})')

    def key(self) -> tuple[Any, ...]:
        return (self.flag, self.on_set, tuple(self.set_flags), tuple(self.clear_flags),
                tuple(id(c) for c in self.callbacks))


# Triggers registered while no dispatch runs (at module import): definitions, like
# decorated handlers, so every runtime of this process has them.
_STATIC_TRIGGERS: list[Trigger] = []


class ReactiveRuntime:
    """Flags, triggers and per-dispatch state over one state store."""

    def __init__(self, storage: SQLiteStorage | None = None, *, hook_name: str = ''):
        self.storage = storage if storage is not None else SQLiteStorage(':memory:')
        self.hook_name = hook_name
        self.flags: dict[str, Any] = {
            key[len(FLAG_PREFIX):]: value
            for key, value in self.storage.kv_items(FLAG_PREFIX)}
        # The JSON text of each flag's row as the store holds it (re-encoded, so a row an
        # older writer spelled otherwise is rewritten once): a set() that would write the
        # same text writes nothing.
        self._stored: dict[str, str] = {}
        # An order-free hash of every (flag, value), kept up to date in O(1) per change,
        # so the dispatcher can tell a loop (a state seen before) from progress.
        self.state_hash = 0
        for flag, value in self.flags.items():
            text = 'null' if value is None else _codec.encode(value)
            self._stored[flag] = text
            self.state_hash ^= hash((flag, None if value is None else text))
        # Which flags live only in memory for this dispatch (see keep_in_memory).
        self._in_memory: Callable[[str], bool] | None = None
        self._triggers: dict[tuple[str, bool], list[Trigger]] = {}
        self._trigger_keys: set[tuple[Any, ...]] = set()
        self.changed: set[str] = set()       # flags set or cleared since last taken
        self.clear_called = False            # any clear_flag since last reset
        self.recorder: DispatchRecorder | None = None
        self.charm: Any = None
        # Families of automatic flags ('config.'), computed on first use.
        self._lazy_families: dict[str, Callable[[ReactiveRuntime], None]] = {}
        for trigger in _STATIC_TRIGGERS:
            self._add_trigger(trigger)

    # -- reading -----------------------------------------------------------------------

    def is_set(self, flag: str) -> bool:
        """Whether *flag* is set."""
        _check_flag(flag)
        self._materialise(flag)
        return flag in self.flags

    def value(self, flag: str, default: Any = None) -> Any:
        """The value *flag* was set with (``default`` when unset or set without one)."""
        _check_flag(flag)
        self._materialise(flag)
        value = self.flags.get(flag)
        return default if value is None else value

    def names(self) -> list[str]:
        """Every set flag, sorted."""
        for prefix in list(self._lazy_families):
            self._materialise(prefix)
        return sorted(self.flags)

    # -- changing ----------------------------------------------------------------------

    def set(self, flag: str, value: Any = None) -> None:
        """Set *flag* (with an optional JSON value); triggers fire if it was unset."""
        _check_flag(flag)
        self._materialise(flag)
        # Most flags carry no value: skip the encoder (and its f-string) for them.
        text = 'null' if value is None else _codec.encode(value,
                                                          where=f'value of flag {flag!r}')
        was_set = flag in self.flags
        if was_set:
            self.state_hash ^= _entry_hash(flag, self.flags[flag])
        self.state_hash ^= hash((flag, None if value is None else text))
        self.flags[flag] = value
        if self._stored.get(flag) != text and not (
                self._in_memory is not None and self._in_memory(flag)
                and flag not in self._stored):
            self.storage.kv_set_text(FLAG_PREFIX + flag, text)
            self._stored[flag] = text
        if was_set:
            return
        self.changed.add(flag)
        if self.recorder is not None:
            self.recorder.flag_changed(flag, True, value)
        self._fire(flag, on_set=True)

    def clear(self, flag: str) -> None:
        """Clear *flag*; triggers fire if it was set. Any call makes the queue re-test."""
        _check_flag(flag)
        self._materialise(flag)
        self.clear_called = True
        if flag not in self.flags:
            return
        self.state_hash ^= _entry_hash(flag, self.flags.pop(flag))
        if self._stored.pop(flag, None) is not None:
            self.storage.kv_delete(FLAG_PREFIX + flag)
        self.changed.add(flag)
        if self.recorder is not None:
            self.recorder.flag_changed(flag, False, None)
        self._fire(flag, on_set=False)

    def keep_in_memory(self, rule: Callable[[str], bool] | None) -> None:
        """Keep the flags for which *rule* is true out of the store for this dispatch.

        For flags that last only for their hook (the automatic ``config.*`` flags): they
        are set as the hook starts and removed as it ends (:meth:`forget`), so writing
        their rows would only dirty pages for nothing. They read as any other flag while
        the dispatch runs, through this runtime; a raw ``unitdata`` read of the store does
        not see them. A row already in the store (left by another writer) stays there
        until :meth:`forget` removes it.
        """
        self._in_memory = rule

    def forget(self, flag: str) -> None:
        """Drop *flag* at the end of its hook: no trigger fires, no change is counted;
        its row is deleted if the store holds one."""
        if flag in self.flags:
            self.state_hash ^= _entry_hash(flag, self.flags.pop(flag))
        if self._stored.pop(flag, None) is not None:
            self.storage.kv_delete(FLAG_PREFIX + flag)

    # -- triggers ----------------------------------------------------------------------

    def register_trigger(self, trigger: Trigger) -> None:
        """Add *trigger* (an equal one is kept once)."""
        self._add_trigger(trigger)

    def _add_trigger(self, trigger: Trigger) -> None:
        key = trigger.key()
        if key not in self._trigger_keys:
            self._trigger_keys.add(key)
            self._triggers.setdefault((trigger.flag, trigger.on_set), []).append(trigger)

    def _fire(self, flag: str, *, on_set: bool) -> None:
        # As charms.reactive: every trigger's set_flag first, then every clear_flag, then
        # every callback, whatever order the triggers were registered in.
        triggers = list(self._triggers.get((flag, on_set), ()))
        for name in [n for t in triggers for n in t.set_flags]:
            self.set(name)
        for name in [n for t in triggers for n in t.clear_flags]:
            self.clear(name)
        for callback in [c for t in triggers for c in t.callbacks]:
            callback()

    # -- automatic flag families ---------------------------------------------------------

    def add_lazy_family(self, prefix: str, compute: Callable[[ReactiveRuntime], None]) -> None:
        """Compute the flags starting with *prefix* the first time any of them is used."""
        self._lazy_families[prefix] = compute

    def _materialise(self, flag: str) -> None:
        if not self._lazy_families:
            return
        for prefix in [p for p in self._lazy_families if flag.startswith(p)]:
            compute = self._lazy_families.pop(prefix)
            # Automatic flags describe the hook's starting point, as if set before the
            # dispatch began: they are not changes the dispatcher reacts to.
            changed, clear_called = set(self.changed), self.clear_called
            running = self.recorder.current if self.recorder is not None else None
            if self.recorder is not None:
                self.recorder.current = None  # set by reactops, not by the running handler
            try:
                compute(self)
            finally:
                self.changed, self.clear_called = changed, clear_called
                if self.recorder is not None:
                    self.recorder.current = running

    def take_changes(self) -> builtins.set[str]:
        """Return the flags changed since the last call, and start counting afresh."""
        changed = self.changed
        self.changed = set()
        return changed


def _entry_hash(flag: str, value: Any) -> int:
    return hash((flag, None if value is None else _codec.encode(value)))


def _check_flag(flag: object) -> None:
    if not isinstance(flag, str) or not flag:
        raise HandlerDefinitionError(
            f'a flag name must be a non-empty string, got {flag!r} ({type(flag).__name__})')


_current: list[ReactiveRuntime] = []
_default: list[ReactiveRuntime] = []
# Set by answer_outside_dispatch(): (the factory current() calls when no dispatch runs,
# a function giving the runtime it already made or None).
_outside: list[tuple[Callable[[], ReactiveRuntime], Callable[[], ReactiveRuntime | None]]] = []


def current() -> ReactiveRuntime:
    """The runtime of the running dispatch; outside one, the runtime a layer above set
    with :func:`answer_outside_dispatch`, else the default in-memory one."""
    if _current:
        return _current[-1]
    if _outside:
        return _outside[0][0]()
    if not _default:
        _default.append(ReactiveRuntime())
    return _default[0]


def answer_outside_dispatch(factory: Callable[[], ReactiveRuntime] | None,
                            made: Callable[[], ReactiveRuntime | None] | None = None) -> None:
    """Make :func:`current` call *factory* when no dispatch runs (``None``: the in-memory
    default again). The factory returns the same runtime for as long as it stands;
    *made* returns that runtime if the factory made one already, else ``None`` (a trigger
    registered at import time goes to it, without making one only for that).
    """
    _outside[:] = [] if factory is None else [(factory, made or (lambda: None))]


def is_dispatching() -> bool:
    """Whether a dispatch (or a test's runtime) is current."""
    return bool(_current)


@contextlib.contextmanager
def activate(runtime: ReactiveRuntime) -> Iterator[ReactiveRuntime]:
    """Make *runtime* current for the duration of the block."""
    _current.append(runtime)
    try:
        yield runtime
    finally:
        _current.pop()


def reset_default() -> None:
    """Forget the default runtime and the triggers registered outside a dispatch."""
    _default.clear()
    _STATIC_TRIGGERS.clear()


_importing: list[bool] = []


@contextlib.contextmanager
def importing_handler_modules() -> Iterator[None]:
    """Mark that handler modules are being imported: triggers they register at import
    time are definitions for every dispatch of the process, like their handlers."""
    _importing.append(True)
    try:
        yield
    finally:
        _importing.pop()


def add_trigger(trigger: Trigger) -> None:
    """Register *trigger* for the current dispatch; outside a dispatch, or while handler
    modules are imported, for every dispatch of this process (and for the runtime
    answering outside a dispatch, if one was made: a later one starts with them)."""
    if _importing or not _current:
        if trigger.key() not in {t.key() for t in _STATIC_TRIGGERS}:
            _STATIC_TRIGGERS.append(trigger)
    if _current or not _outside:
        current().register_trigger(trigger)
        return
    made = _outside[0][1]()
    if made is not None:
        made.register_trigger(trigger)


def static_trigger_flags() -> Iterable[Trigger]:
    """The triggers registered outside any dispatch (for the flag graph)."""
    return tuple(_STATIC_TRIGGERS)
