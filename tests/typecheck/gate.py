"""Type-check the sample charms with mypy and pyright, both strict; exit 1 on any error.

``nox -s typecheck`` runs this script, and tests/test_typecheck_gate.py runs it on a copy
with a type error put in, so the gate is known to fail. Each sample is a charm directory
with its own ``pyproject.toml`` (``[tool.mypy]`` and ``[tool.pyright]``, as a charm author
keeps them); both checkers run from that directory with the Python running this script,
so they see the reactops installed there.

    python tests/typecheck/gate.py                 # every sample next to this file
    python tests/typecheck/gate.py PATH [PATH...]  # these charm directories
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
# Kept between runs: mypy then re-reads reactops' analysis instead of redoing it.
MYPY_CACHE = REPO / '.mypy_cache' / 'typecheck-samples'


@dataclass(frozen=True)
class CheckResult:
    """One checker's verdict on one sample: its command line, exit code and output."""

    sample: Path
    checker: str
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def samples(root: Path = HERE) -> list[Path]:
    """The sample charm directories under *root*: those with a ``pyproject.toml``."""
    return sorted(p.parent for p in root.glob('*/pyproject.toml'))


def _source_root() -> str | None:
    """The directory holding the ``reactops`` package, when it is not in site-packages.

    An editable install reaches reactops through an import hook that type checkers do
    not run; naming the directory lets them find it. A regular install needs nothing.
    """
    spec = importlib.util.find_spec('reactops')
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).parent.parent
    return None if root.name in ('site-packages', 'dist-packages') else str(root)


def _env(extra_path: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if extra_path is not None:
        env['PYTHONPATH'] = os.pathsep.join(p for p in (extra_path, env.get('PYTHONPATH')) if p)
    return env


def check(sample: Path, cache_dir: Path = MYPY_CACHE) -> list[CheckResult]:
    """Run mypy and then pyright on *sample* with its own settings."""
    # Both checkers ask this Python for its import path, PYTHONPATH included, and treat
    # what they find there as installed packages (reactops' own errors are not reported).
    env = _env(_source_root())
    runs = [
        ('mypy', [sys.executable, '-m', 'mypy', '--config-file', 'pyproject.toml',
                  '--cache-dir', str(cache_dir)]),
        ('pyright', [sys.executable, '-m', 'pyright', '--pythonpath', sys.executable,
                     '--project', str(sample / 'pyproject.toml')]),
    ]
    results = []
    for name, command in runs:
        done = subprocess.run(command, cwd=sample, env=env, capture_output=True, text=True,
                              check=False)
        results.append(CheckResult(sample, name, done.returncode, done.stdout + done.stderr))
    return results


def main(argv: Sequence[str]) -> int:
    targets = [Path(arg).resolve() for arg in argv] or samples()
    if not targets:
        print('gate: no sample charms found')
        return 1
    failed = []
    for sample in targets:
        for result in check(sample):
            verdict = 'ok' if result.ok else f'FAILED (exit {result.returncode})'
            print(f'== {result.checker} strict on {sample.name}: {verdict}')
            if not result.ok:
                print(result.output.rstrip())
                failed.append(f'{result.checker} on {sample.name}')
    if failed:
        print(f'gate: type errors in {", ".join(failed)}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
