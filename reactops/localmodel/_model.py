"""The local model: deploy charms, change the model, and run hooks until it is quiet."""

from __future__ import annotations

import functools
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from . import _containers, _lifecycle, _lock, _managers, _process, _tool, _toolserver
from ._bundle import Bundle
from ._checks import (
    MAX_UNITS,
    check_app_name,
    check_config,
    check_units,
    endpoints,
    match_endpoints,
)
from ._containers import ContainerView
from ._state import HookRun, LocalModelError, ModelState, Relation, Unit

__all__ = ['LocalModel', 'unit_charm_dir']

DB_NAME = 'model.db'
MODEL_NAME = 'reactops'
#: The settle limit of the smallest model; it grows with the model (see :meth:`settle_limit`).
MAX_HOOKS = 500
#: How long a command waits for another one to let go of the model, in seconds.
LOCK_TIMEOUT = 600.0

#: The hooks running now: each one's future, with its queue id, itself and its environment.
_Running = dict[Future[_process.HookResult], tuple[int, _process.StartedHook, dict[str, str]]]
_P = ParamSpec('_P')
_R = TypeVar('_R')


def unit_charm_dir(model_dir: str | Path, unit_name: str) -> Path:
    """The charm directory of *unit_name* (``app/0``): where its ``.unit-state.db`` is."""
    return _containers.unit_dir(Path(model_dir), unit_name) / 'charm'


def _no_progress(line: str) -> None:
    pass


def _exclusive(method: Callable[Concatenate[LocalModel, _P], _R]
               ) -> Callable[Concatenate[LocalModel, _P], _R]:
    """Run *method* holding the model's lock (again, when the caller holds it already)."""
    @functools.wraps(method)
    def locked_method(self: LocalModel, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self.locked():
            return method(self, *args, **kwargs)
    return locked_method


class LocalModel:
    """One local model, kept in *model_dir*: a Juju that runs on this machine.

    Each method that changes the model queues the hooks Juju would queue; :meth:`settle`
    runs them. *progress* receives a line per hook run, *notice* a line when the model is
    busy with another command (each change waits for the model's lock, at most
    *lock_timeout* seconds). An application has at most *max_units* units.

    A Kubernetes charm's units run a workload manager per container; they keep running
    when the object is closed (as the model's workloads do between ``reactops``
    commands) until :meth:`stop` or :meth:`destroy`. ``with LocalModel(d) as model:``
    stops them and closes the model at the end of the block.
    """

    def __init__(self, model_dir: str | Path, *, progress: Callable[[str], None] | None = None,
                 hook_timeout: float = 300.0, notice: Callable[[str], None] | None = None,
                 lock_timeout: float = LOCK_TIMEOUT, max_units: int = MAX_UNITS,
                 jobs: int | None = None):
        self.dir = Path(model_dir)
        #: How many units may run a hook at the same time (each unit runs one at a time,
        #: as on Juju); default: 2 on a machine with 2 cores or more, else 1.
        self.jobs = max(1, jobs if jobs is not None else min(2, os.cpu_count() or 1))
        self.progress = progress or _no_progress
        self.notice = notice or _no_progress
        self.hook_timeout = hook_timeout
        self.lock_timeout = lock_timeout
        self.max_units = max_units
        self._state: ModelState | None = None
        self._lock_fd: int | None = None
        self._bin_dir: Path | None = None
        self._tool_server: _toolserver.ToolServer | None = None

    @property
    def state(self) -> ModelState:
        if self._state is None:
            if not (self.dir / DB_NAME).exists():
                raise LocalModelError(f'no local model in {self.dir}; deploy one with '
                                      f'"reactops run BUNDLE.yaml" (or pass --model-dir)')
            self._state = ModelState(self.dir / DB_NAME)
        return self._state

    def close(self) -> None:
        """Close the state file (the workload managers keep running: see :meth:`stop`)."""
        self._stop_tool_server()
        if self._state is not None:
            self._state.close()
            self._state = None

    def __enter__(self) -> LocalModel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.stop()
        finally:
            self.close()

    @contextmanager
    def locked(self, holder: str = '', *, create: bool = False) -> Iterator[None]:
        """Hold the model's lock for the block: no other command changes the model or runs
        its hooks meanwhile. *holder* names this command in the message another one gets;
        with *create*, the model directory is made when it does not exist."""
        if self._lock_fd is not None:
            yield
            return
        if create:
            self._check_replaceable()
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        elif not (self.dir / DB_NAME).exists():
            self.state  # noqa: B018  # says there is no model here
        self._lock_fd = _lock.acquire(self.dir, holder or _process.command_name(),
                                      self.lock_timeout, self.notice)
        try:
            yield
        finally:
            self._stop_tool_server()  # no hook runs until this model is locked again
            fd, self._lock_fd = self._lock_fd, None
            _lock.release(fd)

    def _check_replaceable(self) -> None:
        if self.dir.is_dir() and not (self.dir / DB_NAME).exists() and any(
                entry.name != _lock.LOCK_NAME for entry in self.dir.iterdir()):
            raise LocalModelError(f'{self.dir} is not empty and holds no local model; '
                                  f'choose another --model-dir')

    # creating

    def create(self) -> None:
        """Start an empty model in the directory, replacing a local model already there.

        The directory is private to its owner (0700) and the state file (which holds config
        values, logs and hook output) too (0600).
        """
        self.close()
        with self.locked(create=True):
            _containers.stop_all(self.dir)  # the old model's workloads go with it
            _managers.remove_private_base(self.dir)
            for entry in self.dir.iterdir():
                if entry.name == _lock.LOCK_NAME:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            self.dir.chmod(0o700)
            db = self.dir / DB_NAME
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
            self._state = ModelState(db)
            self._bin_dir = None

    @_exclusive
    def deploy_bundle(self, bundle: Bundle) -> None:
        """Deploy every application of *bundle*, then relate them (nothing runs yet)."""
        for spec in bundle.applications:
            self.deploy(spec.name, spec.charm, units=spec.units, config=spec.config,
                        resources=spec.resources)
        for end1, end2 in bundle.relations:
            self.relate(end1, end2)

    @_exclusive
    def deploy(self, name: str, charm: Path, *, units: int = 1,
               config: Mapping[str, Any] | None = None,
               resources: Mapping[str, object] | None = None) -> None:
        """Add application *name* running the charm in directory *charm*.

        *resources* names the image of ``oci-image`` resources (as a bundle's
        ``resources:`` does), overriding their ``upstream-source``; nothing is pulled.
        """
        check_app_name(name)
        check_units(units, self.max_units)
        meta = _charm_meta(charm)
        if any(app.name == name for app in self.state.apps()):
            raise LocalModelError(f'application {name!r} is already deployed')
        values = {key: option.default for key, option in meta.config.items()}
        values.update(check_config(name, meta, dict(config or {})))
        images = _containers.oci_images(name, meta, dict(resources or {}))
        with self.state.transaction():
            self.state.add_app(name, str(charm.resolve()), values)
            self.state.set_images(name, images)
            for endpoint, rel_meta in meta.peers.items():
                self.state.add_relation(name, endpoint, name, endpoint,
                                        rel_meta.interface_name)
        added = [self._add_unit(name, meta) for _ in range(units)]
        # All the units' workload managers start together.
        _containers.launch(self.state, self.dir, [c for c in self.state.containers()
                                                  if c.unit in added])

    @_exclusive
    def add_unit(self, app: str) -> str:
        """Add a unit to *app*: its own charm copy, its setup hooks, its relations, and
        for a Kubernetes charm its containers' workload managers, started."""
        unit = self._add_unit(app)
        _containers.launch(self.state, self.dir, self.state.containers(unit))
        return unit

    def _add_unit(self, app: str, meta: Any = None) -> str:
        """Add a unit of *app* (whose charm's *meta* the caller may have read already)."""
        source = Path(self.state.app(app).charm)
        check_units(len(self.state.units(app)) + 1, self.max_units)
        meta = meta if meta is not None else _charm_meta(source)
        with self.state.transaction():
            unit = self.state.new_unit(app)
            self._copy_charm(source, unit)
            _lifecycle.queue_setup(self.state, unit)
            if meta.containers:
                _containers.add(self.state, self.dir, unit, meta)
            for rel in self.state.relations(app):
                if not rel.dying:
                    _lifecycle.queue_join(self.state, rel, unit)
        return unit

    # relations

    def _copy_charm(self, source: Path, unit: str) -> None:
        """Refresh *unit*'s copy of its charm (never copying the model into itself, when
        the model directory is inside the charm's)."""
        _process.copy_charm(source, unit_charm_dir(self.dir, unit), exclude=self.dir)

    @_exclusive
    def relate(self, end1: str, end2: str) -> Relation:
        """Relate ``app:endpoint`` to ``app:endpoint`` (the endpoint may be left out when
        only one fits)."""
        app1, ep1, app2, ep2, interface = self._match(end1, end2)
        for rel in self.state.relations(app1):
            if {(rel.app1, rel.ep1), (rel.app2, rel.ep2)} == {(app1, ep1), (app2, ep2)}:
                raise LocalModelError(f'{app1}:{ep1} and {app2}:{ep2} are already related')
        with self.state.transaction():
            rel_id = self.state.add_relation(app1, ep1, app2, ep2, interface)
            rel = next(r for r in self.state.relations(app1) if r.id == rel_id)
            _lifecycle.queue_new_relation(self.state, rel)
        return rel

    def _match(self, end1: str, end2: str) -> tuple[str, str, str, str, str]:
        """Both ends' app and endpoint, and the interface they share."""
        app1, app2 = end1.partition(':')[0], end2.partition(':')[0]
        ends1 = endpoints(_charm_meta(Path(self.state.app(app1).charm)))
        ends2 = endpoints(_charm_meta(Path(self.state.app(app2).charm)))
        ep1, ep2, interface = match_endpoints(end1, end2, ends1, ends2)
        return app1, ep1, app2, ep2, interface

    @_exclusive
    def remove_relation(self, end1: str, end2: str) -> Relation:
        """Remove the relation between the two ends: departed, then broken, on each unit."""
        app1, ep1, app2, ep2, _ = self._match(end1, end2)
        for rel in self.state.relations(app1):
            if not rel.dying and {(rel.app1, rel.ep1), (rel.app2, rel.ep2)} == {
                    (app1, ep1), (app2, ep2)}:
                with self.state.transaction():
                    _lifecycle.queue_departure(self.state, rel)
                return rel
        raise LocalModelError(f'{app1}:{ep1} and {app2}:{ep2} are not related')

    # config, status, actions

    @_exclusive
    def configure(self, app: str, values: Mapping[str, str]) -> dict[str, Any]:
        """Set config options from ``key=value`` text; queue config-changed if any changed."""
        current = self.state.app(app)
        meta = _charm_meta(Path(current.charm))
        new = {**current.config, **check_config(app, meta, dict(values), from_text=True)}
        if new != current.config:
            with self.state.transaction():
                self.state.set_config(app, new)
                for unit in self.state.units(app):
                    self.state.enqueue(unit.name, 'config-changed')
        return new

    @_exclusive
    def update_status(self) -> None:
        """Queue update-status on every unit (Juju does it every few minutes)."""
        for unit in self.state.units():
            self.state.enqueue(unit.name, 'update-status')

    @_exclusive
    def resolve(self, unit: str) -> str:
        """Take *unit* out of error; the failed hook runs again at the next settle.

        The unit's copy of the charm is refreshed from the charm's directory first, so a
        fix made there is what runs (on Juju that takes an upgrade-charm).
        """
        found = self.state.unit(unit)
        hook = found.error_hook
        if hook is None:
            raise LocalModelError(f'unit {unit} is not in error; nothing to resolve')
        self._copy_charm(Path(self.state.app(found.app).charm), unit)
        self.state.set_error(unit, None)
        return hook

    @_exclusive
    def run_action(self, unit: str, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run action *name* on *unit* now and return its record (status, results, log;
        when it failed without saying why, the message is its exit status and the last line
        of its output, such as the exception)."""
        meta = _charm_meta(Path(self.state.app(self.state.unit(unit).app).charm))
        values = _action_params(meta, name, dict(params))
        ident = self.state.start_action(unit, name, values)
        env = {'JUJU_ACTION_NAME': name, 'JUJU_ACTION_UUID': str(uuid.uuid4()),
               'REACTOPS_ACTION_ID': str(ident)}
        ok, hook_id = self._run(unit, f'actions/{name}', env, label=f'action {name}')
        self.state.finish_action(ident, ok, '' if ok else self.state.failure(hook_id))
        return self.state.action(ident)

    # running hooks

    def settle_limit(self) -> int:
        """How many hooks one :meth:`settle` may run: it grows with the model, by the units
        and by the pairs of units that see each other across each relation."""
        sizes = {app.name: len(self.state.units(app.name)) for app in self.state.apps()}
        pairs = sum(sizes[rel.app1] * sizes[rel.app2] for rel in self.state.relations())
        return MAX_HOOKS + 20 * sum(sizes.values()) + 10 * pairs

    @_exclusive
    def settle(self, max_hooks: int | None = None) -> list[Unit]:
        """Run queued hooks until none is left for a unit not in error; return the units
        in error. At most *max_hooks* run (default: :meth:`settle_limit`); the hooks left
        stay queued for the next settle.

        First, every workload manager found down is started again (pebble-ready is
        queued), and every container's new notices become workload events; after each
        hook, the notices of that unit's containers are read, and once the queue is
        empty, every container's again.
        """
        limit = self.settle_limit() if max_hooks is None else max_hooks
        ran: list[str] = []
        _containers.revive(self.state, self.dir)
        _containers.poll(self.state, self.state.containers())
        if self.jobs == 1:
            return self._settle_loop(limit, ran, None)
        with ThreadPoolExecutor(self.jobs, thread_name_prefix='reactops-hook') as pool:
            return self._settle_loop(limit, ran, pool)

    def _settle_loop(self, limit: int, ran: list[str],
                     pool: ThreadPoolExecutor | None) -> list[Unit]:
        """Start the oldest queued hook of each unit that is neither busy nor in error, up to
        :attr:`jobs` at once (one unit runs one hook at a time, as on Juju); finish each as
        it ends, which may queue more. Without *pool*, each hook runs on this thread."""
        running: _Running = {}
        while True:
            stuck = {u.name for u in self.state.units() if u.error_hook}
            busy = {started.unit for _, started, _ in running.values()}
            item = self.state.next_hook(stuck | busy) if len(running) < self.jobs else None
            if item is None and not running and _containers.poll(
                    self.state, self.state.containers()):
                item = self.state.next_hook(stuck)
            if item is None and not running:
                return [u for u in self.state.units() if u.error_hook]
            if item is not None:
                if len(ran) >= limit:
                    self._wait_all(running)
                    raise LocalModelError(
                        f'the model did not settle after {limit} hooks '
                        f'({self.state.queued()} still queued; the last ones run were '
                        f'{", ".join(ran[-4:])}). Either the charms keep answering each '
                        f"other's relation changes with new data, or this model needs more "
                        f'hooks: run "reactops settle --max-hooks {limit * 4}" to go on (any '
                        f'command that settles takes --max-hooks N)')
                ident, unit, hook, env = item
                ran.append(f'{unit} {hook}')
                started = self._start_hook(unit, f'hooks/{hook}',
                                           {**env, 'JUJU_HOOK_NAME': hook})
                self.state.in_flight.add(ident)
                future: Future[_process.HookResult] = Future()
                if pool is None:
                    future.set_result(started.execute())
                else:
                    future = pool.submit(started.execute)
                running[future] = (ident, started, env)
                if len(running) < self.jobs and pool is not None:
                    continue  # start another unit's hook before waiting for any
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][1].hook_id):
                ident, started, env = running.pop(future)
                self._conclude(ident, started, env, future.result())
                _containers.poll(self.state, self.state.containers(started.unit))

    def _wait_all(self, running: _Running) -> None:
        """Let the hooks still running end and log them (before the model gives up)."""
        for future, (ident, started, env) in list(running.items()):
            self._conclude(ident, started, env, future.result())
        running.clear()

    def _conclude(self, ident: int, started: _process.StartedHook, env: dict[str, str],
                  result: _process.HookResult) -> None:
        """Finish a queued hook that ended: off the queue if it succeeded, else its unit is
        in error (the hook stays queued for ``resolve``)."""
        self.state.in_flight.discard(ident)
        if self._finish_hook(started, result)[0]:
            self.state.dequeue(ident)
            self._after(started.unit, started.hook, env)
        else:
            self.state.set_error(started.unit, started.hook)

    @_exclusive
    def watch(self, seconds: float, until: Callable[[LocalModel], bool] | None = None, *,
              interval: float = 0.5, max_hooks: int | None = None) -> list[Unit]:
        """Settle again and again for *seconds*, so that what the workloads report (a
        check failing, a notice recorded) runs as it comes, as Juju's unit agents do.

        Returns early once *until(model)* holds (tested after each settle), and
        returns the units in error. Between settles it waits *interval* seconds.
        """
        deadline = time.monotonic() + seconds
        while True:
            stuck = self.settle(max_hooks)
            left = deadline - time.monotonic()
            if (until is not None and until(self)) or left <= 0:
                return stuck
            time.sleep(min(interval, left))

    # the workloads

    def containers(self, unit: str) -> list[ContainerView]:
        """The containers of *unit* (none for a machine charm) as they are now: whether
        each one's manager runs, its image, its services and checks."""
        self.state.unit(unit)
        return _containers.views(self.state, self.dir, unit)

    def stop(self) -> list[int]:
        """Stop every workload manager of the model, and the services they run; return
        their pids. The model's state stays: its next settle starts them again and
        queues pebble-ready, as Juju does when a Pebble restarts."""
        if not (self.dir / DB_NAME).exists():
            return []
        with self.locked():
            return _containers.stop_all(self.dir)

    def destroy(self) -> list[int]:
        """Stop the model's workloads and remove the model directory; return the pids of
        the workload managers that were running."""
        with self.locked():
            pids = _containers.stop_all(self.dir)
            self.close()
            _managers.remove_private_base(self.dir)
            shutil.rmtree(self.dir)
        return pids

    def _run(self, unit: str, dispatch_path: str, env: dict[str, str],
             label: str = '') -> tuple[bool, int]:
        """Run one hook of *unit*; commit its writes when it succeeds. Returns whether it
        did, and the hook's id in the hook log."""
        started = self._start_hook(unit, dispatch_path, env, label)
        return self._finish_hook(started, started.execute())

    def _start_hook(self, unit: str, dispatch_path: str, env: dict[str, str],
                    label: str = '') -> _process.StartedHook:
        """Log the hook, give it its token and environment: what runs before its process
        (on the thread that owns the state file)."""
        hook = label or dispatch_path.rpartition('/')[2]
        self._before(unit, hook, env)
        hook_id = self.state.start_hook(unit, hook)
        # The tools know the hook's unit by this token, which no other hook holds.
        token = _tool.issue_hook_token(self.state.db, hook_id, unit)
        full_env = {**env, 'JUJU_UNIT_NAME': unit, 'JUJU_MODEL_NAME': MODEL_NAME,
                    'JUJU_MODEL_UUID': self.state.meta('uuid') or '',
                    'JUJU_MACHINE_ID': '0', 'JUJU_AVAILABILITY_ZONE': '',
                    'JUJU_PRINCIPAL_UNIT': '', 'JUJU_CONTEXT_ID': f'{unit}-{hook}-{hook_id}',
                    'REACTOPS_MODEL_DB': str((self.dir / DB_NAME).resolve()),
                    'REACTOPS_HOOK_TOKEN': token,
                    **_containers.hook_env(self.state, unit)}
        bin_dir = self._tools()
        if self._tool_server is not None:
            full_env['REACTOPS_TOOL_SOCKET'] = str(self._tool_server.socket_path)
        return _process.StartedHook(unit, hook, hook_id, token,
                                    unit_charm_dir(self.dir, unit).resolve(), bin_dir,
                                    dispatch_path, full_env, self.hook_timeout)

    def _finish_hook(self, started: _process.StartedHook,
                     result: _process.HookResult) -> tuple[bool, int]:
        """End the hook's token, log how it ended, and commit its writes if it succeeded."""
        unit, hook, hook_id = started.unit, started.hook, started.hook_id
        _tool.revoke_hook_token(self.state.db, started.token)
        self.state.finish_hook(hook_id, result.seconds, result.code, result.output)
        with self.state.transaction():
            written = self.state.take_pending(hook_id)
            changed = _lifecycle.queue_bag_changes(self.state, unit, written) \
                if result.code == 0 else []
        outcome = 'ok' if result.code == 0 else f'FAILED (exit {result.code})'
        wrote = f'; wrote {", ".join(changed)}' if changed else ''
        self.progress(f'{unit:<16} {hook:<34} {outcome} {result.seconds:.2f}s{wrote}')
        return result.code == 0, hook_id

    def _tools(self) -> Path:
        """The hook tools' directory, installed (or refreshed) once per model object."""
        if self._bin_dir is None:
            self._bin_dir = _process.install_tools(self.dir.resolve())
        if self._tool_server is None:
            server = _toolserver.ToolServer((self.dir / DB_NAME).resolve(),
                                            _toolserver.socket_path_for(self.dir))
            try:
                server.start()
                self._tool_server = server
            except OSError as e:  # the tools then run as programs of their own (slower)
                self.notice(f"the hook tools run without the model's server: {e}")
        return self._bin_dir

    def _stop_tool_server(self) -> None:
        server, self._tool_server = self._tool_server, None
        if server is not None:
            server.stop()

    def _before(self, unit: str, hook: str, env: dict[str, str]) -> None:
        """Relation membership as the hook must see it: a joining unit is listed in its
        joined hook, a departing one no longer in its departed hook."""
        rel_id = env.get('JUJU_RELATION_ID', '').rpartition(':')[2]
        remote = env.get('JUJU_REMOTE_UNIT', '')
        if rel_id and remote and hook.endswith(('-relation-joined', '-relation-departed')):
            self.state.set_member(int(rel_id), unit, remote, hook.endswith('-joined'))
            if hook.endswith('-joined'):
                self.state.ensure_bag(int(rel_id), remote)
        if rel_id and hook.endswith('-relation-created'):
            self.state.ensure_bag(int(rel_id), unit)
            self.state.ensure_bag(int(rel_id), unit.split('/')[0])

    def _after(self, unit: str, hook: str, env: dict[str, str]) -> None:
        """Forget a removed relation once every unit has seen it broken."""
        rel_id = env.get('JUJU_RELATION_ID', '').rpartition(':')[2]
        if hook.endswith('-relation-broken') and rel_id:
            if self.state.queued_for_relation(int(rel_id)) == 0:
                self.state.drop_relation(int(rel_id))

    # reading

    def flags(self, unit: str) -> dict[str, Any]:
        """The flags set on *unit* after its last hook (empty before its first)."""
        self.state.unit(unit)
        path = unit_charm_dir(self.dir, unit) / '.unit-state.db'
        if not path.exists():
            return {}
        from ..storage import SQLiteStorage

        store = SQLiteStorage(path)
        try:
            return dict(sorted((key[len('reactive.states.'):], value)
                               for key, value in store.kv_items('reactive.states.')))
        finally:
            store.close()

    def hook_runs(self, unit: str) -> list[tuple[HookRun, list[tuple[str, str]]]]:
        """Every hook *unit* ran, oldest first, with its juju-log lines."""
        self.state.unit(unit)
        return [(run, self.state.logs(run.id)) for run in self.state.hook_runs(unit)]


def _charm_meta(charm: Path) -> Any:
    from ..meta import CharmMeta

    try:
        return CharmMeta.from_charm_root(charm)
    except FileNotFoundError:
        raise LocalModelError(f'{charm} is not a charm directory: it has no metadata.yaml or '
                              f'charmcraft.yaml (was it moved since it was deployed?)') from None


def _action_params(meta: Any, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The action's parameters: *params* checked against the schema, defaults filled in."""
    action = meta.actions.get(name)
    if action is None:
        raise LocalModelError(f'the charm has no action {name!r} (actions: '
                              f'{", ".join(sorted(meta.actions)) or "none"})')
    values = {key: schema['default'] for key, schema in action.parameters.items()
              if isinstance(schema, dict) and 'default' in schema}
    values.update(params)
    missing = [key for key in action.required if key not in values]
    if missing:
        raise LocalModelError(f'action {name} needs parameter(s) {", ".join(missing)} '
                              f'(give them as key=value)')
    unknown = sorted(set(params) - set(action.parameters))
    if unknown and not action.additional_properties:
        raise LocalModelError(f'action {name} has no parameter(s) {", ".join(unknown)} '
                              f'(it takes: {", ".join(sorted(action.parameters)) or "none"})')
    return values
