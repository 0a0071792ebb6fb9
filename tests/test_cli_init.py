"""``reactops init``: a newcomer's first charm, whose tests pass before any change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from charmrun import REPO, CharmUnit

from reactops.cli import main
from reactops.reactive import _runtime


@pytest.fixture(autouse=True)
def _fresh_triggers() -> object:
    _runtime.reset_default()
    yield
    _runtime.reset_default()


def run_pytest(charm_dir: Path) -> subprocess.CompletedProcess[str]:
    """The generated charm's own tests, run as its author would run them."""
    return subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                           'tests'], cwd=charm_dir, capture_output=True, text=True,
                          timeout=120, env={**os.environ, 'PYTHONPATH': str(REPO)})


@pytest.mark.slow
def test_a_reactive_charm_whose_tests_pass(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / 'hello-web'

    assert main(['init', 'hello-web', '--path', str(target)]) == 0

    assert 'Created the reactive charm hello-web' in capsys.readouterr().out
    meta = yaml.safe_load((target / 'charmcraft.yaml').read_text())
    assert (meta['name'], meta['type']) == ('hello-web', 'charm')
    assert meta['config']['options']['greeting']['default'] == 'hello'
    assert os.access(target / 'dispatch', os.X_OK)
    assert (target / 'reactive' / 'hello_web.py').is_file()
    assert 'reactops check .' in (target / 'README.md').read_text()
    assert 'def test_deployed_it_greets(juju: LocalJuju)' in (
        target / 'tests' / 'integration' / 'test_charm.py').read_text()
    tests = run_pytest(target)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert '5 passed' in tests.stdout  # 3 unit tests, 2 in a local model


@pytest.mark.slow
def test_an_ops_style_charm_whose_tests_pass(tmp_path: Path) -> None:
    # Through the console entry point, as a user types it.
    done = subprocess.run([sys.executable, '-m', 'reactops.cli', 'init', 'hello-ops', '--ops'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, 'PYTHONPATH': str(REPO)})
    assert done.returncode == 0, done.stderr
    target = tmp_path / 'hello-ops'

    assert 'class HelloOpsCharm(reactops.CharmBase):' in (target / 'src' / 'charm.py').read_text()
    assert not (target / 'reactive').exists()
    tests = run_pytest(target)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert '5 passed' in tests.stdout


def test_the_new_reactive_charm_runs_as_juju_runs_it_and_checks_clean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / 'greeter'
    assert main(['init', 'greeter', '--path', str(target)]) == 0
    capsys.readouterr()

    assert main(['check', str(target)]) == 0
    assert capsys.readouterr().out.endswith('3 handlers, 0 errors, 0 warnings\n')
    unit = CharmUnit(tmp_path / 'unit', target, 'greeter/0', config={'greeting': 'hello'})
    unit.ok('hooks/install')
    assert unit.flags() == ['greeter.installed']
    assert unit.juju.state()['status']['unit']['status'] == 'active'
    assert unit.juju.state()['status']['unit']['message'] == 'hello'


def test_a_bad_name_or_a_used_directory_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['init', 'Hello_Web', '--path', str(tmp_path / 'x')]) == 1
    assert "'Hello_Web' is not a charm name" in capsys.readouterr().err
    (tmp_path / 'used').mkdir()
    (tmp_path / 'used' / 'notes.txt').write_text('mine')

    assert main(['init', 'hello', '--path', str(tmp_path / 'used')]) == 1

    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and 'already exists' in err
    assert (tmp_path / 'used' / 'notes.txt').read_text() == 'mine'
    assert not (tmp_path / 'x').exists()
