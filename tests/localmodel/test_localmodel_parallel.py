"""Different units run their hooks at the same time, as on Juju; one unit never runs two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reactops.localmodel import LocalModel
from reactops.localmodel._state import ModelState

DISPATCH = """#!/bin/sh
# Record when each hook of each unit starts and ends; install takes a while.
echo "start $JUJU_UNIT_NAME $JUJU_HOOK_NAME $(date +%s.%N)" >> "$SLEEPER_LOG"
[ "$JUJU_HOOK_NAME" = install ] && sleep 0.5
echo "end $JUJU_UNIT_NAME $JUJU_HOOK_NAME $(date +%s.%N)" >> "$SLEEPER_LOG"
"""


@pytest.fixture
def sleeper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    charm = tmp_path / 'sleeper'
    charm.mkdir()
    (charm / 'metadata.yaml').write_text('name: sleeper\nsummary: s\ndescription: d\n')
    (charm / 'dispatch').write_text(DISPATCH)
    (charm / 'dispatch').chmod(0o755)
    monkeypatch.setenv('SLEEPER_LOG', str(tmp_path / 'log'))
    return charm


def spans(log: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """(unit, hook) -> (start, end) from the charm's log."""
    starts: dict[tuple[str, str], float] = {}
    found = {}
    for line in log.read_text().splitlines():
        kind, unit, hook, when = line.split()
        if kind == 'start':
            starts[unit, hook] = float(when)
        else:
            found[unit, hook] = (starts[unit, hook], float(when))
    return found


def settle_two(tmp_path: Path, sleeper: Path, jobs: int) -> dict[tuple[str, str],
                                                                  tuple[float, float]]:
    model = LocalModel(tmp_path / f'model-{jobs}', jobs=jobs)
    model.create()
    model.deploy('one', sleeper)
    model.deploy('two', sleeper)
    assert model.settle() == []
    units = {unit: [run.hook for run, _ in model.hook_runs(unit)]
             for unit in ('one/0', 'two/0')}
    assert units['one/0'] == units['two/0'] == [
        'install', 'leader-elected', 'config-changed', 'start']
    model.destroy()
    found = spans(tmp_path / 'log')
    (tmp_path / 'log').unlink()
    return found


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_two_units_install_at_the_same_time_and_each_keeps_its_order(
        tmp_path: Path, sleeper: Path) -> None:
    found = settle_two(tmp_path, sleeper, jobs=2)
    assert overlap(found['one/0', 'install'], found['two/0', 'install'])
    for unit in ('one/0', 'two/0'):  # a unit's own hooks never overlap
        hooks = sorted((span, hook) for (who, hook), span in found.items() if who == unit)
        assert all(earlier[0][1] <= later[0][0]
                   for earlier, later in zip(hooks, hooks[1:], strict=False))


def test_one_job_runs_one_hook_at_a_time(tmp_path: Path, sleeper: Path) -> None:
    found = settle_two(tmp_path, sleeper, jobs=1)
    spans_sorted = sorted(found.values())
    assert all(a[1] <= b[0] for a, b in zip(spans_sorted, spans_sorted[1:], strict=False))


def test_a_change_seen_too_late_by_a_running_hook_queues_it_again(tmp_path: Path) -> None:
    # A unit's relation-changed is running (still queued, in flight) when the remote side
    # writes again: the same hook must be queued anew, or the unit never sees the change.
    state = ModelState(tmp_path / 'model.db')
    env = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:0', 'JUJU_REMOTE_UNIT': 'db/0'}
    state.enqueue('app/0', 'db-relation-changed', env)
    state.enqueue('app/0', 'db-relation-changed', env)  # waiting already: not queued twice
    rows = state.db.execute('SELECT id, env FROM queue').fetchall()
    assert len(rows) == 1 and json.loads(rows[0][1]) == env
    state.in_flight.add(rows[0][0])
    state.enqueue('app/0', 'db-relation-changed', env)
    assert state.queued('app/0') == 2
    state.close()


def test_the_cli_takes_jobs_on_every_command_that_settles(tmp_path: Path, sleeper: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    from reactops.cli import main

    model_dir = str(tmp_path / 'cli-model')
    assert main(['run', str(sleeper), '--model-dir', model_dir, '--jobs', '1']) == 0
    lines = [line.split()[:2] for line in capsys.readouterr().out.splitlines()
             if line.startswith('sleeper/0 ')]
    assert [hook for _, hook in lines] == ['install', 'leader-elected', 'config-changed',
                                          'start']
    with pytest.raises(SystemExit) as refused:
        main(['update-status', '--model-dir', model_dir, '--jobs', '0'])
    assert refused.value.code == 2
    assert '--jobs: must be a whole number of at least 1' in capsys.readouterr().err
    assert main(['destroy', '--model-dir', model_dir]) == 0
