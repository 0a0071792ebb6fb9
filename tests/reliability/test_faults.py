"""Faults in a hook lose nothing: a handler that raises or a hook tool that fails leaves the
state file byte-for-byte as before, sends no relation data, exits non-zero naming the
cause (on stderr and in juju-log), and the next run of the same hook succeeds.

Each reference charm runs through every hook of ``refunit.HOOKS``; for each hook, every
fault point of its handlers raises in turn, then every hook-tool call fails in turn.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reliability.refunit import COUNTS, STYLES, WRITES, RefUnit, Stage, Workers, prepare

# Tools whose "relation not found" means the relation is gone: the model then treats it as
# having no units and no data, as Juju's semantics say, so the hook may well succeed.
_GONE_TOLERANT = frozenset({'relation-list', 'relation-get', 'relation-set'})
_RELATION_TOOLS = frozenset({'relation-list', 'relation-get', 'relation-set',
                             'relation-ids', 'network-get'})


# The whole sweep injects a few hundred faults (about a minute): it runs with the slow
# tests; the quick run injects, in every hook, the first fault and every SAMPLE-th after.
SAMPLE = 6
SWEEPS = [pytest.param(SAMPLE, id='sample'), pytest.param(1, id='all', marks=pytest.mark.slow)]


@pytest.fixture(scope='module', params=STYLES)
def stages(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[str, list[Stage], Path]:
    style: str = request.param
    root = tmp_path_factory.mktemp(style)
    return style, prepare(root / 'prepare', style), root


def assert_failed_cleanly(unit: RefUnit, stage: Stage, result: subprocess.CompletedProcess[str],
                          cause: str, failed_write: bool = False) -> None:
    """The checks after every injected fault; then the same hook runs cleanly."""
    label = f'{stage.hook} with {cause!r}'
    assert result.returncode != 0, f'{label}: exited 0'
    assert cause in result.stderr, f'{label}: cause not on stderr: {result.stderr}'
    assert cause in unit.logs(), f'{label}: cause not in juju-log'
    stored = unit.state_file.read_bytes() if unit.state_file.exists() else None
    if stage.before.store is None:
        assert not stored, f'{label}: a first hook that failed left state behind'
    else:
        assert stored == stage.before.store, f'{label}: the state file changed'
    calls = unit.tool_calls()
    writes = [argv for argv in calls if argv[0] in WRITES]
    if failed_write:
        # The fault hit the flush at the very end (relation data goes out once, after every
        # handler succeeded): only that flush ran, and Juju discards the relation settings
        # of a hook that fails, so none of it reaches the model.
        assert calls[-len(writes):] == writes and writes[-1] == calls[-1], label
    else:
        assert writes == [], f'{label}: sent {writes}'
        model = unit.juju.state()
        assert model['relations'] == stage.before.model['relations'], f'{label}: data written'
    assert unit.juju.state()['charm_state'] == stage.before.model['charm_state']
    rerun = unit.run(stage.hook, stage.env)
    assert rerun.returncode == 0, f'{label}: the retry failed: {rerun.stderr}'


@pytest.mark.parametrize('every', SWEEPS)
def test_a_handler_raising_at_any_point_changes_nothing(
        stages: tuple[str, list[Stage], Path], every: int) -> None:
    style, all_stages, root = stages
    workers = Workers(root / f'raise-{every}', style)

    def trial(unit: RefUnit, item: tuple[Stage, int]) -> None:
        stage, n = item
        unit.restore(stage.before)
        result = unit.run(stage.hook, stage.env, RELIABILITY_RAISE_AT=str(n))
        assert_failed_cleanly(unit, stage, result, f'injected fault #{n} at')

    # every hook runs a handler with fault points
    assert sum(stage.points for stage in all_stages) >= len(all_stages)
    trials = [(stage, n) for stage in all_stages for n in range(1, stage.points + 1, every)]
    workers.map(trial, trials)
    COUNTS['faults'] += len(trials)


def _fault(tool: str, n: int, code: int) -> str:
    if code == 1:
        return f'ERROR injected failure of {tool} (call {n})'
    return f'ERROR invalid value "db:3" for option -r: relation not found (call {n})'


@pytest.mark.parametrize('every', SWEEPS)
def test_every_hook_tool_call_failing_changes_nothing(
        stages: tuple[str, list[Stage], Path], every: int) -> None:
    style, all_stages, root = stages
    workers = Workers(root / f'tools-{every}', style)

    def trial(unit: RefUnit, item: tuple[Stage, int, int]) -> None:
        stage, n, code = item
        tool = stage.tools[n - 1]
        unit.restore(stage.before)
        cause = _fault(tool, n, code)
        result = unit.run(stage.hook, stage.env, FAKEJUJU_FAULT_AT=f'{n}:{code}:{cause}')
        COUNTS['faults'] += 1
        if result.returncode == 0 and code == 2 and tool in _GONE_TOLERANT:
            # "the relation is gone": see _GONE_TOLERANT; the unit carries on
            assert unit.run(stage.hook, stage.env).returncode == 0
            return
        assert_failed_cleanly(unit, stage, result, cause, failed_write=tool in WRITES)

    # exit 2 is Juju's answer to a bad command line, "relation not found" among them
    workers.map(trial, [(stage, n, code) for stage in all_stages
                        for n, tool in list(enumerate(stage.tools, 1))[::every]
                        for code in ((1, 2) if tool in _RELATION_TOOLS else (1,))])
