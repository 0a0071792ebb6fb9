"""Two dispatches on one state file: an event deferred in the first runs first in the second.

Juju runs every hook in a new process. This script plays two such hooks, one after the
other, each with its own Framework over the same state file, and says in plain words what
happens. No Juju is needed:

    python examples/event_core_demo.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from reactops.framework import EventBase, EventSource, Framework, Object, ObjectEvents, StoredState
from reactops.storage import SQLiteStorage


class PingEvent(EventBase):
    """A custom event carrying a message; the message is saved with the event if deferred."""

    def __init__(self, handle: Any, message: str = '') -> None:
        super().__init__(handle)
        self.message = message

    def snapshot(self) -> dict[str, Any]:
        return {'message': self.message}

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.message = snapshot['message']


class DemoEvents(ObjectEvents):
    ping = EventSource(PingEvent)


class Demo(Object):
    """A charm-like object: it handles `ping`, but only once its service is ready."""

    on = DemoEvents()
    _stored = StoredState()

    def __init__(self, framework: Framework, service_ready: bool) -> None:
        super().__init__(framework, 'demo')
        self.service_ready = service_ready
        self.seen: list[str] = []  # handle paths of the events handled in this dispatch
        self._stored.set_default(handler_runs=0)
        framework.observe(self.on.ping, self._on_ping)

    @property
    def handler_runs(self) -> int:
        """How many times the handler ran, over all dispatches (kept in StoredState)."""
        return int(self._stored.handler_runs)

    def _on_ping(self, event: PingEvent) -> None:
        self.seen.append(event.handle.path)
        self._stored.handler_runs += 1
        print(f'  handler run #{self._stored.handler_runs}: got {event.message!r}'
              f' (event {event.handle.path})')
        if not self.service_ready:
            print('  the service is not ready yet, so the handler defers the event')
            event.defer()
            return
        print('  the service is ready: the event is handled and leaves the queue')


def dispatch(state_file: Path, title: str, service_ready: bool) -> tuple[Framework, Demo]:
    """Start one 'hook': a new Framework over the state file, and the object observing it."""
    print(f'\n== {title} ==')
    framework = Framework(SQLiteStorage(state_file), state_file.parent, None, None)
    return framework, Demo(framework, service_ready)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix='reactops-demo-') as tmp:
        state_file = Path(tmp, '.unit-state.db')
        print(f'state file: {state_file}')

        framework, demo = dispatch(state_file, 'dispatch 1', service_ready=False)
        demo.on.ping.emit(message='hello')
        print('  committing: the stored counter and the deferred event are saved')
        framework.commit()
        framework.close()
        deferred_path = demo.seen[0]

        framework, demo = dispatch(state_file, 'dispatch 2 (a new Framework)', service_ready=True)
        runs_before = demo.handler_runs
        print(f'  the stored counter came back from the file: handler_runs = {runs_before}')
        print('  re-emitting deferred events first, as a dispatch does:')
        framework.reemit()
        print("  then this dispatch's own event:")
        demo.on.ping.emit(message='hello again')
        runs_after = demo.handler_runs
        framework.commit()
        framework.close()

    rerun_path = demo.seen[0] if demo.seen else None
    if (runs_before, runs_after) != (1, 3) or rerun_path != deferred_path:
        print(f'\nunexpected: handler_runs went {runs_before} -> {runs_after} (expected 1 -> 3);'
              f' first event of dispatch 2 was {rerun_path} (expected {deferred_path})')
        return 1
    print(f'\nThe event deferred in dispatch 1 ran first in dispatch 2, under its original'
          f' handle path {deferred_path}, and the counter survived between the two.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
