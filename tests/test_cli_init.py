"""``reactops init``: a newcomer's first charm, whose tests pass before any change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from charmrun import REPO, CharmUnit
from packaging.requirements import Requirement  # pytest's own dependency

import reactops
from reactops.cli import main
from reactops.cli._cmd_init import requirement
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


def test_the_new_charm_requires_the_reactops_releases_compatible_with_this_one(
        tmp_path: Path) -> None:
    target = tmp_path / 'pinned'
    assert main(['init', 'pinned', '--path', str(target)]) == 0

    line, = (target / 'requirements.txt').read_text().splitlines()
    wanted = Requirement(line)

    assert wanted.name == 'reactops'
    assert line == requirement(reactops.__version__)
    # The very build that generated the charm satisfies it, dev or not.
    assert wanted.specifier.contains(reactops.__version__, prereleases=True)
    major, minor = (int(part) for part in reactops.__version__.split('.')[:2])
    breaking = f'{major}.{minor + 1}.0' if major == 0 else f'{major + 1}.0.0'
    assert not wanted.specifier.contains(breaking)


@pytest.mark.parametrize(('version', 'line', 'allowed', 'refused'), [
    # Below 1.0 a minor release may break: 0.1.x stays below 0.2.
    ('0.1.3', 'reactops>=0.1.3,<0.2', ['0.1.3', '0.1.9'], ['0.1.2', '0.2.0', '0.2.0.dev0']),
    # A development build is its own lower bound, so it satisfies what it generated.
    ('0.1.0.dev0', 'reactops>=0.1.0.dev0,<0.2', ['0.1.0.dev0', '0.1.0', '0.1.4'],
     ['0.0.9', '0.2.0']),
    ('1.4.2', 'reactops>=1.4.2,<2', ['1.4.2', '1.9.0'], ['1.4.1', '2.0.0']),
    ('2.0.0rc1', 'reactops>=2.0.0rc1,<3', ['2.0.0rc1', '2.0.0', '2.5.1'], ['1.9.0', '3.0.0']),
    # A local label (a distribution's own build) is not part of a requirement.
    ('0.2.0+ubuntu1', 'reactops>=0.2.0,<0.3', ['0.2.0', '0.2.7'], ['0.1.9', '0.3.0']),
    ('1!2.3', 'reactops>=1!2.3,<1!3', ['1!2.3', '1!2.9'], ['2.3', '1!3.0']),
])
def test_the_range_follows_semantic_versioning(version: str, line: str, allowed: list[str],
                                               refused: list[str]) -> None:
    assert requirement(version) == line
    specifier = Requirement(line).specifier
    assert [v for v in allowed if not specifier.contains(v, prereleases=True)] == []
    assert [v for v in refused if specifier.contains(v, prereleases=True)] == []


def test_a_version_that_is_not_pep_440_gets_no_range() -> None:
    assert requirement('unknown') == 'reactops'
