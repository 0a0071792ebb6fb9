"""`reactops typings`: the stubs that tell type checkers `import ops` is reactops."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops.cli import main
from reactops.cli._cmd_typings import stub_files

SAMPLES_STUBS = Path(__file__).resolve().parent / 'typecheck' / 'ops_alias'


def test_it_writes_the_stubs_the_sample_charms_are_checked_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['typings', str(tmp_path)]) == 0
    written = {str(p.relative_to(tmp_path / 'typings')): p.read_text()
               for p in (tmp_path / 'typings').rglob('*.pyi')}
    checked_in = {str(p.relative_to(SAMPLES_STUBS)): p.read_text()
                  for p in SAMPLES_STUBS.rglob('*.pyi')}
    assert written == checked_in == stub_files()  # nox -s typecheck uses these very files
    assert 'from reactops.pebble import *' in written['ops/pebble.pyi']
    assert 'from reactops.testing import *' in written['scenario/__init__.pyi']
    assert 'mypy_path = "typings"' in capsys.readouterr().out


def test_it_rewrites_its_own_stubs_and_leaves_other_files_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['typings', str(tmp_path)]) == 0
    mine = tmp_path / 'typings' / 'ops' / 'model.pyi'
    mine.write_text(mine.read_text() + '# an old line\n')
    assert main(['typings', str(tmp_path)]) == 0
    assert '# an old line' not in mine.read_text()
    theirs = tmp_path / 'typings' / 'ops' / 'pebble.pyi'
    theirs.write_text('# my own stub\n')
    assert main(['typings', str(tmp_path)]) != 0
    assert 'was not written by reactops typings' in capsys.readouterr().err
    assert theirs.read_text() == '# my own stub\n'


def test_a_missing_directory_is_named(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['typings', str(tmp_path / 'nope')]) != 0
    assert 'is not a directory' in capsys.readouterr().err
