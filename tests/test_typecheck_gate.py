"""The type-checking gate of `nox -s typecheck` passes on the sample charms and fails on a
type error: tests/typecheck/gate.py is run as nox runs it, on a copy of the samples.

Skipped where mypy or pyright is not installed (nox's typecheck session and CI have both).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TYPECHECK = Path(__file__).resolve().parent / 'typecheck'
GATE = TYPECHECK / 'gate.py'

pytestmark = [
    pytest.mark.slow,  # a few seconds per checker and sample
    pytest.mark.skipif(
        importlib.util.find_spec('mypy') is None or importlib.util.find_spec('pyright') is None,
        reason='needs mypy and pyright (pip install mypy pyright; nox -s typecheck has both)'),
]


def run_gate(*samples: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GATE), *map(str, samples)],
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A copy of tests/typecheck (samples, their settings and the ops stubs)."""
    copy = tmp_path / 'typecheck'
    shutil.copytree(TYPECHECK, copy, ignore=shutil.ignore_patterns('__pycache__', '.mypy_cache'))
    return copy


def break_line(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f'{old!r} not found once in {path}'
    path.write_text(text.replace(old, new))


def test_clean_samples_pass(samples: Path) -> None:
    done = run_gate(samples / 'ops_charm', samples / 'reactive_charm')
    assert done.returncode == 0, done.stdout + done.stderr
    for sample in ('ops_charm', 'reactive_charm'):
        for checker in ('mypy', 'pyright'):
            assert f'== {checker} strict on {sample}: ok' in done.stdout


def test_ops_charm_type_error_fails_the_gate(samples: Path) -> None:
    # Relation data holds strings: writing an int is the classic mistake.
    charm = samples / 'ops_charm' / 'src' / 'charm.py'
    break_line(charm, "data[self.app]['port'] = str(self.port)",
               "data[self.app]['port'] = self.port")
    done = run_gate(samples / 'ops_charm')
    assert done.returncode == 1
    out = done.stdout
    assert '== mypy strict on ops_charm: FAILED' in out
    assert '== pyright strict on ops_charm: FAILED' in out
    assert 'src/charm.py:75: error: Incompatible types in assignment' in out  # mypy
    assert 'charm.py:75:13 - error: Argument of type "int"' in out  # pyright
    assert 'gate: type errors in mypy on ops_charm, pyright on ops_charm' in out


def test_reactive_charm_type_error_fails_the_gate(samples: Path) -> None:
    # A handler that calls a method the interface layer's class does not have.
    handlers = samples / 'reactive_charm' / 'reactive' / 'webapp.py'
    break_line(handlers, 'cache.request(size_mb=64)', 'cache.request(size=64)')
    done = run_gate(samples / 'reactive_charm')
    assert done.returncode == 1
    out = done.stdout
    assert 'reactive/webapp.py:' in out and 'Unexpected keyword argument "size"' in out  # mypy
    assert 'No parameter named "size"' in out  # pyright
    assert 'gate: type errors in mypy on reactive_charm, pyright on reactive_charm' in out
