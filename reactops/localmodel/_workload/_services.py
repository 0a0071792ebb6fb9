"""Services: real processes started, watched, stopped and restarted as Pebble does.

Each service moves through Pebble's states (initial, starting, running, terminating,
killing, stopped, backoff, exited), which the API shows as active, inactive, backoff or
error. A start waits Pebble's okay delay (1 s): a process that exits sooner fails the start
task. A thread waits on every process, so an exit is handled at once: restarted after a
growing backoff, ignored, or turned into a shutdown of the manager, per on-success and
on-failure. Stopping sends SIGTERM to the process group, then SIGKILL after the kill delay.
All state is guarded by the manager's one lock.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import random
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from ._changes import ChangeStore, Task
from ._logs import LogStore
from ._plan import (
    DEFAULT_BACKOFF_DELAY,
    DEFAULT_BACKOFF_FACTOR,
    DEFAULT_BACKOFF_LIMIT,
    Item,
    Plan,
    PlanError,
)
from ._scheduler import Scheduler, Timer
from ._timefmt import go_duration, now_ns, rfc3339_nano

__all__ = ['ServiceManager']

logger = logging.getLogger(__name__)

KILL_DELAY = 5.0
FAIL_DELAY = 5.0
LAST_LOG_LINES = 20
#: The manager's exit codes when a service or check asks for a shutdown (as Pebble's).
EXIT_SUCCESS, EXIT_SERVICE_FAILURE, EXIT_CHECK_FAILURE = 0, 10, 11

Spawn = Callable[[Item], subprocess.Popen[bytes]]
_STATUS = {'starting': 'active', 'running': 'active', 'terminating': 'inactive',
           'killing': 'inactive', 'stopped': 'inactive', 'backoff': 'backoff'}


@dataclasses.dataclass(eq=False)
class _Service:
    name: str
    config: Item
    state: str = 'initial'
    proc: subprocess.Popen[bytes] | None = None
    started: queue.Queue[str] = dataclasses.field(default_factory=queue.Queue)
    stopped: queue.Queue[str] = dataclasses.field(default_factory=queue.Queue)
    backoff_num: int = 0
    backoff_time: float = 0.0
    reset_timer: Timer | None = None
    restarting: bool = False
    current_since: int = 0
    threads: list[threading.Thread] = dataclasses.field(default_factory=list)

    def status(self) -> str:
        return _STATUS.get(self.state, 'error')

    def transition(self, state: str, restarting: bool = False) -> None:
        if _STATUS.get(state, 'error') != self.status():
            self.current_since = now_ns()
        self.state = state
        self.restarting = restarting

    def kill_delay(self) -> float:
        return float(self.config.get('kill-delay', KILL_DELAY))

    def signal_group(self, sig: int) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass


def _action(config: Item, success: bool) -> tuple[str, str]:
    on = 'on-success' if success else 'on-failure'
    return config.get(on) or 'restart', on


class ServiceManager:
    """The services of one workload manager (Pebble's service manager)."""

    okay_delay = 1.0

    def __init__(self, lock: threading.RLock, changes: ChangeStore, logs: LogStore,
                 scheduler: Scheduler, spawn: Spawn,
                 request_shutdown: Callable[[int], None]) -> None:
        self._lock = lock
        self._changes = changes
        self._logs = logs
        self._timers = scheduler
        self._spawn = spawn
        self._shutdown = request_shutdown
        self.plan = Plan()
        self._services: dict[str, _Service] = {}
        self._random = random.Random()

    # --- reading ---

    def services(self, names: list[str]) -> list[dict[str, Any]]:
        """The plan's services (those in *names*, or all) as ``GET /v1/services`` shows them."""
        with self._lock:
            out = []
            for name in sorted(self.plan.services):
                if names and name not in names:
                    continue
                config = self.plan.services[name]
                info: dict[str, Any] = {
                    'name': name,
                    'startup': 'enabled' if config.get('startup') == 'enabled' else 'disabled',
                    'current': 'inactive',
                }
                service = self._services.get(name)
                if service is not None:
                    info['current'] = service.status()
                    info['current-since'] = rfc3339_nano(service.current_since)
                out.append(info)
            return out

    def pids(self) -> list[int]:
        """The pids of the services' processes that have not exited yet."""
        with self._lock:
            return [s.proc.pid for s in self._services.values()
                    if s.proc is not None and s.proc.returncode is None]

    def running(self) -> list[str]:
        """The services that are starting, running or in backoff (what shutdown stops)."""
        with self._lock:
            return [n for n, s in self._services.items()
                    if s.state in ('starting', 'running', 'backoff')]

    # --- task handlers (run on the change's lane threads) ---

    def do_task(self, task: Task) -> str:
        """Run one start or stop task; '' or the error that fails it."""
        if task.kind == 'start':
            return self._do_start(task, task.target)
        return self._do_stop(task, task.target)

    def _do_start(self, task: Task, name: str) -> str:
        with self._lock:
            config = self.plan.services.get(name)
            if config is None:
                return f'cannot find service "{name}" in plan'
            service = self._services.get(name)
            if service is None:
                service = self._services[name] = _Service(name, dict(config))
            else:
                service.config = dict(config)
                if service.state in ('initial', 'starting', 'running'):
                    self._changes.log(task, f'Service "{name}" already started.')
                    return ''
                if service.state in ('backoff', 'stopped', 'exited'):
                    service.backoff_num, service.backoff_time = 0, 0.0
                    service.transition('initial')
            if service.state != 'initial':
                return f'cannot start service while {service.state}'
            service.started = started = queue.Queue[str]()
            error = self._start_process(service)
            if error:
                service.transition('stopped')
                return error
            service.transition('starting')
            self._timers.after(self.okay_delay, lambda: self._okay_elapsed(service))
        result = started.get()
        if result:
            self._log_last_lines(task, name)
            return f'service start attempt: {result}'
        return ''

    def _log_last_lines(self, task: Task, name: str) -> None:
        lines = [line.rstrip('\n') for line in self._logs.last_lines(name, LAST_LOG_LINES + 1)]
        text = '\n'.join(lines).strip()
        if not text:
            return
        shown = text.split('\n')
        if len(shown) > LAST_LOG_LINES:
            shown[0] = '(...)'
        self._changes.log(task, 'Most recent service output:\n' +
                          '\n'.join('    ' + line for line in shown))

    def _do_stop(self, task: Task, name: str) -> str:
        with self._lock:
            service = self._services.get(name)
            note = ''
            if service is None:
                note = f'Service "{name}" has never been started.'
            elif service.state in ('terminating', 'killing'):
                note = f'Service "{name}" already stopping.'
            elif service.state == 'stopped':
                note = f'Service "{name}" already stopped.'
            elif service.state == 'exited':
                service.transition('stopped')
                note = f'Service "{name}" had already exited.'
            if note:
                self._changes.log(task, note)
                return ''
            assert service is not None
            stopped = self._stop(service)
            if isinstance(stopped, str):
                return stopped
        error = stopped.get()
        return f'cannot stop service: {error}' if error else ''

    # --- process life (callers hold the lock) ---

    def _start_process(self, service: _Service) -> str:
        try:
            proc = self._spawn(service.config)
        except PlanError as exc:
            return str(exc)
        except OSError as exc:
            program = str(exc.filename or '')
            if isinstance(exc, FileNotFoundError) and program and '/' not in program:
                return f'cannot start service: exec: "{program}": executable file not ' \
                       f'found in $PATH'
            return f'cannot start service: {exc.strerror or exc}'
        service.proc = proc
        limit = float(service.config.get('backoff-limit', DEFAULT_BACKOFF_LIMIT))
        service.reset_timer = self._timers.after(limit, lambda: self._reset_elapsed(service))
        assert proc.stdout is not None
        reader = threading.Thread(target=self._logs.read_pipe, args=(service.name, proc.stdout),
                                  name=f'workload-log-{service.name}', daemon=True)
        waiter = threading.Thread(target=self._wait, args=(service, proc),
                                  name=f'workload-wait-{service.name}', daemon=True)
        service.threads = [t for t in service.threads if t.is_alive()] + [reader, waiter]
        reader.start()
        waiter.start()
        return ''

    def _wait(self, service: _Service, proc: subprocess.Popen[bytes]) -> None:
        code = proc.wait()
        with self._lock:
            if service.proc is proc:
                self._exited(service, code if code >= 0 else -1)

    def _okay_elapsed(self, service: _Service) -> None:
        with self._lock:
            if service.state == 'starting':
                service.started.put('')
                service.transition('running')

    def _exited(self, service: _Service, code: int) -> None:
        if service.reset_timer is not None:
            service.reset_timer.cancel()
        action, on = _action(service.config, code == 0)
        if service.state == 'starting':
            service.started.put(f'exited quickly with code {code}, will {action}')
        if service.state in ('starting', 'running'):
            logger.info('Service %r stopped unexpectedly with code %d', service.name, code)
            if action == 'ignore':
                service.transition('stopped' if code == 0 else 'exited')
            elif action == 'restart':
                self._backoff(service)
            else:
                failed = action == 'failure-shutdown' or (action == 'shutdown' and code != 0)
                service.transition('exited')
                self._shutdown(EXIT_SERVICE_FAILURE if failed else EXIT_SUCCESS)
            logger.debug('%s action for %r: %s', on, service.name, action)
        elif service.state in ('terminating', 'killing'):
            if service.restarting:
                self._backoff(service)
            else:
                service.stopped.put('')
                service.transition('stopped')

    def _backoff(self, service: _Service) -> None:
        config = service.config
        delay = float(config.get('backoff-delay', DEFAULT_BACKOFF_DELAY))
        limit = float(config.get('backoff-limit', DEFAULT_BACKOFF_LIMIT))
        factor = float(config.get('backoff-factor', DEFAULT_BACKOFF_FACTOR))
        current = service.backoff_time
        service.backoff_time = (delay if current == 0 else limit if current >= limit
                                else min(current * factor, limit))
        service.backoff_num += 1
        logger.info('Service %r waiting ~%s before restart (backoff %d)', service.name,
                    go_duration(service.backoff_time), service.backoff_num)
        service.transition('backoff')
        jitter = self._random.random() * service.backoff_time * 0.1
        self._timers.after(service.backoff_time + jitter, lambda: self._backoff_elapsed(service))

    def _backoff_elapsed(self, service: _Service) -> None:
        with self._lock:
            if service.state != 'backoff':
                return
            error = self._start_process(service)
            if error:
                logger.warning('Service %r cannot restart: %s', service.name, error)
                return  # Pebble leaves the service in backoff
            service.transition('running')

    def _reset_elapsed(self, service: _Service) -> None:
        with self._lock:
            if service.state == 'running':
                service.backoff_num, service.backoff_time = 0, 0.0

    def _stop(self, service: _Service) -> queue.Queue[str] | str:
        """Begin stopping *service*; the queue gets '' or an error once it has stopped."""
        service.stopped = stopped = queue.Queue[str]()
        if service.state == 'starting':
            service.started.put(f'stopped before the {go_duration(self.okay_delay)} okay delay')
        if service.state in ('starting', 'running'):
            self._terminate(service, restarting=False)
        elif service.state == 'backoff':
            stopped.put('')
            service.transition('stopped')
        else:
            return f'cannot stop service while {service.state}'
        return stopped

    def _terminate(self, service: _Service, *, restarting: bool) -> None:
        service.signal_group(signal.SIGTERM)
        service.transition('terminating', restarting)
        self._timers.after(service.kill_delay(), lambda: self._terminate_elapsed(service))

    def _terminate_elapsed(self, service: _Service) -> None:
        with self._lock:
            if service.state != 'terminating':
                return
            service.signal_group(signal.SIGKILL)
            service.transition('killing', service.restarting)
            self._timers.after(FAIL_DELAY, lambda: self._kill_elapsed(service))

    def _kill_elapsed(self, service: _Service) -> None:
        with self._lock:
            if service.state != 'killing':
                return
            if not service.restarting:
                service.stopped.put('process still running after SIGTERM and SIGKILL')
            service.transition('stopped')

    # --- requests ---

    def send_signal(self, signame: str, names: list[str]) -> list[str]:
        """Send *signame* to each named service's process; the errors, Pebble's words."""
        errors = []
        with self._lock:
            for name in names:
                service = self._services.get(name)
                problem = ''
                if service is None or service.state not in ('starting', 'running'):
                    problem = 'service is not running'
                elif not signame.startswith('SIG') or signame not in signal.Signals.__members__:
                    problem = f'invalid signal name "{signame}"'
                else:
                    assert service.proc is not None
                    try:
                        os.kill(service.proc.pid, signal.Signals[signame])
                    except ProcessLookupError:
                        problem = 'service is not running'
                if problem:
                    errors.append(f'cannot send signal to "{name}": {problem}')
        return errors

    def check_failed(self, check: str) -> None:
        """A check hit its threshold: apply each service's on-check-failure action."""
        with self._lock:
            for service in self._services.values():
                action = service.config.get('on-check-failure', {}).get(check)
                if action is None or service.state not in ('running', 'backoff', 'exited'):
                    continue
                if action == 'shutdown':
                    self._shutdown(EXIT_CHECK_FAILURE)
                elif action == 'success-shutdown':
                    self._shutdown(EXIT_SUCCESS)
                elif action == 'restart' and service.state == 'running':
                    self._terminate(service, restarting=True)
                elif action == 'restart' and service.state == 'exited':
                    self._backoff(service)

    def replan(self) -> tuple[list[str], list[str]]:
        """What a replan stops (changed services) and starts (those and enabled ones)."""
        with self._lock:
            restart = []
            for name, service in self._services.items():
                config = self.plan.services.get(name)
                if config is not None and config == service.config:
                    continue
                if config is not None:
                    service.config = dict(config)
                restart.append(name)
            start = [name for name, config in self.plan.services.items()
                     if name in restart or config.get('startup') == 'enabled']
            return restart, start

    def kill_all(self) -> None:
        """SIGKILL every service's process group (the last step of a shutdown)."""
        with self._lock:
            services = list(self._services.values())
            for service in services:
                if service.proc is not None and service.proc.poll() is None:
                    service.signal_group(signal.SIGKILL)

    def join(self, timeout: float) -> None:
        """Wait for the process waiter and output reader threads to end."""
        with self._lock:
            threads = [t for s in self._services.values() for t in s.threads]
        for thread in threads:
            thread.join(timeout)
