"""Two hook processes on one unit at once (``juju-exec`` during a hook): the second waits
for the first to commit, so the store is never interleaved and no update is lost."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from reliability.refunit import RefUnit, prepare


def ticks(unit: RefUnit) -> int:
    with sqlite3.connect(unit.state_file) as db:
        (data,) = db.execute("SELECT data FROM snapshot WHERE handle = "
                             "'OpsRef/StoredStateData[_stored]'").fetchone()
    db.close()
    return int(json.loads(data)['ticks'])


def test_a_second_hook_waits_for_the_first_and_both_updates_are_kept(tmp_path: Path) -> None:
    stages = {stage.hook: stage for stage in prepare(tmp_path / 'prepare', 'opsref')}
    update = stages['update-status']
    unit = RefUnit(tmp_path / 'unit', 'opsref')
    unit.restore(update.before)
    unit.run('update-status')
    status_call = [argv[0] for argv in unit.tool_calls(logging_too=True)].index('status-set')
    unit.restore(update.before)
    gate = tmp_path / 'gate'
    # The first hook stops inside its status-set call: its transaction is open by then.
    first = unit.start('update-status', FAKEJUJU_PAUSE_AT=f'{status_call + 1}:{gate}')
    deadline = time.monotonic() + 30
    while not Path(f'{gate}.paused').exists():
        assert time.monotonic() < deadline and first.process.poll() is None, 'never paused'
        time.sleep(0.01)
    second = unit.start('update-status')
    time.sleep(1.0)
    assert second.process.poll() is None, 'the second hook did not wait for the first'
    gate.touch()
    results = [first.wait_result(), second.wait_result()]
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    before = json.loads(dict(update.before_content['snapshot'])[
        'OpsRef/StoredStateData[_stored]'])['ticks']
    assert ticks(unit) == before + 2  # interleaved transactions would lose one update
