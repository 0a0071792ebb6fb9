"""Run a charm as Juju does: its own ``dispatch`` script, one process per hook, fake tools.

``python3`` on the hook's PATH is the interpreter the test names (the project's for
reactops, one with the real ops installed for a reference run), so the charm's
``dispatch`` and its ``#!/usr/bin/env python3`` line work unchanged. Nothing puts the
repository on ``PYTHONPATH``: the charm imports what that interpreter has installed, and
its ``lib/`` as charmcraft's dispatch script arranges.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from charmrun import CharmUnit


class DispatchUnit(CharmUnit):
    """A charm directory (copied from *source*) on one fake unit, run through ``dispatch``."""

    def __init__(self, root: Path, source: Path, unit: str, *, python: str = sys.executable,
                 **state: Any):
        super().__init__(root, source, unit, **state)
        self.use_python(python)

    def use_python(self, python: str) -> None:
        """Run later hooks with *python* (an upgrade swaps the framework under the charm)."""
        wrapper = self.juju.bin_dir / 'python3'
        wrapper.write_text(f'#!/bin/sh\nexec {python} "$@"\n')
        wrapper.chmod(0o755)

    def run(self, dispatch_path: str, **juju_env: str) -> subprocess.CompletedProcess[str]:
        """Run one hook (``hooks/install``) or action (``actions/x``) as Juju would."""
        self.juju.clear_calls()
        return subprocess.run([str(self.juju.charm_dir / 'dispatch')],
                              env=self._env(JUJU_DISPATCH_PATH=dispatch_path, **juju_env),
                              capture_output=True, text=True, timeout=60,
                              cwd=self.juju.charm_dir)

    def python(self, code: str) -> str:
        """Run *code* as the charm's own Python would (its ``sys.path``); return stdout."""
        env = self._env(PYTHONPATH='lib:venv')  # what dispatch sets
        result = subprocess.run([str(self.juju.bin_dir / 'python3'), '-c', code], env=env,
                                capture_output=True, text=True, timeout=60,
                                cwd=self.juju.charm_dir)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def _env(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('JUJU_', 'REACTOPS_', 'PYTHON'))}
        env.update(self.juju.env(**extra))
        return env

    def snapshots(self) -> dict[str, Any]:
        """The snapshot table as stored: handle -> raw data (bytes from ops, str from us)."""
        import sqlite3

        with sqlite3.connect(self.state_file) as db:
            return dict(db.execute('SELECT handle, data FROM snapshot').fetchall())

    def notices(self) -> list[tuple[str, str, str]]:
        """The deferred-event queue, in order."""
        import sqlite3

        with sqlite3.connect(self.state_file) as db:
            return db.execute('SELECT event_path, observer_path, method_name FROM notice '
                              'ORDER BY sequence').fetchall()
