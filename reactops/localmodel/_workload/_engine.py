"""The workload manager's engine: one container's plan, services, checks, changes, notices.

:class:`Workload` is what the HTTP front serves; every method is thread-safe and returns
records already in the shape of Pebble's ``/v1`` API. Processes run on this machine, with
the container's folder (``root/fs``) standing in for its filesystem: see ``container_path``
and ``host_command``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from ._changes import ChangeStore, Task, TaskRunner
from ._checks import CheckManager
from ._errors import APIError
from ._logs import LogStore
from ._notices import NoticeStore, check_custom_key
from ._plan import Item, Layer, PlanError, make_plan, parse_command, parse_layer
from ._plan import combine as _combine_layers
from ._plan import plan_yaml as _plan_yaml
from ._plan import start_lanes as _start_lanes
from ._plan import stop_lanes as _stop_lanes
from ._scheduler import Scheduler
from ._services import FAIL_DELAY, KILL_DELAY, ServiceManager
from ._timefmt import parse_rfc3339_ns

__all__ = ['Workload']

_SERVICE_ACTIONS = ('start', 'stop', 'restart', 'autostart', 'replan')


def _identity(options: Item) -> dict[str, Any]:
    """Popen's user/group for a process run as another user (the manager runs as root):
    only a user or group that exists here; otherwise the process runs as the manager."""
    import grp
    import pwd

    identity: dict[str, Any] = {}
    for key, name_key, table in (('user', 'user', pwd.getpwnam), ('group', 'group', grp.getgrnam)):
        name, number = options.get(name_key), options.get(f'{name_key}-id')
        try:
            if name:
                table(name)
                identity[key] = name
            elif number is not None:
                (pwd.getpwuid if key == 'user' else grp.getgrgid)(number)
                identity[key] = number
        except KeyError:
            continue
    return identity


class Workload:
    """One container's Pebble: its plan, services, checks, changes, notices and logs.

    *root*/``fs`` is the container's filesystem (made if missing); *env* is the base
    environment of every process (the manager's own by default); *on_shutdown(code)* is
    called (once, from a thread of its own) when a service or check asks for a shutdown.
    *okay_delay* is how long a started service must run for its start to succeed (Pebble's
    1 s; tests shorten it).
    """

    def __init__(self, root: Path, *, env: Mapping[str, str] | None = None,
                 on_shutdown: Callable[[int], None] | None = None,
                 okay_delay: float = 1.0) -> None:
        self.root = Path(root)
        self.fs = self.root / 'fs'
        self.fs.mkdir(parents=True, exist_ok=True)
        self._env = dict(os.environ if env is None else env)
        self._on_shutdown = on_shutdown
        self._shutdown_requested = False
        self._closed = False
        self._lock = threading.RLock()
        self._layers: list[Layer] = []
        self._notices = NoticeStore()
        self._changes = ChangeStore(self._notices, self._lock)
        self._logs = LogStore()
        self._timers = Scheduler()
        self._services = ServiceManager(self._lock, self._changes, self._logs, self._timers,
                                        self._spawn_service, self._request_shutdown)
        self._services.okay_delay = okay_delay
        self._checks = CheckManager(self._changes, self._spawn_check,
                                    self._services.check_failed)
        self._runner = TaskRunner(self._changes, self._services.do_task)

    # --- paths and processes ---

    def container_path(self, path: str) -> Path:
        """The host path of container path *path* (``/etc/x`` -> ``fs/etc/x``)."""
        if not path.startswith('/'):
            raise APIError(400, f'paths must be absolute, got "{path}"')
        parts = [part for part in path.split('/') if part not in ('', '.')]
        if '..' in parts:
            raise APIError(400, f'path "{path}" must not contain ".." components')
        return self.fs.joinpath(*parts)

    def _mapped(self, arg: str) -> str:
        prefix, sep, value = arg.partition('=') if arg.startswith('--') else ('', '', arg)
        if not value.startswith('/') or '..' in value.split('/'):
            return arg
        inside = self.container_path(value)
        return prefix + sep + str(inside) if os.path.lexists(inside) else arg

    def host_command(self, argv: list[str]) -> list[str]:
        """*argv* with each absolute path that exists in the container mapped into it."""
        return [self._mapped(arg) for arg in argv]

    def host_env(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        """The base environment with *extra* over it, and ``PEBBLE_CONTAINER_ROOT``."""
        return {**self._env, **(extra or {}), 'PEBBLE_CONTAINER_ROOT': str(self.fs)}

    def _popen(self, argv: list[str], options: Item) -> subprocess.Popen[bytes]:
        env = self.host_env(options.get('environment'))
        argv = self.host_command(argv)
        program = shutil.which(argv[0], path=env.get('PATH', os.defpath)) \
            if '/' not in argv[0] else argv[0]
        if program is None:
            raise FileNotFoundError(2, 'not found', argv[0])
        workdir = options.get('working-dir')
        cwd = self.container_path(workdir) if workdir else self.fs
        identity: dict[str, Any] = {}
        if os.geteuid() == 0:  # only root can run a process as another user
            identity = _identity(options)
        # A session of its own makes the process lead its own group: a stop signals the
        # group, so what the service started goes too (process_group= needs Python 3.11).
        # (**identity hides from the checkers that this is the bytes overload: no text=.)
        proc = cast('subprocess.Popen[bytes]', subprocess.Popen(  # noqa: S603 - the plan's
            [program, *argv[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True,
            close_fds=True, **identity))
        return proc

    def _spawn_service(self, config: Item) -> subprocess.Popen[bytes]:
        base, extra = parse_command(config.get('name', ''), config['command'])
        return self._popen(base + extra, config)

    def _spawn_check(self, probe: Item) -> subprocess.Popen[bytes]:
        return self._popen(shlex.split(probe['command']), probe)

    def _request_shutdown(self, code: int) -> None:
        if self._shutdown_requested or self._on_shutdown is None:
            return
        self._shutdown_requested = True
        callback = self._on_shutdown
        threading.Thread(target=callback, args=(code,), name='workload-shutdown-request',
                         daemon=True).start()

    # --- plan ---

    def add_layer(self, label: str, layer_yaml: str, *, combine: bool,
                  inner: bool = False) -> None:
        """Add (or with *combine*, merge into the same label) a layer; 400 when invalid."""
        if not label:
            raise APIError(400, 'label must be set')
        try:
            layer = parse_layer(label, layer_yaml)
        except PlanError as exc:
            raise APIError(400, f'cannot parse layer YAML: {exc}') from None
        with self._lock:
            layers = list(self._layers)
            index = next((i for i, old in enumerate(layers) if old.label == label), None)
            try:
                if index is not None and not combine:
                    raise PlanError(f'layer "{label}" already exists')
                if index is not None:
                    merged = _combine_layers(label, [layers[index], layer])
                    merged.order = layers[index].order
                    layers[index] = merged
                else:
                    layers.insert(self._insert_at(layers, label, inner), layer)
                plan = make_plan(layers)
            except PlanError as exc:
                raise APIError(400, str(exc)) from None
            self._layers = layers
            for name, config in plan.services.items():
                config['name'] = name
            self._services.plan = plan
            self._checks.plan_changed(plan)

    @staticmethod
    def _insert_at(layers: list[Layer], label: str, inner: bool) -> int:
        """Where a new layer goes: at the end, or after its sub-directory's layers
        (which needs *inner*, as in Pebble, unless they are the last ones)."""
        prefix = label.partition('/')[0]
        last = next((i for i in range(len(layers) - 1, -1, -1)
                     if layers[i].label.partition('/')[0] == prefix), None)
        if last is None or last == len(layers) - 1:
            return len(layers)
        if not inner:
            raise PlanError("cannot insert sub-directory layer without 'inner' attribute set")
        return last + 1

    def plan_yaml(self) -> str:
        """The combined plan as YAML (``GET /v1/plan?format=yaml``)."""
        with self._lock:
            return _plan_yaml(self._services.plan)

    # --- services ---

    def services(self, names: list[str]) -> list[dict[str, Any]]:
        """The services (all, or those named) as ``GET /v1/services`` lists them."""
        return self._services.services(names)

    def service_action(self, action: str, names: list[str]) -> str:
        """Start a change that does *action* to the services; its id (it runs on)."""
        names = list(names)
        if action not in _SERVICE_ACTIONS:
            raise APIError(400, f'invalid action "{action}"')
        if action in ('replan', 'autostart') and names:
            raise APIError(400, f'{action} accepts no service names')
        if action not in ('replan', 'autostart') and not names:
            raise APIError(400, f'must specify services for {action} action')
        with self._lock:
            if self._closed and action != 'stop':
                raise APIError(500, f'cannot {action} services: the workload manager is '
                                    f'shutting down')
            plan = self._services.plan
            try:
                if action == 'autostart':
                    names = [n for n, c in sorted(plan.services.items())
                             if c.get('startup') == 'enabled']
                    if not names:
                        raise APIError(400, 'no default services', 'no-default-services')
                stop, start, listed = self._lanes(action, names)
            except PlanError as exc:
                raise APIError(400, f'cannot {action} services: {exc}') from None
            return self._service_change(action, names, stop, start, listed)

    def _lanes(self, action: str, names: list[str]) -> tuple[list[list[str]],
                                                             list[list[str]], list[str]]:
        plan = self._services.plan
        if action in ('start', 'autostart'):
            start = _start_lanes(plan, names)
            return [], start, [n for lane in start for n in lane]
        if action == 'stop':
            stop = _stop_lanes(plan, names)
            return stop, [], [n for lane in stop for n in lane]
        if action == 'restart':
            wanted = set(names)
            stop = [kept for lane in _stop_lanes(plan, names)
                    if (kept := [n for n in lane if n in wanted])]
            start = _start_lanes(plan, names)
            return stop, start, [n for lane in start for n in lane]
        restart, enabled = self._services.replan()
        stop, start = _stop_lanes(plan, restart), _start_lanes(plan, enabled)
        self._checks.replan()
        return stop, start, sorted({n for lane in stop + start for n in lane})

    def _service_change(self, action: str, names: list[str], stop: list[list[str]],
                        start: list[list[str]], listed: list[str]) -> str:
        title = action.capitalize()
        if not stop and not start:
            change = self._changes.new_change(action, f'{title} - no services')
            self._changes.set_change_status(change, 'Done')
            return change.id
        first = listed[0] if action == 'replan' else names[0]
        summary = (f'{title} service "{first}"' if len(listed) == 1 else
                   f'{title} service "{first}" and {len(listed) - 1} more')
        change = self._changes.new_change(action, summary)
        change.service_names = listed if action == 'replan' else names
        phases: list[list[Task]] = []
        for kind, lanes in (('stop', stop), ('start', start)):
            tasks = []
            for lane_names in lanes:
                lane = self._changes.new_lane()
                for name in lane_names:
                    tasks.append(self._changes.add_task(
                        change, kind, f'{kind.capitalize()} service "{name}"', lane, name))
            if tasks:
                phases.append(tasks)
        self._runner.run(phases)
        return change.id

    def send_signal(self, signal: str, names: list[str]) -> None:
        """Send *signal* (``SIGHUP``...) to the named services' processes; 500 on errors."""
        if not names:
            raise APIError(400, 'must specify one or more services')
        errors = self._services.send_signal(signal, names)
        if errors:
            raise APIError(500, '; '.join(errors))

    def logs(self, services: list[str], n: int | None) -> list[dict[str, Any]]:
        """The services' last *n* output lines (30 when None, all kept when negative)."""
        return self._logs.logs(services, n)

    def follow_logs(self, services: list[str], stop: threading.Event) -> Iterator[dict[str, Any]]:
        """The services' new output lines as they come, until *stop* is set."""
        return self._logs.follow(services, stop)

    # --- checks ---

    def checks(self, level: str, names: list[str]) -> list[dict[str, Any]]:
        """The checks as ``GET /v1/checks`` lists them."""
        return self._checks.checks(level, names)

    def checks_action(self, action: str, names: list[str]) -> list[str]:
        """Start or stop checks; the names that changed."""
        return self._checks.action(action, names)

    def healthy(self, level: str, names: list[str]) -> bool:
        """Whether no matching check is down (``GET /v1/health``)."""
        return self._checks.healthy(level, names)

    # --- changes ---

    def new_change(self, kind: str, summary: str, *, data: dict[str, Any] | None = None) -> str:
        """A change in Doing with one task of the same kind (the front's exec changes)."""
        with self._lock:
            change = self._changes.new_change(kind, summary)
            task = self._changes.add_task(change, kind, summary, self._changes.new_lane())
            task.data.update(data or {})
            self._changes.set_task_status(task, 'Doing')
            return change.id

    def finish_change(self, change_id: str, *, error: str = '',
                      data: dict[str, Any] | None = None) -> None:
        """End a change made by :meth:`new_change`: Done, or Error with *error*."""
        with self._lock:
            change = self._changes.get(change_id)
            for task in change.tasks:
                task.data.update(data or {})
                if task.status not in ('Done', 'Error', 'Hold', 'Undone'):
                    self._changes.finish_task(task, error)

    def set_task_data(self, change_id: str, data: dict[str, Any]) -> None:
        """Merge *data* into the data of the change's (first) task."""
        with self._lock:
            change = self._changes.get(change_id)
            if change.tasks:
                change.tasks[0].data.update(data)

    def changes(self, select: str, for_service: str) -> list[dict[str, Any]]:
        """The changes as ``GET /v1/changes`` lists them."""
        return self._changes.changes(select, for_service)

    def change(self, change_id: str) -> dict[str, Any]:
        """One change; 404 when unknown."""
        with self._lock:
            return self._changes.get(change_id).to_dict()

    def wait_change(self, change_id: str, timeout: float | None) -> dict[str, Any]:
        """The change once ready; 504 after *timeout* seconds."""
        return self._changes.wait(change_id, timeout)

    def abort_change(self, change_id: str) -> dict[str, Any]:
        """Abort a change that is not ready; 400 when it is."""
        return self._changes.abort(change_id)

    def on_abort(self, change_id: str, callback: Callable[[], None]) -> None:
        """Call *callback* when the change is aborted (the front kills its exec)."""
        with self._lock:
            self._changes.get(change_id).on_abort.append(callback)

    # --- notices and warnings ---

    def add_notice(self, type: str, key: str, *,  # noqa: A002 - Pebble's field name
                   data: dict[str, str] | None = None, repeat_after: float | None = None,
                   user_id: int | None = None) -> str:
        """Record a custom notice (the only type a client may add); its id."""
        if type != 'custom':
            raise APIError(400, f'invalid type "{type}" (can only add "custom" notices)')
        check_custom_key(key)
        return self._notices.add(type, key, data=data, repeat_after=repeat_after,
                                 user_id=user_id)

    def notices(self, *, types: list[str], keys: list[str], after: str | None,
                user_id: int | None, all_users: bool) -> list[dict[str, Any]]:
        """The notices that match (``after``: an RFC 3339 time, on last-repeated)."""
        return self._notices.notices(types=types, keys=keys, after=self._after(after),
                                     user_id=user_id, all_users=all_users)

    def wait_notices(self, *, types: list[str], keys: list[str], after: str | None,
                     user_id: int | None, all_users: bool,
                     timeout: float) -> list[dict[str, Any]]:
        """Like :meth:`notices`, waiting up to *timeout* seconds for one ([] then)."""
        return self._notices.wait(types=types, keys=keys, after=self._after(after),
                                  user_id=user_id, all_users=all_users, timeout=timeout)

    @staticmethod
    def _after(after: str | None) -> int | None:
        if not after:
            return None
        try:
            return parse_rfc3339_ns(after)
        except ValueError as exc:
            raise APIError(400, f'invalid "after" timestamp: {exc}') from None

    def notice(self, notice_id: str) -> dict[str, Any]:
        """One notice by id; 404 when unknown."""
        return self._notices.notice(notice_id)

    def warnings(self, select: str) -> list[dict[str, Any]]:
        """The warnings (``all`` or ``pending``) in Pebble's warnings shape."""
        return self._notices.warnings(select)

    def add_warning(self, message: str) -> None:
        """Record a warning."""
        self._notices.add_warning(message)

    def ack_warnings(self, timestamp: str) -> int:
        """Acknowledge warnings added up to *timestamp*; how many."""
        try:
            return self._notices.ack_warnings(parse_rfc3339_ns(timestamp))
        except ValueError as exc:
            raise APIError(400, f'invalid timestamp: {exc}') from None

    # --- life ---

    def service_pids(self) -> list[int]:
        """The pids of the services' current processes."""
        return self._services.pids()

    def shutdown(self) -> None:
        """Stop checks and services (SIGTERM, SIGKILL after the kill delay), join threads."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            running = self._services.running()
            longest = max([float(c.get('kill-delay', KILL_DELAY))
                           for c in self._services.plan.services.values()] + [KILL_DELAY])
        self._checks.stop_all(timeout=5.0)
        if running:
            change_id = self.service_action('stop', running) if running else ''
            try:
                self._changes.wait(change_id, longest + FAIL_DELAY + 1.0)
            except APIError:
                pass
        self._services.kill_all()
        self._services.join(timeout=5.0)
        self._runner.join(timeout=5.0)
        self._timers.stop()
        self._logs.close()
        self._notices.wake()
