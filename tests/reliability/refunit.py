"""A reference charm deployed on one fake unit, with snapshots of everything a hook changes.

The reliability suite runs each reference charm (``charms/opsref``: ops observers;
``charms/reactiveref``: reactive handlers with an endpoint) through :data:`HOOKS`, one real
process per hook on the fake hook tools of ``tests/fakejuju``, and injects faults with the
environment variables read by ``charms/faults.py`` and ``tests/fakejuju/tool.py``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from fakejuju import FakeJuju

T = TypeVar('T')
#: What the suite did, printed at the end of the run by ``conftest.py``.
COUNTS: collections.Counter[str] = collections.Counter()
REPO = Path(__file__).resolve().parents[2]
CHARMS = Path(__file__).resolve().parent / 'charms'
STYLES = ('opsref', 'reactiveref')
_RELATION = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:3', 'JUJU_REMOTE_UNIT': 'pg/0',
             'JUJU_REMOTE_APP': 'pg'}
#: The hooks each reference charm runs, in order, with their extra ``JUJU_*`` variables.
HOOKS: tuple[tuple[str, dict[str, str]], ...] = (
    ('install', {}), ('config-changed', {}), ('start', {}), ('leader-elected', {}),
    ('db-relation-joined', _RELATION), ('db-relation-changed', _RELATION),
    ('update-status', {}),
)
# Hook tools that change what other units see: a failed hook must not have run them
# (except a relation-set of the final flush that itself failed: see test_faults.py).
WRITES = ('relation-set', 'state-set', 'state-delete', 'leader-set')


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The unit's state file (bytes, or None before the first hook) and the fake model."""

    store: bytes | None
    model: dict[str, Any]


class RefUnit:
    """One reference charm on one fake unit (the leader, related to ``pg`` on ``db:3``)."""

    def __init__(self, root: Path, style: str):
        self.juju = FakeJuju(root, unit=f'{style}/0',
                             state={'leader': True, 'config': {'port': 8080}})
        shutil.copytree(CHARMS / style, self.juju.charm_dir, dirs_exist_ok=True)
        self.state_file = self.juju.charm_dir / '.unit-state.db'

    def run(self, hook: str, env: dict[str, str] | None = None,
            **faults: str) -> subprocess.CompletedProcess[str]:
        """Run *hook* as its own process; *faults* are extra environment variables."""
        return self.start(hook, env, **faults).wait_result()

    def start(self, hook: str, env: dict[str, str] | None = None, **faults: str) -> _Hook:
        """Start *hook* without waiting for it."""
        self.juju.clear_calls()
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith(('JUJU_', 'REACTOPS_', 'FAKEJUJU_', 'RELIABILITY_'))}
        environ.update(self.juju.env(JUJU_DISPATCH_PATH=f'hooks/{hook}',
                                     **(env or dict(HOOKS).get(hook, {}))))
        environ['PYTHONPATH'] = os.pathsep.join((str(REPO), str(CHARMS)))
        environ.update(faults)
        process = subprocess.Popen(
            [sys.executable, str(self.juju.charm_dir / 'src' / 'charm.py')], env=environ,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=self.juju.charm_dir)
        return _Hook(process)

    def snapshot(self) -> Snapshot:
        store = self.state_file.read_bytes() if self.state_file.exists() else None
        return Snapshot(store, self.juju.state())

    def restore(self, snapshot: Snapshot) -> None:
        for leftover in self.state_file.parent.glob(self.state_file.name + '-*'):
            leftover.unlink()  # a journal left by a killed hook belongs to the other state
        if snapshot.store is None:
            self.state_file.unlink(missing_ok=True)
        else:
            self.state_file.write_bytes(snapshot.store)
            self.state_file.chmod(0o600)
        self.juju.set_state(snapshot.model)

    def tool_calls(self, *, logging_too: bool = False) -> list[list[str]]:
        return [argv for argv in self.juju.argvs() if logging_too or argv[0] != 'juju-log']

    def logs(self) -> str:
        return '\n'.join(argv[-1] for argv in self.juju.argvs('juju-log'))


class _Hook:
    def __init__(self, process: subprocess.Popen[str]):
        self.process = process

    def wait_result(self) -> subprocess.CompletedProcess[str]:
        out, err = self.process.communicate(timeout=60)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode,
                                           out, err)


def store_content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the state file, after SQLite's own integrity check.

    Opening the file rolls back a journal a killed process left, as the next hook would.
    Raises AssertionError if the file is damaged.
    """
    with sqlite3.connect(path) as db:
        check = db.execute('PRAGMA integrity_check').fetchall()
        assert check == [('ok',)], f'{path} is corrupt: {check}'
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        content = {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                   for t in tables}
    db.close()
    return content


@dataclasses.dataclass(frozen=True)
class Stage:
    """One hook of :data:`HOOKS`: the unit before it, and what a clean run of it leaves."""

    hook: str
    env: dict[str, str]
    before: Snapshot
    after: dict[str, list[tuple[Any, ...]]]  # the state file's content after a clean run
    tools: tuple[str, ...]  # the hook tools a clean run ran, in order, juju-log left out
    all_calls: int  # how many hook tools it ran, juju-log included
    points: int  # how many fault points (charms/faults.py) it passed
    statements: int  # how many SQL statements it ran on the state file
    before_content: dict[str, list[tuple[Any, ...]]]  # the state file's content before


def content_of(store: bytes | None, scratch: Path) -> dict[str, list[tuple[Any, ...]]]:
    """:func:`store_content` of a snapshot's state file (``{}`` when there was none)."""
    if not store:
        return {}
    scratch.write_bytes(store)
    try:
        return store_content(scratch)
    finally:
        scratch.unlink()


def prepare(root: Path, style: str) -> list[Stage]:
    """Run every hook of :data:`HOOKS` once, in order, recording each :class:`Stage`."""
    unit = RefUnit(root / style, style)
    stages = []
    for hook, env in HOOKS:
        if hook == 'db-relation-joined':
            unit.juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': '"h1"'}})
        before = unit.snapshot()
        count_file = root / 'points'
        result = unit.run(hook, env, RELIABILITY_COUNT_FILE=str(count_file))
        assert result.returncode == 0, f'{style} {hook}: {result.stderr}'
        stages.append(Stage(hook, env, before, store_content(unit.state_file),
                            tuple(argv[0] for argv in unit.tool_calls()),
                            len(unit.tool_calls(logging_too=True)),
                            **json.loads(count_file.read_text()),
                            before_content=content_of(before.store, root / 'copy.db')))
    return stages


class Workers:
    """Units to run independent trials on, two at a time (the suite's budget is 2 cores)."""

    def __init__(self, root: Path, style: str, count: int = 2):
        self.units: queue.Queue[RefUnit] = queue.Queue()
        for i in range(count):
            self.units.put(RefUnit(root / f'worker{i}', style))
        self.count = count

    def map(self, trial: Callable[[RefUnit, T], None], items: Iterable[T]) -> None:
        """Run ``trial(unit, item)`` for every item; re-raise the first failure."""
        def run(item: T) -> None:
            unit = self.units.get()
            try:
                trial(unit, item)
            finally:
                self.units.put(unit)

        with concurrent.futures.ThreadPoolExecutor(self.count) as pool:
            for future in [pool.submit(run, item) for item in items]:
                future.result()
