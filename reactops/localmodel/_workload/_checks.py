"""Health checks: real probes (HTTP, TCP, a command) run every period, as Pebble runs them.

A running check lives in a ``perform-check`` change. After ``threshold`` failures in a row
that change ends in Error (its task log has the failures), the services' on-check-failure
actions run, and a ``recover-check`` change probes on until the check passes; then it is
Done and a new perform-check change begins. A stopped or disabled check has no change and
shows as inactive.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from ._changes import Change, ChangeStore, Task
from ._errors import APIError
from ._plan import Item, Plan, check_period, check_timeout
from ._timefmt import go_duration

__all__ = ['CheckManager']

_MAX_ERROR_BYTES = 512
_MAX_ERROR_LINES = 5
_TYPES = {'http': 'HTTP', 'tcp': 'TCP', 'exec': 'exec'}

SpawnCheck = Callable[[Item], subprocess.Popen[bytes]]


class _ProbeError(Exception):
    """A failed probe: the message, and details (output, body) for the task log."""

    def __init__(self, message: str, details: str = ''):
        super().__init__(message)
        self.details = details

    def full(self) -> str:
        return f'{self}; {self.details}' if self.details else str(self)


def _details(output: bytes) -> str:
    lines = output.decode('utf-8', 'replace').strip().split('\n')
    if len(lines) > _MAX_ERROR_LINES:
        lines = [*lines[:_MAX_ERROR_LINES], '(...)']
    return '\n'.join(lines)


def _last_lines(output: bytes) -> str:
    lines = output[-_MAX_ERROR_BYTES:].decode('utf-8', 'replace').strip().split('\n')
    if len(lines) > _MAX_ERROR_LINES:
        lines = ['(...)', *lines[-_MAX_ERROR_LINES:]]
    return '\n'.join(lines)


def _probe_http(probe: Item, timeout: float) -> None:
    url = probe['url']
    request = urllib.request.Request(url, headers=probe.get('headers', {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - the plan's URL
            return
    except urllib.error.HTTPError as exc:
        body = exc.read(_MAX_ERROR_BYTES) if exc.fp is not None else b''
        raise _ProbeError(f'non-2xx status code {exc.code}', _details(body)) from None
    except TimeoutError:
        raise _ProbeError(f'check timed out after {go_duration(timeout)}') from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, 'reason', exc)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _ProbeError(f'check timed out after {go_duration(timeout)}') from None
        raise _ProbeError(f'Get "{url}": {reason}') from None


def _probe_tcp(probe: Item, timeout: float) -> None:
    host, port = probe.get('host') or 'localhost', probe['port']
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except TimeoutError:
        raise _ProbeError(f'check timed out after {go_duration(timeout)}') from None
    except OSError as exc:
        raise _ProbeError(f'dial tcp {host}:{port}: {exc.strerror or exc}') from None


@dataclasses.dataclass(eq=False)
class _Check:
    name: str
    level: str = ''
    startup: str = 'enabled'
    successes: int = 0
    failures: int = 0
    threshold: int = 3
    change_id: str = ''
    prev_change_id: str = ''
    stop: threading.Event | None = None

    def status(self) -> str:
        if not self.change_id:
            return 'inactive'
        return 'down' if self.failures >= self.threshold else 'up'

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {'name': self.name}
        if self.level:
            out['level'] = self.level
        out.update(startup=self.startup, status=self.status(), successes=self.successes)
        if self.failures:
            out['failures'] = self.failures
        out['threshold'] = self.threshold
        if self.change_id:
            out['change-id'] = self.change_id
        if self.prev_change_id:
            out['prev-change-id'] = self.prev_change_id
        return out


class CheckManager:
    """The health checks of one workload manager (Pebble's check manager)."""

    def __init__(self, changes: ChangeStore, spawn: SpawnCheck,
                 on_failure: Callable[[str], None]) -> None:
        self._lock = changes.lock
        self._changes = changes
        self._spawn = spawn
        self._on_failure = on_failure
        self.plan = Plan()
        self._checks: dict[str, _Check] = {}
        self._configs: dict[str, Item] = {}  # change id -> the config it runs
        self._threads: list[threading.Thread] = []
        self._proceed: set[str] = set()  # changes whose end starts the next one
        self._closed = False  # shut down: no check starts again
        changes.listeners.append(self._change_status_changed)

    # --- the config each change runs ---

    def _merged(self, plan: Plan, config: Item) -> Item:
        """*config* with an exec check's service context laid under it."""
        config = {**config, 'name': config['name']}
        probe = config.get('exec')
        context = (probe or {}).get('service-context', '')
        if probe is not None and context in plan.services:
            service = plan.services[context]
            merged: Item = {key: service[key] for key in
                      ('user-id', 'user', 'group-id', 'group', 'working-dir') if key in service}
            merged.update({k: v for k, v in probe.items() if v not in ('', None, {})})
            merged['environment'] = {**service.get('environment', {}),
                                     **probe.get('environment', {})}
            config['exec'] = merged
        return config

    def _data(self, config: Item) -> _Check:
        check = self._checks.setdefault(config['name'], _Check(config['name']))
        check.level = config.get('level', '')
        check.startup = config.get('startup') or 'enabled'
        check.threshold = config['threshold']
        return check

    # --- changes ---

    def _begin(self, config: Item, kind: str, successes: int = 0, failures: int = 0,
               prev: str = '') -> Change | None:
        """Start a perform-check or recover-check change (lock held; none once closed)."""
        if self._closed:
            return None
        verb = 'Perform' if kind == 'perform-check' else 'Recover'
        probe = next((p for p in _TYPES if p in config), 'exec')
        summary = f'{verb} {_TYPES[probe]} check "{config["name"]}"'
        change = self._changes.new_change(kind, summary,
                                          notice_data={'check-name': config['name']})
        task = self._changes.add_task(change, kind, summary, target=config['name'])
        self._configs[change.id] = config
        stop = threading.Event()
        change.on_abort.append(stop.set)
        check = self._data(config)
        check.stop = stop
        check.successes, check.failures = successes, failures
        check.prev_change_id, check.change_id = prev, change.id
        thread = threading.Thread(target=self._run, args=(task, config, stop, successes,
                                                          failures),
                                  name=f'workload-check-{config["name"]}', daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return change

    def _change_status_changed(self, change: Change, old: str, new: str) -> None:
        config = self._configs.get(change.id)
        if config is None or new not in ('Error', 'Done') or not change.tasks:
            return
        if change.id not in self._proceed:
            return
        check = self._checks.get(config['name'])
        if check is None or check.change_id != change.id:
            return
        if change.kind == 'perform-check' and new == 'Error':
            self._begin(config, 'recover-check', check.successes, check.failures, change.id)
        elif change.kind == 'recover-check' and new == 'Done':
            self._begin(config, 'perform-check', check.successes, check.failures, change.id)

    def _probe(self, config: Item) -> None:
        timeout = check_timeout(config)
        if 'http' in config:
            _probe_http(config['http'], timeout)
        elif 'tcp' in config:
            _probe_tcp(config['tcp'], timeout)
        else:
            self._probe_exec(config, timeout)

    def _probe_exec(self, config: Item, timeout: float) -> None:
        try:
            proc = self._spawn(config['exec'])
        except (OSError, ValueError) as exc:
            raise _ProbeError(str(exc)) from None
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise _ProbeError(f'check timed out after {go_duration(timeout)}') from None
        if proc.returncode != 0:
            code = proc.returncode
            message = f'exit status {code}' if code > 0 else 'signal: killed'
            raise _ProbeError(message, _last_lines(output))

    def _run(self, task: Task, config: Item, stop: threading.Event, successes: int,
             failures: int) -> None:
        """The loop of one perform-check or recover-check task (on its own thread)."""
        name, recover = config['name'], task.kind == 'recover-check'
        self._changes.set_task_status(task, 'Doing')
        error = ''
        while not stop.wait(check_period(config)):
            try:
                self._probe(config)
                failed = None
            except _ProbeError as exc:
                failed = exc
            if stop.is_set():
                break
            with self._lock:
                check = self._checks.get(name)
                current = check is not None and check.change_id == task.change.id
                if failed is None:
                    if failures and not recover:
                        plural = 'failure' if failures == 1 else 'failures'
                        self._changes.log(task, f'succeeded after {failures} {plural}')
                    successes, failures = (1, 0) if recover else (successes + 1, 0)
                else:
                    failures += 1
                if current and check is not None:
                    check.successes, check.failures = successes, failures
                done = recover and failed is None
                hit = not recover and failed is not None and failures >= config['threshold']
                if failed is not None and not hit:
                    self._changes.log(task, failed.full(), error=True)
            if hit:
                self._on_failure(name)
                error = failed.full() if failed is not None else ''
            if done or hit:
                with self._lock:
                    self._proceed.add(task.change.id)
                break
        self._changes.finish_task(task, error)

    # --- requests ---

    def plan_changed(self, plan: Plan) -> None:
        """Follow a new plan: restart changed checks, start new enabled ones (Pebble's rules)."""
        with self._lock:
            old_plan, self.plan = self.plan, plan
            existing: set[str] = set()
            restart: set[str] = set()
            for name, check in list(self._checks.items()):
                if not check.change_id:
                    continue
                running = self._configs.get(check.change_id)
                new = plan.checks.get(name)
                existing.add(name)
                if new is not None:
                    merged = self._merged(plan, {**new, 'name': name})
                    if merged == running:
                        continue
                    if new.get('startup') == 'disabled' and running is not None and \
                            running.get('startup', '') in ('', 'enabled'):
                        continue
                    restart.add(name)
                self._abort(check)
                del self._checks[name]
            for name, config in plan.checks.items():
                full = self._merged(plan, {**config, 'name': name})
                if name not in existing and config.get('startup') != 'disabled':
                    restart.add(name)
                elif name not in existing:
                    self._data(full)
                if name in restart:
                    self._begin(full, 'perform-check')
            del old_plan

    def _abort(self, check: _Check) -> None:
        if check.change_id:
            try:
                change = self._changes.get(check.change_id)
                if change.status() not in ('Done', 'Error', 'Hold', 'Undone'):
                    self._changes.abort(check.change_id)
            except APIError:
                pass

    def replan(self) -> None:
        """Start every enabled check that is not running (a services replan does this)."""
        with self._lock:
            for name, config in self.plan.checks.items():
                check = self._checks.get(name)
                if config.get('startup') == 'disabled' or check is None or check.change_id:
                    continue
                self._begin(self._merged(self.plan, {**config, 'name': name}), 'perform-check')

    def checks(self, level: str, names: list[str]) -> list[dict[str, Any]]:
        """The checks as ``GET /v1/checks`` lists them."""
        if level not in ('', 'alive', 'ready'):
            raise APIError(400, 'level must be "alive" or "ready"')
        with self._lock:
            return [check.to_dict() for name, check in sorted(self._checks.items())
                    if (not level or check.level == level) and (not names or name in names)]

    def healthy(self, level: str, names: list[str]) -> bool:
        """False when a check of *level* (ready counts alive ones too) is down."""
        if level not in ('', 'alive', 'ready'):
            raise APIError(400, 'level must be "alive" or "ready"')
        with self._lock:
            for name, check in self._checks.items():
                matches = (not level or check.level == level or
                           (level == 'ready' and check.level == 'alive'))
                if matches and (not names or name in names) and check.status() == 'down':
                    return False
            return True

    def action(self, action: str, names: list[str]) -> list[str]:
        """Start or stop the named checks; the names whose state changed, sorted."""
        if not names:
            raise APIError(400, f'must specify checks for {action} action')
        if action not in ('start', 'stop'):
            raise APIError(400, f'invalid action "{action}"')
        with self._lock:
            missing = sorted(name for name in names if name not in self.plan.checks)
            if missing:
                raise APIError(400, f'cannot {action} checks: cannot find checks in plan: '
                                    f'{", ".join(missing)}')
            changed = []
            for name in names:
                check = self._checks.get(name)
                if check is None or bool(check.change_id) == (action == 'start'):
                    continue
                if action == 'start':
                    config = self._merged(self.plan, {**self.plan.checks[name], 'name': name})
                    self._begin(config, 'perform-check')
                else:
                    self._abort(check)
                    check.change_id = ''
                changed.append(name)
            return sorted(changed)

    def stop_all(self, timeout: float) -> None:
        """Stop every running check and wait for their threads (shutdown)."""
        with self._lock:
            self._closed = True
            for check in self._checks.values():
                if check.stop is not None:
                    check.stop.set()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
