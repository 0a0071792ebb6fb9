"""Changes and their tasks: Pebble's record of work, with its statuses and notices.

A change's status comes from its tasks (the most pressing one wins, in Pebble's order) unless
set outright; it is ready once every task is. Every status change records a ``change-update``
notice (except the ones Pebble skips), and listeners hear of it, so the check manager can
follow a failed check with its recovery. Callers hold the store's lock (``store.lock``) while
they change a change; the lock is re-entrant.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from ._errors import APIError
from ._notices import NoticeStore
from ._timefmt import go_duration, now_ns, rfc3339, rfc3339_nano

__all__ = ['READY', 'Change', 'ChangeStore', 'Task', 'TaskRunner']

#: Statuses in which a task (or change) is finished.
READY = frozenset({'Done', 'Undone', 'Hold', 'Error'})
#: The change takes the first of these that any of its tasks has.
_ORDER = ('Abort', 'Undoing', 'Undo', 'Doing', 'Do', 'Wait', 'Error', 'Undone', 'Done', 'Hold')
_MAX_TASK_LOG = 10
_MAX_READY_CHANGES = 500


@dataclasses.dataclass(eq=False)
class Task:
    """One step of a change (start one service, perform one check, run one command)."""

    id: str
    kind: str
    summary: str
    change: Change
    lane: int = 0
    target: str = ''  # what the task works on: a service or check name (not shown)
    status: str = 'Do'
    log: list[str] = dataclasses.field(default_factory=list)
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    spawn: int = dataclasses.field(default_factory=now_ns)
    ready: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The task as ``/v1/changes`` shows it."""
        out: dict[str, Any] = {
            'id': self.id, 'kind': self.kind, 'summary': self.summary, 'status': self.status,
        }
        if self.log:
            out['log'] = list(self.log)
        out['progress'] = {'label': '', 'done': 1 if self.status in READY else 0, 'total': 1}
        return _with_times(out, self.spawn, self.ready, self.data)


def _with_times(out: dict[str, Any], spawn: int, ready: int,
                data: dict[str, Any]) -> dict[str, Any]:
    """*out* (a task or change as the API shows it) with its times and data, as Pebble
    orders them: ``spawn-time``, ``ready-time`` once ready, ``data`` when there is some."""
    out['spawn-time'] = rfc3339_nano(spawn)
    if ready:
        out['ready-time'] = rfc3339_nano(ready)
    if data:
        out['data'] = dict(data)
    return out


@dataclasses.dataclass(eq=False)
class Change:
    """A unit of work the API reports on: its kind, summary, tasks and status."""

    id: str
    kind: str
    summary: str
    notice_data: dict[str, str] = dataclasses.field(default_factory=dict)
    service_names: list[str] = dataclasses.field(default_factory=list)
    tasks: list[Task] = dataclasses.field(default_factory=list)
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    set_status: str = ''
    spawn: int = dataclasses.field(default_factory=now_ns)
    ready: int = 0
    observed: str = 'Default'
    recorded: str = 'Default'
    ready_event: threading.Event = dataclasses.field(default_factory=threading.Event)
    on_abort: list[Callable[[], None]] = dataclasses.field(default_factory=list)

    def status(self) -> str:
        """The change's status: set outright, else the most pressing of its tasks'."""
        if self.set_status:
            return self.set_status
        statuses = {task.status for task in self.tasks}
        if not statuses:
            return 'Hold'
        return next(status for status in _ORDER if status in statuses)

    def err(self) -> str:
        """Pebble's summary of the failed tasks' errors, or '' unless in Error."""
        if self.status() != 'Error':
            return ''
        lines = [f'- {task.summary} ({line.split(" ERROR ", 1)[1]})'
                 for task in self.tasks if task.status == 'Error'
                 for line in task.log if ' ERROR ' in line]
        if not lines:
            return f'internal inconsistency: change "{self.kind}" in ErrorStatus with no ' \
                   f'task errors logged'
        return 'cannot perform the following tasks:\n' + '\n'.join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The change as ``/v1/changes`` shows it."""
        status = self.status()
        out: dict[str, Any] = {'id': self.id, 'kind': self.kind, 'summary': self.summary,
                               'status': status}
        if self.tasks:
            out['tasks'] = [task.to_dict() for task in self.tasks]
        out['ready'] = status in READY
        if err := self.err():
            out['err'] = err
        return _with_times(out, self.spawn, self.ready, self.data)


Listener = Callable[[Change, str, str], None]


class ChangeStore:
    """Every change of one workload manager, with Pebble's status and notice rules."""

    def __init__(self, notices: NoticeStore, lock: threading.RLock | None = None) -> None:
        self.lock = lock or threading.RLock()
        self._notices = notices
        self._changes: dict[str, Change] = {}
        self._last_change = 0
        self._last_task = 0
        self._last_lane = 0
        self.listeners: list[Listener] = []

    # --- making ---

    def new_change(self, kind: str, summary: str, *,
                   notice_data: dict[str, str] | None = None) -> Change:
        """A new change with no tasks yet (a change-update notice records its birth)."""
        with self.lock:
            self._last_change += 1
            change = Change(str(self._last_change), kind, summary, dict(notice_data or {}))
            self._changes[change.id] = change
            self._notify(change)
            self._prune()
            return change

    def new_lane(self) -> int:
        """A lane number: tasks in one lane run in turn, and one's error holds the rest."""
        with self.lock:
            self._last_lane += 1
            return self._last_lane

    def add_task(self, change: Change, kind: str, summary: str, lane: int = 0,
                 target: str = '') -> Task:
        """A new task (in Do) at the end of *change*, working on *target*."""
        with self.lock:
            self._last_task += 1
            task = Task(str(self._last_task), kind, summary, change, lane, target)
            change.tasks.append(task)
            return task

    # --- status ---

    def _notify(self, change: Change) -> None:
        data = {'kind': change.kind, **change.notice_data}
        self._notices.add('change-update', change.id, data=data)

    def _status_changed(self, change: Change) -> None:
        new = change.status()
        old = change.observed
        if new in READY and all(task.status in READY for task in change.tasks):
            if not change.ready:
                change.ready = now_ns()
            change.ready_event.set()
        if old != new:
            change.observed = new
        skip = (change.recorded == new or (change.recorded, new) in
                {('Doing', 'Do'), ('Undoing', 'Undo')})
        if not skip:
            self._notify(change)
            change.recorded = new
        if old != new:
            for listener in list(self.listeners):
                listener(change, old, new)

    def set_task_status(self, task: Task, status: str) -> None:
        """Move *task* to *status*, updating its change (ready time, notices, listeners)."""
        with self.lock:
            if task.status == status:
                return
            task.status = status
            if status in READY and not task.ready:
                task.ready = now_ns()
            self._status_changed(task.change)

    def set_change_status(self, change: Change, status: str) -> None:
        """Set *change*'s status outright (a change with nothing to do is Done at once)."""
        with self.lock:
            change.set_status = status
            if status in READY and not change.ready:
                change.ready = now_ns()
                change.ready_event.set()
            self._status_changed(change)

    def log(self, task: Task, message: str, *, error: bool = False) -> None:
        """Add a line to *task*'s log (Pebble keeps the last ten)."""
        with self.lock:
            level = 'ERROR' if error else 'INFO'
            task.log.append(f'{rfc3339(now_ns())} {level} {message}')
            del task.log[:-_MAX_TASK_LOG]

    def fail(self, task: Task, message: str) -> None:
        """*task* failed: Error with *message*, and the rest of its lane on Hold."""
        with self.lock:
            for other in task.change.tasks:
                if other is not task and other.lane == task.lane and other.status == 'Do':
                    self.set_task_status(other, 'Hold')
            self.log(task, message, error=True)
            self.set_task_status(task, 'Error')

    # --- reading ---

    def get(self, change_id: str) -> Change:
        """The change *change_id*; 404 when there is none."""
        with self.lock:
            change = self._changes.get(change_id)
        if change is None:
            raise APIError(404, f'cannot find change with id "{change_id}"', 'not-found')
        return change

    def changes(self, select: str, for_service: str) -> list[dict[str, Any]]:
        """The changes as ``GET /v1/changes?select=...&for=...`` lists them."""
        if select not in ('all', 'in-progress', 'ready'):
            raise APIError(400, 'select should be one of: all,in-progress,ready')
        with self.lock:
            out = []
            for change in self._changes.values():
                ready = change.status() in READY
                if (select == 'ready' and not ready) or (select == 'in-progress' and ready):
                    continue
                if for_service and for_service not in change.service_names:
                    continue
                out.append(change.to_dict())
            return out

    def wait(self, change_id: str, timeout: float | None) -> dict[str, Any]:
        """The change once ready; 504 after *timeout* seconds (None or 0: no limit)."""
        change = self.get(change_id)
        if not change.ready_event.wait(timeout or None):
            raise APIError(504, f'timed out waiting for change after {go_duration(timeout or 0)}')
        with self.lock:
            return change.to_dict()

    def abort(self, change_id: str) -> dict[str, Any]:
        """Abort a change: waiting tasks go on Hold, running ones to Abort (then finish)."""
        change = self.get(change_id)
        with self.lock:
            if change.status() in READY:
                raise APIError(400, f'cannot abort change {change_id} with nothing pending')
            for task in change.tasks:
                if task.status == 'Do':
                    self.set_task_status(task, 'Hold')
                elif task.status == 'Doing':
                    self.set_task_status(task, 'Abort')
            callbacks = list(change.on_abort)
            result = change.to_dict()
        for callback in callbacks:
            callback()
        return result

    def finish_task(self, task: Task, error: str = '') -> None:
        """The task's work ended: Done, or Error with *error* (also after an abort)."""
        with self.lock:
            if error:
                self.fail(task, error)
            elif task.status in ('Doing', 'Do', 'Abort'):
                self.set_task_status(task, 'Done')

    def _prune(self) -> None:
        ready = sorted((c for c in self._changes.values() if c.status() in READY),
                       key=lambda c: c.ready)
        for change in ready[:max(len(ready) - _MAX_READY_CHANGES, 0)]:
            del self._changes[change.id]


Handler = Callable[[Task], str]


class TaskRunner:
    """Runs a change's tasks on threads: lanes side by side, each lane's tasks in turn.

    A change runs in phases (a restart stops, then starts); a phase begins when the one
    before has finished, and if a task of one phase fails, the later phases are held.
    The handler does one task and returns '' or the error that fails it.
    """

    def __init__(self, store: ChangeStore, handler: Handler) -> None:
        self._store = store
        self._handler = handler
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()

    def run(self, phases: list[list[Task]]) -> None:
        """Start running *phases* (lists of tasks in lane order) in the background."""
        self._spawn(self._run_phases, phases, 'workload-change')

    def _spawn(self, target: Callable[..., None], arg: Any, name: str) -> threading.Thread:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        with self._threads_lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return thread

    def _run_phases(self, phases: list[list[Task]]) -> None:
        for number, tasks in enumerate(phases):
            lanes: dict[int, list[Task]] = {}
            for task in tasks:
                lanes.setdefault(task.lane, []).append(task)
            threads = [self._spawn(self._run_lane, lane, 'workload-lane')
                       for lane in lanes.values()]
            for thread in threads:
                thread.join()
            if any(task.status == 'Error' for task in tasks):
                with self._store.lock:
                    for later in phases[number + 1:]:
                        for task in later:
                            if task.status == 'Do':
                                self._store.set_task_status(task, 'Hold')
                return

    def _run_lane(self, tasks: list[Task]) -> None:
        for task in tasks:
            with self._store.lock:
                if task.status != 'Do':
                    continue
                self._store.set_task_status(task, 'Doing')
            try:
                error = self._handler(task)
            except Exception as exc:  # a bug in a handler fails its task, not the manager
                error = f'internal error: {exc}'
            self._store.finish_task(task, error)

    def join(self, timeout: float) -> None:
        """Wait (up to *timeout* seconds each) for the running changes' threads."""
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
