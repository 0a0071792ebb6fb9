"""In-place upgrade from the real ops: the state file ops 3.9 writes carries on under reactops.

The counter charm (``tests/charms/opscharm``) runs its first hooks under the real ops, so
ops itself pickles the stored state and the deferred events; the same charm directory then
runs on reactops, which keeps both. It also checks that the fixtures the main suite uses
(``state/ops-3.9.*``) still hold what this ops writes, and that the charm
library charm (``tests/charms/charmlib_ops``) shows Juju the same on both frameworks.

ops runs from ``$REACTOPS_COMPAT_OPS_PYTHON`` (a virtualenv of its own that ``nox -s compat``
makes, so that where reactops runs no real ops is importable), else ``/tmp/ref/bin/python``;
skipped when neither has ops.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reactops._private.opsstate import read_snapshot
from reactops.storage import SQLiteStorage

pytestmark = pytest.mark.compat

OPSCHARM = Path(__file__).resolve().parents[1] / 'charms' / 'opscharm'
sys.path.insert(0, str(OPSCHARM))
from make_state import DB_ENV, DEFERALL, RELATION, UNITS, Unit, deploy, release, run_ops  # noqa: E402

OPS_PYTHON_ENV = 'REACTOPS_COMPAT_OPS_PYTHON'
LOCAL_OPS_PYTHON = '/tmp/ref/bin/python'
# The real ops, not reactops answering the name: only the real one has ops.version.
_PROBE = 'import ops, ops.version; assert ops.__name__ == "ops"; print(ops.__version__)'


@functools.cache
def _find_ops_python() -> tuple[str | None, str]:
    python = os.environ.get(OPS_PYTHON_ENV) or LOCAL_OPS_PYTHON
    if not Path(python).exists():
        return None, f'{python} does not exist (set ${OPS_PYTHON_ENV}; nox -s compat does)'
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTHON', 'REACTOPS_'))}
    probe = subprocess.run([python, '-c', _PROBE], capture_output=True, text=True,
                           timeout=60, env=env)
    if probe.returncode != 0:
        return None, f'the real ops is not importable by {python}: {probe.stderr[-300:]}'
    return python, probe.stdout.strip()


@pytest.fixture(scope='module')
def ops_python() -> str:
    python, reason = _find_ops_python()
    if python is None:
        pytest.skip(reason)
    return python


def _contents(path: Path) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The snapshots (read as plain data) and the notices of a state file ops wrote."""
    with sqlite3.connect(path) as db:
        rows = db.execute('SELECT handle, data FROM snapshot').fetchall()
        notices = db.execute('SELECT event_path, observer_path, method_name FROM notice '
                             'ORDER BY sequence').fetchall()
    return {handle: read_snapshot(data, handle=handle) for handle, data in rows}, notices


# The deferall unit (every kind of event deferred) takes seconds under each framework: with
# the slow tests; the counter unit and the relation-event test below keep deferral quick.
@pytest.mark.parametrize('unit', [
    pytest.param(unit, id=unit.name, marks=[pytest.mark.slow] * (unit is DEFERALL))
    for unit in UNITS])
def test_ops_writes_what_the_committed_fixture_holds(ops_python: str, tmp_path: Path,
                                                    unit: Unit) -> None:
    version = _find_ops_python()[1]
    if not version.startswith('3.9.'):
        pytest.skip(f'the fixtures were made with ops 3.9; this is ops {version}')
    deployed = run_ops(tmp_path, ops_python, unit)
    assert _contents(deployed.state_file) == _contents(unit.fixture)
    if unit.release is not None:
        assert release(deployed, unit) == json.loads(unit.received.read_text())


@pytest.mark.slow
def test_deferred_events_of_every_kind_come_back_on_reactops_as_on_ops(
        ops_python: str, tmp_path: Path) -> None:
    on_ops = run_ops(tmp_path / 'ops', ops_python, DEFERALL)
    upgraded = run_ops(tmp_path / 'reactops', ops_python, DEFERALL)
    upgraded.use_python(sys.executable)
    assert release(upgraded, DEFERALL) == release(on_ops, DEFERALL)


def test_a_unit_that_ran_ops_keeps_its_state_under_reactops(ops_python: str,
                                                            tmp_path: Path) -> None:
    unit = run_ops(tmp_path, ops_python)  # install, config-changed, db-relation-changed
    snapshots, notices = _contents(unit.state_file)
    stored = snapshots['CounterCharm/StoredStateData[_stored]']
    assert stored['hooks'] == 1 and stored['started'] is False
    assert [method for _, _, method in notices] == ['_on_config_changed', '_on_db_changed']

    unit.use_python(sys.executable)  # the same unit, its charm now on reactops
    unit.ok('hooks/start')
    argvs = unit.ok('hooks/update-status')
    assert ['open-port', '8080/tcp'] in argvs
    assert unit.juju.state()['status']['unit']['message'] == '5 hooks; ports 8080'
    assert unit.notices() == []
    store = SQLiteStorage(unit.state_file)
    try:
        stored = store.load_snapshot('CounterCharm/StoredStateData[_stored]')
    finally:
        store.close()
    assert stored['seen'] == ['InstallEvent', 'StartEvent', 'ConfigChangedEvent',
                              'RelationChangedEvent', 'UpdateStatusEvent']
    assert stored['db'] == {'3': RELATION['data']['pg/0']}
    assert stored['blob'] == b'\x00installed\xff'


def test_a_relation_event_ops_deferred_runs_under_reactops_with_its_remote_unit(
        ops_python: str, tmp_path: Path) -> None:
    unit = deploy(tmp_path, ops_python)
    for hook in ('install', 'start'):
        unit.ok(f'hooks/{hook}')
    # Started under ops: nothing deferred, the relation change is handled right away.
    unit.ok('hooks/db-relation-changed', **DB_ENV)
    assert unit.notices() == []
    unit.use_python(sys.executable)
    unit.ok('hooks/update-status')
    assert unit.juju.state()['status']['unit']['message'] == '4 hooks; ports -'


@pytest.mark.parametrize('scenario', [
    'run_relation_lifecycle', pytest.param('run_paused_switch', marks=pytest.mark.slow)])
def test_the_charm_library_charm_does_the_same_on_ops_and_on_reactops(
        ops_python: str, tmp_path: Path, scenario: str) -> None:
    import test_charm_library as webapp

    run = getattr(webapp, scenario)
    on_ops = webapp.deploy(tmp_path / 'ops', webapp.OPS_CHARM)
    on_ops.use_python(ops_python)
    on_reactops = webapp.deploy(tmp_path / 'reactops', webapp.OPS_CHARM)
    assert run(on_reactops) == run(on_ops)
