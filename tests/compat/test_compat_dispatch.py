"""The same handler modules under charms.reactive 1.5.3 and under reactops: same handler
sequence and same final flags, or the difference reactops documents, pinned.

Skipped unless an interpreter with charms.reactive is found (``$REACTOPS_COMPAT_PYTHON``,
else ``/tmp/ref/bin/python`` or the running one); ``nox -s compat`` provides one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_harness import (
    Scenario,
    find_reference_python,
    load_scenarios,
    mismatches,
    porting_table_ids,
    run_both,
)

pytestmark = pytest.mark.compat

SCENARIOS = load_scenarios()
# Each dispatch is two fresh interpreters (one per framework); a scenario of more than
# QUICK_DISPATCHES runs only with the slow tests. The quick ones still cover each mode:
# bare dispatches, whole hooks, actions and the pinned differences.
QUICK_DISPATCHES = 3


@pytest.fixture(scope='session')
def reference_python() -> str:
    python, reason = find_reference_python()
    if python is None:
        pytest.skip(reason)
    return python


def _report(scenario: Scenario, side: str, expected: list[dict], got: list[dict]) -> list[str]:
    problems = []
    for number, (want, actual) in enumerate(zip(expected, got, strict=True)):
        step = scenario.dispatches[number].label
        problems += [f'{side}, dispatch {number} ({step}): {problem}'
                     for problem in mismatches(want, actual)]
    return problems


@pytest.mark.parametrize('scenario', [
    pytest.param(s, id=s.name, marks=[pytest.mark.slow] * (len(s.dispatches) > QUICK_DISPATCHES))
    for s in SCENARIOS])
def test_scenario(scenario: Scenario, reference_python: str, tmp_path: Path) -> None:
    reactive, reactops = run_both(scenario, reference_python, tmp_path)

    # charms.reactive does what the scenario says (so the expectation is the reference's
    # behaviour, not a guess), and reactops does what the scenario says of it.
    reference_problems = _report(scenario, 'charms.reactive', scenario.reactive, reactive)
    assert not reference_problems, f'{scenario.name}: the expectation is not charms.reactive' \
        f"'s behaviour\n" + '\n'.join(reference_problems)
    problems = _report(scenario, 'reactops', scenario.reactops, reactops)
    for number, (theirs, ours) in enumerate(zip(reactive, reactops, strict=True)):
        theirs, ours = scenario.compared(theirs), scenario.compared(ours)
        if theirs != ours:
            problems.append(f'dispatch {number}: charms.reactive {theirs} != reactops {ours}')
    if scenario.known_bug:
        # Strict: once reactops behaves, the scenario must lose its known_bug entry.
        assert problems, f'{scenario.name}: reactops now matches charms.reactive; remove ' \
            '"known_bug" from its scenario.json'
        pytest.xfail(f'undocumented difference (see "known_bug"): {problems[0][:300]}')
    assert not problems, f'{scenario.name}: {scenario.description}\n' + '\n'.join(problems)

def test_every_documented_difference_really_differs(reference_python: str) -> None:
    """A difference scenario whose two expectations agree would pin nothing."""
    for scenario in SCENARIOS:
        if not scenario.identical:
            assert scenario.reactive != scenario.reactops, scenario.name


def test_every_difference_names_its_row_in_the_porting_guide() -> None:
    """Each pinned difference is one docs/porting.md documents, by the id port-check prints."""
    ids = porting_table_ids()
    assert {'loop', 'file-changed', 'actions'} <= ids, 'the table could not be read'
    unnamed = {s.name: s.difference_id for s in SCENARIOS
               if not s.identical and s.difference_id not in ids}
    assert not unnamed, f'difference scenarios whose "id" is no row of docs/porting.md: {unnamed}'

