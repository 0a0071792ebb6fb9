"""Which tests a run selects: the default run leaves the slow ones out, CI runs them all.

Each case collects ``tests/reliability/test_kills.py`` (a quick and a slow variant per
charm style) in a fresh pytest with the project's settings, so what is checked is what a
developer's ``pytest`` and CI's see.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from runmode import examples

REPO = Path(__file__).resolve().parents[1]
KILLS = 'tests/reliability/test_kills.py'


def collected(*args: str, **env: str) -> list[str]:
    """The test ids a fresh pytest selects with *args*, under this environment plus *env*."""
    base = {k: v for k, v in os.environ.items() if k not in ('CI', 'REACTOPS_ALL_TESTS')}
    done = subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '--collect-only', '-q',
         *args], cwd=REPO, env={**base, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return re.findall(r'^(tests/\S+::\S+)$', done.stdout, flags=re.MULTILINE)


def test_the_default_run_leaves_the_slow_sweeps_out() -> None:
    assert [test.rsplit('[', 1)[1] for test in collected(KILLS)] == [
        'opsref-quick]', 'reactiveref-quick]']


@pytest.mark.parametrize('env', [{'CI': 'true'}, {'REACTOPS_ALL_TESTS': '1'}])
def test_ci_or_the_variable_selects_everything(env: dict[str, str]) -> None:
    assert len(collected(KILLS, **env)) == 4


def test_an_explicit_marker_or_test_id_wins() -> None:
    only_slow = collected(KILLS, '-m', 'slow')
    assert len(only_slow) == 2 and all(test.endswith('-all]') for test in only_slow)
    named = f'{KILLS}::test_a_hook_killed_anywhere_leaves_the_old_or_the_new_state'
    assert len(collected(named)) == 4


def test_property_sweeps_are_smaller_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ('CI', 'REACTOPS_ALL_TESTS'):
        monkeypatch.delenv(name, raising=False)
    assert examples(400) == 100 and examples(20) == 10
    monkeypatch.setenv('CI', 'false')
    assert examples(400) == 100
    monkeypatch.setenv('CI', 'true')
    assert examples(400) == 400
