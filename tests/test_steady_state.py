"""A steady unit after 1,000 hooks: what each hook writes, the state file's size and the
hook's time stay flat (issue 21's Must show).

Each hook is reactops' own dispatch (``reactops._main.Dispatch.execute``, what
``reactops.main()`` runs: framework, charm, deferred events, the reactive extension,
commit) over a real state file on disk, run in this process: Juju's hook tools are
answered in process by ``reactops.testing``'s simulated backend, since 1,000 hooks of
hook-tool processes would take minutes. Handler modules are imported once, so the time
measured is the part of a hook that depends on the unit's state, which is what has to
stay flat. Hook time is the process's CPU time (``time.process_time``), not the wall
clock: what would grow with the unit's state (encoding it, reading more rows) is CPU work,
and other processes on a loaded machine would make the wall clock look like growth.

Bytes written are counted with SQLite's trace callback on the store's own connection:
every statement that changes rows (INSERT, REPLACE, UPDATE, DELETE) comes with its bound
parameters expanded by SQLite, and its length is counted. ``/proc/self/io``'s ``wchar``
would count whole pages (4 KiB each, and the rollback journal's copy), so a row that grows
by a few bytes a hook would show only when it spills into a new page; the statements show
every byte a hook asks the store to keep, and the file-size check catches growth at the
page level. The default run samples 150 hooks; the whole 1,000 are marked ``slow``.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import reactops
from reactops._main import Dispatch
from reactops.jujucontext import JujuContext
from reactops.jujuversion import JujuVersion
from reactops.meta import CharmMeta
from reactops.reactive._dispatch import ReactiveCharm, ReactiveExtension
from reactops.reactive._runtime import FLAG_PREFIX
from reactops.reactive._trace import TRACE_KEY
from reactops.storage import SQLiteStorage
from reactops.testing import Relation, State
from reactops.testing._backend import SimulatedBackend

QUICK_HOOKS = 150
FULL_HOOKS = 1000
WARM_UP = 10          # install, config-changed, start and the first repeats
BYTES_TOLERANCE = 32  # counters gaining digits (event numbers) over 1,000 hooks
PAGE = 4096
TIME_RATIO = 1.3
TIME_FLOOR = 0.003    # seconds: a fast machine's scheduling noise is not a trend
_WRITES = ('INSERT', 'REPLACE', 'UPDATE', 'DELETE')

METADATA = 'name: steady\nrequires:\n  web:\n    interface: http-steady\n'
CONFIG = ('options:\n'
          '  port: {type: int, default: 8080}\n'
          '  motd: {type: string, default: hello}\n')

REACTIVE_HANDLERS = '''\
"""A steady reactive charm: every handler that can run in every hook does, setting the
same flags to the same values."""

from reactops import (ActiveStatus, current_charm, data_changed, endpoint_from_flag,
                      only_once, set_flag, when, when_file_changed, when_not)


@when_not('steady.installed')
def install():
    set_flag('steady.installed')


@only_once
def first_hook():
    set_flag('steady.first-hook-seen')


@when('steady.installed', 'config.changed.port')
def open_port():
    set_flag('steady.port', current_charm().config['port'])


@when('config.set.motd')
def motd():
    set_flag('steady.motd', current_charm().config['motd'])


@when('steady.installed')
def every_hook():
    config = dict(current_charm().config)
    set_flag('steady.ready', {'port': config['port'], 'motd': config['motd']})
    if data_changed('steady.config', config):
        set_flag('steady.config-seen')
    current_charm().unit.status = ActiveStatus('ready')


@when('steady.ready', rerun=False)
def once_per_change():
    set_flag('steady.announced')


@when('endpoint.web.joined')
def web_joined():
    web = endpoint_from_flag('endpoint.web.joined')
    set_flag('steady.web-units', len(web.all_joined_units))


@when('endpoint.web.changed.host')
def web_host():
    set_flag('steady.web-host', endpoint_from_flag('endpoint.web.changed').all_joined_units
             .received['host'])


@when_file_changed('metadata.yaml')
def metadata_seen():
    set_flag('steady.metadata-seen')
'''


class OpsCharm(reactops.CharmBase):
    """A steady ops-style charm: StoredState set to the same values in every hook."""

    _stored = reactops.StoredState()

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        self._stored.set_default(port=0, motd='', history=[], peers={})
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_config_changed)
        framework.observe(self.on.start, self._on_config_changed)

    def _on_install(self, event: reactops.InstallEvent) -> None:
        self.unit.status = reactops.MaintenanceStatus('installing')

    def _on_config_changed(self, event: reactops.EventBase) -> None:
        self._stored.port = self.config['port']
        self._stored.motd = self.config['motd']
        self.unit.status = reactops.ActiveStatus(f'serving on :{self._stored.port}')


class AccumulatingCharm(OpsCharm):
    """What the test must catch: a charm whose stored state grows by one entry a hook."""

    def _on_config_changed(self, event: reactops.EventBase) -> None:
        super()._on_config_changed(event)
        self._stored.history.append(len(self._stored.history))


@dataclass
class Hooks:
    """What each hook of a run wrote (bytes of row-changing SQL, and the keys), the state
    file's size after it, and the CPU time it took."""

    written: list[int] = field(default_factory=list)
    keys: list[set[str]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


class _CountWrites:
    """A dispatch extension that hooks SQLite's trace callback onto the store's connection
    as the dispatch starts (the store opened by the dispatch itself, never replaced)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def start(self, framework: Any, hook_name: str) -> None:
        framework._storage._db.set_trace_callback(self._seen)

    def _seen(self, statement: str) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in _WRITES:
            self.statements.append(statement)

    def after_event(self, charm: Any, restricted: bool) -> None:
        """Nothing to do after the event: the counting goes on until the commit."""

    def stop(self) -> None:
        """Nothing to undo: the connection closes with the dispatch."""


def _key_of(statement: str) -> str:
    """The row a write statement touches: the first quoted value (kv key, handle)."""
    start = statement.find("'")
    return statement[start + 1:statement.find("'", start + 1)] if start >= 0 else statement


def _run_unit(tmp_path: Path, charm_class: type[reactops.CharmBase], hooks: int, *,
              reactive: str | None = None) -> Hooks:
    charm_dir = tmp_path / 'charm'
    charm_dir.mkdir()
    (charm_dir / 'metadata.yaml').write_text(METADATA)
    (charm_dir / 'config.yaml').write_text(CONFIG)
    if reactive is not None:
        (charm_dir / 'reactive').mkdir()
        (charm_dir / 'reactive' / 'steady_handlers.py').write_text(reactive)
    meta = CharmMeta.from_charm_root(charm_dir)
    state_file = tmp_path / '.unit-state.db'
    web = Relation('web', id=1, remote_app_name='proxy',
                   remote_units_data={0: {'host': 'proxy-0.example.com'}})
    state = State(config={'port': 8080, 'motd': 'hello'}, relations={web})
    names = ['install', 'config-changed', 'start']
    names += ['update-status', 'config-changed', 'web-relation-changed'] * (hooks // 3 + 1)
    result = Hooks()
    cwd = os.getcwd()
    os.chdir(charm_dir)  # as Juju runs a hook
    try:
        for name in names[:hooks]:
            _run_hook(name, charm_class, charm_dir, meta, state, state_file, result,
                      reactive is not None)
    finally:
        os.chdir(cwd)
    return result


def _run_hook(name: str, charm_class: type[reactops.CharmBase], charm_dir: Path,
              meta: CharmMeta, state: State, state_file: Path, result: Hooks,
              reactive: bool) -> None:
    """Run hook *name* as Juju would, adding what it wrote and took to *result*."""
    relation: dict[str, Any] = {} if 'relation' not in name else {
        'relation_name': 'web', 'relation_id': 1, 'remote_app_name': 'proxy',
        'remote_unit_name': 'proxy/0'}
    context = JujuContext(dispatch_path=f'hooks/{name}', hook_name=name,
                          unit_name='steady/0', model_name='steady-model',
                          model_uuid='00000000-0000-4000-8000-000000000000',
                          version=JujuVersion('3.6.1'), charm_dir=charm_dir,
                          **relation)
    counter = _CountWrites()
    extensions: list[Any] = [counter]
    if reactive:
        extensions.append(ReactiveExtension())
    backend = SimulatedBackend(state, meta, context)
    started = time.process_time()
    Dispatch(charm_class, context, extensions).execute(backend, meta=meta,
                                                       state_file=state_file)
    result.seconds.append(time.process_time() - started)
    result.written.append(sum(map(len, counter.statements)))
    result.keys.append({_key_of(s) for s in counter.statements})
    result.sizes.append(os.path.getsize(state_file))


def _windows(count: int) -> tuple[slice, slice]:
    """The early window (after the warm-up) and the last one, apart from each other:
    hooks 50-150 against the last 100 of 1,000; 10-57 against 103-150 of 150."""
    width = min(100, (count - WARM_UP) // 3)
    early_start = 50 if count - WARM_UP >= 300 else WARM_UP
    return slice(early_start, early_start + width), slice(count - width, count)


def flatness_problems(hooks: Hooks) -> list[str]:
    """Why the run is not flat (empty when it is): bytes written per hook, the state
    file's size, the hook's time, each early window against the last."""
    early, last = _windows(len(hooks.written))
    problems = []
    early_bytes = statistics.mean(hooks.written[early])
    last_bytes = statistics.mean(hooks.written[last])
    if last_bytes > early_bytes + BYTES_TOLERANCE:
        problems.append(f'bytes written per hook grew from {early_bytes:.0f} (hooks '
                        f'{early.start}-{early.stop}) to {last_bytes:.0f} (the last '
                        f'{last.stop - last.start})')
    early_size, last_size = hooks.sizes[early.start], hooks.sizes[-1]
    if last_size > early_size + 2 * PAGE:
        problems.append(f'the state file grew from {early_size} bytes (hook {early.start}) '
                        f'to {last_size} (hook {len(hooks.sizes)})')
    early_time = statistics.median(hooks.seconds[early])
    last_time = statistics.median(hooks.seconds[last])
    if last_time > max(TIME_RATIO * early_time, early_time + TIME_FLOOR):
        problems.append(f'the median hook took {early_time * 1000:.2f} ms of CPU early and '
                        f'{last_time * 1000:.2f} ms at the end')
    return problems


def _hook_counts() -> list[Any]:
    return [QUICK_HOOKS, pytest.param(FULL_HOOKS, marks=pytest.mark.slow)]


@pytest.mark.parametrize('hooks', _hook_counts())
def test_a_steady_reactive_unit_stays_flat(tmp_path: Path, hooks: int) -> None:
    run = _run_unit(tmp_path, ReactiveCharm, hooks, reactive=REACTIVE_HANDLERS)
    assert flatness_problems(run) == []
    # What a steady hook writes at all: the dispatch's trace (it names the hook) and the
    # framework's event counter. Flags set to the values they hold, hook-only config
    # flags, unchanged data_changed hashes, @only_once, @when_file_changed and rerun=False
    # bookkeeping write nothing.
    steady = set().union(*run.keys[WARM_UP:])
    assert steady <= {TRACE_KEY, 'StoredStateData[_stored]'}, steady
    store = SQLiteStorage(tmp_path / '.unit-state.db')
    try:  # every handler did run: the flags they set are there
        flags = {key[len(FLAG_PREFIX):]: value for key, value in store.kv_items(FLAG_PREFIX)}
    finally:
        store.close()
    assert {flag: flags.get(flag, 'unset') for flag in (
        'steady.first-hook-seen', 'steady.port', 'steady.motd', 'steady.config-seen',
        'steady.announced', 'steady.metadata-seen', 'steady.web-units', 'steady.web-host',
        'endpoint.web.joined')} == {
        'steady.first-hook-seen': None, 'steady.port': 8080, 'steady.motd': 'hello',
        'steady.config-seen': None, 'steady.announced': None, 'steady.metadata-seen': None,
        'steady.web-units': 1, 'steady.web-host': 'proxy-0.example.com',
        'endpoint.web.joined': None}


@pytest.mark.parametrize('hooks', _hook_counts())
def test_a_steady_ops_unit_with_stored_state_stays_flat(tmp_path: Path, hooks: int) -> None:
    run = _run_unit(tmp_path, OpsCharm, hooks)
    assert flatness_problems(run) == []


def test_a_stored_list_growing_every_hook_is_caught(tmp_path: Path) -> None:
    run = _run_unit(tmp_path, AccumulatingCharm, QUICK_HOOKS)
    problems = flatness_problems(run)
    assert problems and problems[0].startswith('bytes written per hook grew'), problems


def test_the_windows_compare_hooks_apart() -> None:
    assert _windows(FULL_HOOKS) == (slice(50, 150), slice(900, 1000))
    early, last = _windows(QUICK_HOOKS)
    assert early.start >= WARM_UP and early.stop <= last.start and last.stop == QUICK_HOOKS

