"""SIGKILL at any point of a hook loses nothing: the state file is afterwards the state from
before the hook or the state after it, never corrupt and never a mix, and the next hook runs.

Kill points are drawn with a fixed seed from three kinds: inside the Nth hook-tool call
(the fake tool kills the hook), at the Nth SQL statement on the state file (``BEGIN``,
reads, writes and ``COMMIT`` alike), and D microseconds after ``COMMIT`` starts (a thread
kills the process inside SQLite's commit, or after it).
"""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest
from reliability.refunit import COUNTS, STYLES, RefUnit, Stage, Workers, prepare, store_content

SEED = 20261125
# A hundred kills per style take about a minute: with the slow tests; the quick run kills
# each style's unit QUICK_TRIALS times (the seed's first draws) and checks each outcome.
TRIALS_PER_STYLE = 100
QUICK_TRIALS = 10


def kill_point(rng: random.Random, stage: Stage) -> dict[str, str]:
    kinds = ['sql', 'commit'] + (['tool'] if stage.all_calls else [])
    kind = rng.choice(kinds)
    if kind == 'tool':
        return {'FAKEJUJU_KILL_AT': str(rng.randint(1, stage.all_calls))}
    if kind == 'sql':
        return {'RELIABILITY_KILL_SQL': str(rng.randint(1, stage.statements))}
    return {'RELIABILITY_KILL_COMMIT_US': str(rng.randint(0, 2000))}


@pytest.mark.parametrize('count', [
    pytest.param(QUICK_TRIALS, id='quick'),
    pytest.param(TRIALS_PER_STYLE, id='all', marks=pytest.mark.slow)])
@pytest.mark.parametrize('style', STYLES)
def test_a_hook_killed_anywhere_leaves_the_old_or_the_new_state(
        style: str, count: int, tmp_path: Path) -> None:
    stages = prepare(tmp_path / 'prepare', style)
    rng = random.Random(f'{SEED}-{style}')
    trials = [(stage, kill_point(rng, stage)) for stage in rng.choices(stages, k=count)]
    outcomes: dict[str, int] = {'old': 0, 'new': 0}
    corrupt: list[str] = []

    def trial(unit: RefUnit, item: tuple[Stage, dict[str, str]]) -> None:
        stage, point = item
        unit.restore(stage.before)
        result = unit.run(stage.hook, stage.env, **point)
        label = f'{style} {stage.hook} killed at {point}'
        assert result.returncode == -signal.SIGKILL, f'{label}: {result.stderr}'
        COUNTS['kills'] += 1
        try:
            content = store_content(unit.state_file) if unit.state_file.exists() else {}
        except AssertionError as e:
            COUNTS['stores corrupt'] += 1
            corrupt.append(f'{label}: {e}')
            return
        outcome = ('old' if content == stage.before_content else
                   'new' if content == stage.after else None)
        if outcome is None:
            COUNTS['stores corrupt'] += 1
            corrupt.append(f'{label}: neither the old nor the new state: {content}')
            return
        outcomes[outcome] += 1
        rerun = unit.run(stage.hook, stage.env)
        assert rerun.returncode == 0, f'{label}: the next run failed: {rerun.stderr}'
        if outcome == 'old':  # Juju's retry then does what the killed hook did not
            assert store_content(unit.state_file) == stage.after, label

    Workers(tmp_path, style).map(trial, trials)
    assert corrupt == []
    assert sum(outcomes.values()) == count
    if count == TRIALS_PER_STYLE:  # the kill points reach both sides of the commit
        assert outcomes['old'] and outcomes['new'], outcomes
