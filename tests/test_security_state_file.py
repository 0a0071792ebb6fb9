"""The state file, as a real hook leaves it: created 0600 whatever the umask, and refused
(exit 1, file untouched, the fix named) when group or others may write it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from charmrun import CharmUnit

OPSFLAGS = Path(__file__).resolve().parent / 'charms' / 'opsflags'


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    return CharmUnit(tmp_path / 'unit', OPSFLAGS, 'opsflags/0')


def test_the_first_hook_creates_the_state_file_0600_even_with_umask_0(unit: CharmUnit) -> None:
    old = os.umask(0)
    try:
        unit.ok('hooks/install')
    finally:
        os.umask(old)
    assert stat.S_IMODE(unit.state_file.stat().st_mode) == 0o600


@pytest.mark.parametrize('mode', [0o620, 0o602, 0o666, 0o777])
def test_a_state_file_others_can_write_is_refused_untouched(unit: CharmUnit,
                                                            mode: int) -> None:
    unit.ok('hooks/install')
    before = unit.state_file.read_bytes()
    unit.state_file.chmod(mode)
    result = unit.run('hooks/update-status')
    assert result.returncode == 1
    for output in (result.stderr, '\n'.join(unit.logs())):
        assert 'writable by group or others' in output
        assert f'chmod 600 {unit.state_file}' in output
    assert unit.state_file.read_bytes() == before
    assert stat.S_IMODE(unit.state_file.stat().st_mode) == mode  # not "fixed" behind our back
