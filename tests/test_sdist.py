"""The sdist carries what its tests, examples and docs need, and nothing a work tree leaves.

The sdist is built from a copy of the files git tracks, with the junk a working tree
gathers planted beside them, through setuptools' PEP 517 hook as `python -m build --sdist`
calls it. Running tests from the unpacked sdist is `nox -s sdist`'s job (too slow here).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from email.parser import Parser
from pathlib import PurePosixPath

import pytest
from charmrun import REPO

pytestmark = pytest.mark.slow

#: Tracked files the sdist leaves out on purpose: the repository's CI entry point works on
#: a git clone, and git's own settings mean nothing outside one.
LEFT_OUT = {'.ci/run', '.gitignore'}

#: What a working tree gathers (builds, test runs, type checkers): never shipped.
JUNK = [
    'reactops/__pycache__/framework.cpython-311.pyc',
    'tests/__pycache__/conftest.cpython-311.pyc',
    'tests/charms/mixed/.unit-state.db',
    'tests/charms/mixed/.reactops-meta.json',
    'tests/.hypothesis/examples/x',
    'tests/typecheck/.mypy_cache/3.10/cache.db',
    '.pytest_cache/v/cache/lastfailed',
    'docs/_build/html/index.html',
    'examples/interface-redis/build/lib/reactops_redis/__init__.py',
    'examples/interface-redis/reactops_interface_redis.egg-info/PKG-INFO',
    '.venv/bin/python3',
    '.nox/tests/bin/python',
    'build/lib/reactops/__init__.py',
    'dist/reactops-0.0.0.tar.gz',
]


def tracked_files() -> list[str]:
    if not (REPO / '.git').exists():
        pytest.skip('not a git checkout: nothing to compare the sdist with')
    out = subprocess.run(['git', 'ls-files', '-z'], cwd=REPO, capture_output=True,
                         check=True).stdout
    # A file deleted in the work tree but not yet in git is not part of the next build.
    return [name for name in out.decode().split('\0') if name and (REPO / name).exists()]


@pytest.fixture(scope='module')
def sdist(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], tarfile.TarFile]:
    """The tracked files, and the sdist built from them with junk planted around them."""
    tracked = tracked_files()
    source = tmp_path_factory.mktemp('source')
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    for name in JUNK:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text('left by a build or a test run\n')
    out = tmp_path_factory.mktemp('dist')
    built = subprocess.run(
        [sys.executable, '-c', 'import sys, setuptools.build_meta as backend; '
         'print(backend.build_sdist(sys.argv[1]))', str(out)],
        cwd=source, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stdout + built.stderr
    name = built.stdout.strip().splitlines()[-1]
    archive = tarfile.open(out / name)
    return tracked, archive


def members(archive: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """The sdist's files by their path inside the project (without the top directory)."""
    return {str(PurePosixPath(*PurePosixPath(info.name).parts[1:])): info
            for info in archive.getmembers() if info.isfile()}


def test_every_tracked_file_is_in_the_sdist(
        sdist: tuple[list[str], tarfile.TarFile]) -> None:
    tracked, archive = sdist
    shipped = members(archive)

    assert sorted(set(tracked) - LEFT_OUT - set(shipped)) == []
    assert LEFT_OUT & set(shipped) == set()
    # What a test run needs beside the test modules.
    assert {'tests/conftest.py', 'tests/charmrun.py', 'noxfile.py', 'LICENSE',
            'examples/webapp-bundle.yaml', 'docs/conf.py'} <= set(shipped)


def test_the_sdist_ships_no_junk_from_the_work_tree(
        sdist: tuple[list[str], tarfile.TarFile]) -> None:
    tracked, archive = sdist
    # setuptools adds the metadata (PKG-INFO, setup.cfg, reactops.egg-info/).
    extra = {name for name in members(archive) if name not in tracked
             and name not in ('PKG-INFO', 'setup.cfg')
             and not name.startswith('reactops.egg-info/')}

    assert sorted(extra) == []


def test_executable_files_stay_executable(sdist: tuple[list[str], tarfile.TarFile]) -> None:
    tracked, archive = sdist
    executables = [name for name in tracked
                   if name not in LEFT_OUT and (REPO / name).stat().st_mode & 0o100]
    shipped = members(archive)

    assert 'tests/localmodel/webhost/dispatch' in executables
    assert [name for name in executables if not shipped[name].mode & 0o100] == []


def test_the_licence_is_declared_as_an_spdx_expression(
        sdist: tuple[list[str], tarfile.TarFile]) -> None:
    _, archive = sdist
    info = members(archive)['PKG-INFO']
    file = archive.extractfile(info)
    assert file is not None
    metadata = Parser().parsestr(file.read().decode())

    assert metadata['License-Expression'] == 'Apache-2.0'
    assert metadata.get_all('License-File') == ['LICENSE']
    assert metadata['License'] is None
    assert [c for c in metadata.get_all('Classifier') or [] if c.startswith('License')] == []
    assert 'Programming Language :: Python :: 3.13' in metadata.get_all('Classifier')
