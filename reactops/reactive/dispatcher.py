"""The dispatch loop: run handlers until the flags settle.

The rules are charms.reactive 1.5.3's, so ported charms run their handlers in the same
order (``docs/flags-and-handlers.md`` has an example for each):

1. **Hooks phase.** Handlers whose ``@hook`` pattern matches the running hook (and
   handlers with no phase of their own: ``@only_once`` or ``@when_file_changed`` alone)
   are queued and run.
2. **Main loop.** Iteration 0 queues every ``@when*`` handler whose predicates hold.
   Iteration *n* > 0 queues only the handlers that read a flag which changed (was set or
   cleared) during iteration *n-1*. The loop ends when the queue is empty. (Iteration 0
   tests only the handlers the registry says may be ready, those requiring no flag or a
   set one: the others' predicates cannot hold, so the queue is the same.)
3. **Inside an iteration**, handlers run in registration order. A flag a handler sets
   never adds to the running queue: handlers waiting for it run in the next iteration.
   Any ``clear_flag`` call re-tests the rest of the queue, dropping handlers whose
   predicates no longer hold. A handler runs at most once per iteration.
4. **Restricted hooks** (collect-metrics, meter-status-changed) run one queue of the
   handlers for that hook, with no main loop.

Where charms.reactive had bugs, reactops differs on purpose: file-change predicates are
not consumed by re-tests; a handler without flag predicates (``@when()``) runs once, not
in all 100 iterations; a dispatch that does not settle raises :class:`DispatchLoopError`
naming the loop instead of stopping silently after 100 iterations (a loop is recognised
at once when the flags return to a state they had after an earlier iteration; otherwise
the limit is max(100, 2 x handlers + 10) iterations, so long chains of handlers settle);
handler arguments are computed once. A file's hash is read once per dispatch, so a file
a handler rewrites during the dispatch fires its watchers in the next hook, not this one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .._private.typing import TYPE_CHECKING
from ..errors import DispatchLoopError
from ._runtime import ReactiveRuntime
from ._trace import DispatchRecorder
from .predicates import HOOKS, MAIN, RESTRICTED
from .registry import Handler, HandlerRegistry, legacy_arguments

if TYPE_CHECKING:
    from typing import Any

__all__ = ['MAX_ITERATIONS', 'Dispatcher']

#: The least number of main-loop iterations after which a dispatch is declared a loop (the
#: limit grows with the number of handlers, so long chains settle). A loop that returns
#: the flags to a state seen before is caught at once, whatever the limit.
MAX_ITERATIONS = 100
_RERUN_KEY = 'reactops.rerun.'


class Dispatcher:
    """Runs the handlers of *registry* against *runtime*'s flags for one hook."""

    def __init__(self, registry: HandlerRegistry, runtime: ReactiveRuntime, *,
                 max_iterations: int = MAX_ITERATIONS,
                 endpoint_from_flag: Callable[[str], Any] | None = None,
                 hook_relation: Callable[[], Any] | None = None):
        self.registry = registry
        self.runtime = runtime
        self.max_iterations = max_iterations
        self._endpoint_from_flag = endpoint_from_flag or (lambda flag: None)
        self._hook_relation = hook_relation or (lambda: None)
        self.handler_tests = 0
        self.iterations = 0

    def dispatch(self, *, restricted: bool = False) -> DispatchRecorder:
        """Run the handlers to a fixed point; return the record of what ran."""
        runtime = self.runtime
        recorder = runtime.recorder or DispatchRecorder(runtime.hook_name)
        runtime.recorder = recorder
        recorder.dispatch_started(sorted(runtime.flags))
        ok = False
        try:
            if restricted:
                recorder.iteration = RESTRICTED
                self._run_queue(self._candidates(RESTRICTED, None))
            else:
                self._run_phases(recorder)
            self._forget_rerun_state()
            ok = True
        finally:
            recorder.dispatch_finished(ok)
            if ok:
                recorder.save(runtime.storage)
        return recorder

    def _run_phases(self, recorder: DispatchRecorder) -> None:
        recorder.iteration = HOOKS
        self._run_queue(self._candidates(HOOKS, None))
        self.runtime.take_changes()
        changed: set[str] | None = None  # iteration 0 tests every handler
        # The iteration after which the flags were in each state (by a hash of the flags and
        # of what changed last): only ints are kept, and the recorder has the rest.
        seen: dict[int, int] = {}
        limit = max(self.max_iterations, 2 * self.registry.size_bound() + 10)
        for iteration in range(limit + 1):
            # Set before testing: a legacy predicate may ask the phase (``_when_all``).
            recorder.iteration = iteration
            queue = self._candidates(MAIN, changed)
            if not queue:
                return
            if iteration == limit:
                raise self._loop_error(recorder, iteration - 5, f'after {limit} iterations')
            self.iterations = iteration + 1
            self._run_queue(queue)
            changed = self.runtime.take_changes()
            state = hash((self.runtime.state_hash, frozenset(changed)))
            if state in seen:
                # The flags are back where they were: the same handlers will run again.
                raise self._loop_error(recorder, seen[state] + 1,
                                       f'in iteration {iteration}: the flags returned to '
                                       f'their state after iteration {seen[state]}')
            seen[state] = iteration

    def _candidates(self, phase: str, changed: set[str] | None) -> list[Handler]:
        registry = self.registry
        if changed is not None:  # iteration n > 0: the readers of what changed
            readers = {h.id: h for flag in changed for h in registry.readers_of(flag)}
            pool = registry.in_dispatch_order(readers.values())
        elif phase == MAIN:  # iteration 0: all but handlers whose required flags are unset
            self._compute_required_families()
            pool = registry.may_be_ready(list(self.runtime.flags))
        else:  # the hooks phase, a restricted hook: their handlers require no flag
            pool = registry.may_be_ready(())
        return [h for h in pool if h.runs_in(phase) and self._test(h)]

    def _compute_required_families(self) -> None:
        """Compute the automatic flag families (``config.``, ``endpoint.<name>.``) that a
        handler requires a flag of, so that looking handlers up by the set flags sees
        them; the others stay uncomputed until a handler's test reads one."""
        runtime = self.runtime
        for prefix in list(getattr(runtime, '_lazy_families', ())):
            if self.registry.requires_flag_under(prefix):
                runtime.is_set(prefix)  # reading any flag of the family computes it

    def _test(self, handler: Handler) -> bool:
        self.handler_tests += 1
        if not all(p.test(self.runtime, handler) for p in handler.predicates):
            return False
        if not handler.spec.rerun:
            stored: object = self.runtime.storage.kv_get(_RERUN_KEY + handler.id)
            return stored != self._fingerprint(handler)
        return True

    def _fingerprint(self, handler: Handler) -> list[Any]:
        runtime = self.runtime
        return [[flag, runtime.is_set(flag), runtime.value(flag)] for flag in handler.flags]

    def _run_queue(self, queue: list[Handler]) -> None:
        runtime = self.runtime
        while queue:
            runtime.clear_called = False
            for position, handler in enumerate(queue):
                self._invoke(handler)
                if runtime.clear_called:
                    queue = [h for h in queue[position + 1:] if self._test(h)]
                    break
            else:
                queue = []

    def _invoke(self, handler: Handler) -> None:
        recorder = self.runtime.recorder
        assert recorder is not None
        if not handler.spec.rerun:
            self.runtime.storage.kv_set(_RERUN_KEY + handler.id, self._fingerprint(handler))
        args = legacy_arguments(handler, self._endpoint_from_flag, self._hook_relation)
        recorder.handler_started(handler)
        try:
            handler.action(*args)
        except Exception as error:
            recorder.handler_failed(handler, error)
            note = f'(in reactive handler {handler.id}, hook {self.runtime.hook_name or "?"})'
            if sys.version_info >= (3, 11):
                error.add_note(note)
            else:  # what add_note does (pytest shows it; 3.10's own traceback does not)
                vars(error).setdefault('__notes__', []).append(note)
            raise
        for predicate in handler.predicates:
            predicate.after_run(self.runtime, handler)
        recorder.handler_finished(handler)

    def _forget_rerun_state(self) -> None:
        """A ``rerun=False`` handler whose predicates are false runs again once they hold."""
        for handler in self.registry.without_rerun():
            if not all(
                    p.test(self.runtime, handler) for p in handler.predicates):
                self.runtime.storage.kv_delete(_RERUN_KEY + handler.id)

    def _loop_error(self, recorder: DispatchRecorder, first: int,
                    when: str) -> DispatchLoopError:
        handlers_ran, changed = recorder.since_iteration(first)
        handlers, flags = sorted(set(handlers_ran)), sorted(changed)
        cycle = _find_cycle(handlers, recorder, self.registry)
        detail = f' The loop: {" -> ".join(cycle)}.' if cycle else ''
        return DispatchLoopError(
            f'the reactive dispatch for hook {self.runtime.hook_name or "?"} does not settle '
            f'({when}): handlers {", ".join(handlers)} keep running and flags '
            f'{", ".join(flags)} keep changing.{detail} Make one of them stop changing its '
            'flag (e.g. guard it with @when_not, or clear the flag it reacts to).',
            handlers=handlers, flags=flags)


def _find_cycle(handlers: list[str], recorder: DispatchRecorder,
                registry: HandlerRegistry) -> list[str]:
    """A handler -> flag -> handler cycle among the looping handlers, if there is one.

    An edge counts when the change can make the reader run: a set flag for ``@when``
    and ``@when_any`` readers, a cleared flag for ``@when_not`` and ``@when_not_all``.
    """
    looping = set(handlers)
    written_by, cleared_by = recorder.written_by, recorder.cleared_by  # each worked out once

    def activates(reader: Handler, flag: str, cleared: bool) -> bool:
        kinds = {p.kind for p in reader.predicates if flag in p.flags}
        return bool(kinds & ({'when_not', 'when_not_all'} if cleared else {'when', 'when_any'}))

    def successors(handler_id: str) -> list[tuple[str, str]]:
        cleared = cleared_by.get(handler_id, set())
        return [(flag, reader.id) for flag in sorted(written_by.get(handler_id, ()))
                for reader in registry.readers_of(flag)
                if reader.id in looping and activates(reader, flag, flag in cleared)]

    for start in handlers:
        path: list[str] = [start]
        seen = {start}
        node = start
        while True:
            steps = successors(node)
            if not steps:
                break
            flag, nxt = steps[0]
            path += [f'[{flag}]', nxt]
            if nxt in seen:
                return path[path.index(nxt):]
            seen.add(nxt)
            node = nxt
    return []
