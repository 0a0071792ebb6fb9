"""Run a charm directory one hook at a time, each hook a real process, on fake hook tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from fakejuju import FakeJuju

REPO = Path(__file__).resolve().parents[1]


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write *files* (path under *root* -> dedented text) into *root*; return *root*."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


class CharmUnit:
    """A charm (copied from *source*) deployed on one fake unit."""

    def __init__(self, root: Path, source: Path, unit: str, **state: Any):
        self.juju = FakeJuju(root, unit=unit, state=state)
        shutil.copytree(source, self.juju.charm_dir, dirs_exist_ok=True)
        self.state_file = self.juju.charm_dir / '.unit-state.db'

    def run(self, dispatch_path: str, **juju_env: str) -> subprocess.CompletedProcess[str]:
        """Run one hook (``hooks/install``) or action (``actions/x``) as Juju would."""
        self.juju.clear_calls()
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('JUJU_', 'REACTOPS_'))}
        env.update(self.juju.env(JUJU_DISPATCH_PATH=dispatch_path, **juju_env))
        env['PYTHONPATH'] = str(REPO)
        return subprocess.run([sys.executable, str(self.juju.charm_dir / 'src' / 'charm.py')],
                              env=env, capture_output=True, text=True, timeout=60,
                              cwd=self.juju.charm_dir)

    def ok(self, dispatch_path: str, **juju_env: str) -> list[list[str]]:
        """Run a hook that must succeed; return the hook tools' argv."""
        result = self.run(dispatch_path, **juju_env)
        assert result.returncode == 0, result.stderr
        return self.juju.argvs()

    def logs(self, level: str | None = None) -> list[str]:
        """juju-log messages of the last hook (at *level* only, if given)."""
        lines = [argv for argv in self.juju.argvs('juju-log')]
        return [argv[-1] for argv in lines if level is None or argv[2] == level]

    def tools(self) -> list[list[str]]:
        """The argv of every hook tool the last hook ran, except juju-log."""
        return [argv for argv in self.juju.argvs() if argv[0] != 'juju-log']

    def bag(self, relation: str, owner: str) -> dict[str, str]:
        """A relation data bag as the fake model holds it."""
        data: dict[str, str] = self.juju.state()['relations'][relation]['data'].get(owner, {})
        return data

    def flags(self) -> list[str]:
        """The flags committed in the unit's state file."""
        import sqlite3

        with sqlite3.connect(self.state_file) as db:
            rows = db.execute("SELECT key FROM kv WHERE key LIKE 'reactive.states.%' "
                              'ORDER BY key').fetchall()
        return [key[len('reactive.states.'):] for (key,) in rows]
