"""Integration tests on the local model, in Jubilant's shape.

:class:`LocalJuju` has the methods of ``jubilant.Juju`` that make sense without a
controller (``deploy``, ``integrate``, ``remove_relation``, ``config``, ``add_unit``,
``wait``, ``run``, ``exec``, ``status``, ``debug_log``), with Jubilant's names, arguments
and result shapes, over a :class:`~reactops.localmodel.LocalModel` in a temporary
directory. A test written against it runs against a real Juju through Jubilant too (see
docs/integration-testing.md). The ``juju`` pytest fixture gives each test a fresh one.

Hooks run only inside :meth:`LocalJuju.wait`, :meth:`LocalJuju.run` and
:meth:`LocalJuju.exec` (each settles the model first), as if the unit agents worked while
the test waits for them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, overload

from ..localmodel import LocalModel, LocalModelError, load_bundle, unit_charm_dir
from ._localjuju_status import (
    AppStatus,
    AppStatusRelation,
    ModelStatus,
    Status,
    StatusInfo,
    UnitStatus,
    all_active,
    all_agents_idle,
    all_blocked,
    all_error,
    all_maintenance,
    all_waiting,
    any_active,
    any_blocked,
    any_error,
    any_maintenance,
    any_waiting,
    status_of,
)

__all__ = ['AppStatus', 'AppStatusRelation', 'LocalJuju', 'LocalModelError', 'ModelStatus',
           'Status',
           'StatusInfo', 'Task', 'TaskError', 'UnitStatus', 'WaitError', 'all_active',
           'all_agents_idle', 'all_blocked', 'all_error', 'all_maintenance', 'all_waiting',
           'any_active', 'any_blocked', 'any_error', 'any_maintenance', 'any_waiting']

ConfigValue = bool | int | float | str


class WaitError(Exception):
    """:meth:`LocalJuju.wait`'s *error* condition held."""


@dataclasses.dataclass(frozen=True)
class Task:
    """What an action or an ``exec`` did on one unit (Jubilant's ``Task``)."""

    id: str
    status: str
    results: dict[str, Any] = dataclasses.field(default_factory=dict)
    return_code: int = 0
    stdout: str = ''
    stderr: str = ''
    message: str = ''
    log: list[str] = dataclasses.field(default_factory=list)

    @property
    def success(self) -> bool:
        """Whether it completed with exit status 0."""
        return self.status == 'completed' and self.return_code == 0

    def raise_on_failure(self) -> None:
        """Raise :class:`TaskError` unless it succeeded."""
        if not self.success:
            raise TaskError(self)


class TaskError(Exception):
    """An action or exec failed; :attr:`task` says how."""

    def __init__(self, task: Task):
        super().__init__(f'task {task.id} {task.status}: {task.message or task.stderr}'
                         f' (return code {task.return_code})')
        self.task = task


class LocalJuju:
    """A Juju-like handle on a fresh local model (in *model_dir*, else a temporary
    directory removed by :meth:`close`).

    *wait_timeout* is :meth:`wait`'s default timeout, as in Jubilant.
    """

    def __init__(self, model_dir: str | os.PathLike[str] | None = None, *,
                 wait_timeout: float = 120.0, hook_timeout: float = 120.0):
        self._own_dir = model_dir is None
        self.model_dir = Path(model_dir or tempfile.mkdtemp(prefix='reactops-juju-'))
        self.wait_timeout = wait_timeout
        self.model = LocalModel(self.model_dir, hook_timeout=hook_timeout)
        self.model.create()

    def __enter__(self) -> LocalJuju:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workloads and remove the model (a model directory given is kept)."""
        try:
            self.model.stop()
        finally:
            self.model.close()
            if self._own_dir:
                shutil.rmtree(self.model_dir, ignore_errors=True)

    # changing the model (nothing runs until wait, run or exec)

    def deploy(self, charm: str | os.PathLike[str], app: str | None = None, *,
               num_units: int = 1, config: Mapping[str, ConfigValue] | None = None,
               resources: Mapping[str, str] | None = None) -> None:
        """Deploy the charm in directory *charm* as *app* (default: the charm's name), or
        every application and relation of the bundle file *charm*."""
        path = Path(charm)
        if path.is_file():
            if app is not None or num_units != 1 or config or resources:
                raise LocalModelError(f'{path} is a bundle: app, num_units, config and '
                                      f'resources come from the bundle file')
            self.model.deploy_bundle(load_bundle(path, max_units=self.model.max_units))
            return
        if not path.is_dir():
            raise LocalModelError(f'{path} is neither a charm directory nor a bundle file '
                                  f'(the local model deploys no charm from Charmhub)')
        if app is None:
            from ..meta import CharmMeta

            app = CharmMeta.from_charm_root(path).name
        self.model.deploy(app, path, units=num_units, config=config, resources=resources)

    def integrate(self, app1: str, app2: str) -> None:
        """Relate ``app[:endpoint]`` to ``app[:endpoint]``."""
        self.model.relate(app1, app2)

    def remove_relation(self, app1: str, app2: str) -> None:
        """Remove the relation between the two ends."""
        self.model.remove_relation(app1, app2)

    def add_unit(self, app: str, *, num_units: int = 1) -> None:
        """Add *num_units* units to *app*."""
        for _ in range(num_units):
            self.model.add_unit(app)

    @overload
    def config(self, app: str) -> Mapping[str, ConfigValue]: ...

    @overload
    def config(self, app: str, values: Mapping[str, ConfigValue]) -> None: ...

    def config(self, app: str, values: Mapping[str, ConfigValue] | None = None
               ) -> Mapping[str, ConfigValue] | None:
        """Without *values*, *app*'s config; with them, set them (and return ``None``)."""
        if values is None:
            return dict(self.model.state.app(app).config)
        self.model.configure(app, {key: _as_text(value) for key, value in values.items()})
        return None

    # reading and waiting

    def status(self) -> Status:
        """The model's status now (nothing runs)."""
        return status_of(self.model)

    def wait(self, ready: Callable[[Status], bool], *,
             error: Callable[[Status], bool] | None = None, delay: float = 0.2,
             timeout: float | None = None, successes: int = 3) -> Status:
        """Settle the model and read its status until *ready(status)* holds *successes*
        times in a row, polling every *delay* seconds; return that status.

        Raises :class:`WaitError` when *error(status)* holds, :class:`TimeoutError` after
        *timeout* seconds (default: the object's *wait_timeout*).
        """
        limit = self.wait_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        in_a_row = 0
        status: Status | None = None
        while time.monotonic() < deadline:
            self.model.settle()
            status = self.status()
            if error is not None and error(status):
                name = getattr(error, '__qualname__', repr(error))
                raise WaitError(f'error condition {name} held\n{_summary(status)}')
            in_a_row = in_a_row + 1 if ready(status) else 0
            if in_a_row >= successes:
                return status
            time.sleep(delay)
        shown = _summary(status) if status is not None else '(no status read)'
        raise TimeoutError(f'wait timed out after {limit:g}s\n{shown}')

    def debug_log(self, *, limit: int = 0) -> str:
        """The units' ``juju-log`` lines, oldest first (the last *limit* when it is set)."""
        lines = [f'{unit.name}: {level} {message}'
                 for unit in self.model.state.units()
                 for _, logs in self.model.hook_runs(unit.name)
                 for level, message in logs]
        return ''.join(line + '\n' for line in (lines[-limit:] if limit else lines))

    # actions and commands

    def run(self, unit: str, action: str, params: Mapping[str, Any] | None = None
            ) -> Task:
        """Run *action* on *unit* once the queued hooks have run; raise
        :class:`TaskError` when it fails, as Jubilant does."""
        self.model.settle()
        record = self.model.run_action(unit, action, dict(params or {}))
        failed = record['status'] != 'completed'
        task = Task(id=str(record['id']), status=record['status'],
                    results=dict(record['results']), return_code=1 if failed else 0,
                    message=record['message'],
                    log=[str(line) for line in record['log']])
        task.raise_on_failure()
        return task

    def exec(self, command: str, *args: str, unit: str) -> Task:
        """Run *command* with *args* in *unit*'s charm directory, as its user, and return
        its output; raise :class:`TaskError` when it exits non-zero.

        The unit's machine is this machine, so the command sees the unit's files (its
        charm copy, its state). Hook tools are not available to it (they answer only
        inside a hook): use :meth:`run` with an action for that.
        """
        self.model.settle()
        self.model.state.unit(unit)  # a clear error for a unit that does not exist
        where = unit_charm_dir(self.model_dir, unit)
        env = {**os.environ, 'JUJU_UNIT_NAME': unit, 'JUJU_CHARM_DIR': str(where)}
        done = subprocess.run([command, *args], cwd=where, env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, check=False,
                              timeout=self.model.hook_timeout)
        task = Task(id=f'exec-{unit}', status='completed', return_code=done.returncode,
                    stdout=done.stdout, stderr=done.stderr)
        task.raise_on_failure()
        return task


def _as_text(value: ConfigValue) -> str:
    """A config value as ``juju config`` would be given it."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _summary(status: Status) -> str:
    """Each app's and unit's status, one a line, for an error message."""
    lines = []
    for name, app in sorted(status.apps.items()):
        lines.append(f'{name}: {app.app_status.current} {app.app_status.message}'.rstrip())
        lines += [f'  {unit}: {info.workload_status.current} '
                  f'{info.workload_status.message}'.rstrip()
                  for unit, info in sorted(app.units.items())]
    return '\n'.join(lines)
