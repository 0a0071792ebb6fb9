"""Write ``state/ops-3.9.unit-state.db``: the state file the real ops leaves on a unit.

Run it with the project's Python, naming an interpreter that has ops installed::

    .venv/bin/python tests/charms/opscharm/make_state.py /path/to/python-with-ops

It deploys ``charm/`` on a fake unit (:data:`MODEL`), runs :data:`HOOKS` through the
charm's own ``dispatch`` with that interpreter, so ops itself writes the file, and copies
the file here. The compat test (``tests/compat/test_compat_ops_state.py``) makes a fresh
one the same way and checks that the committed file still holds what ops writes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHARM = HERE / 'charm'
FIXTURE = HERE / 'state' / 'ops-3.9.unit-state.db'
UNIT = 'counter/0'
MODEL: dict[str, Any] = {'config': {'port': 8080}}
RELATION = {'endpoint': 'db', 'relation_id': 3, 'app': 'pg', 'units': ['pg/0'],
            'data': {'pg/0': {'host': '10.0.0.5'}}}
DB_ENV = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:3', 'JUJU_REMOTE_UNIT': 'pg/0',
          'JUJU_REMOTE_APP': 'pg'}
#: The hooks ops runs: install, then two events the charm defers (it has not started).
HOOKS: list[tuple[str, dict[str, str]]] = [
    ('install', {}), ('config-changed', {}), ('db-relation-changed', DB_ENV)]


def deploy(root: Path, python: str) -> Any:
    """The counter charm on a fake unit with the fixture's model, run by *python*."""
    sys.path[:0] = [str(HERE.parents[1])]  # tests/: opsunit, charmrun, fakejuju
    from opsunit import DispatchUnit

    unit = DispatchUnit(root, CHARM, UNIT, python=python, **MODEL)
    unit.juju.add_relation(RELATION['endpoint'], RELATION['relation_id'], RELATION['app'],
                           RELATION['units'], data=RELATION['data'])
    return unit


def run_ops(root: Path, python: str) -> Any:
    """Deploy, run :data:`HOOKS` on *python* (which must have ops); return the unit."""
    unit = deploy(root, python)
    for hook, env in HOOKS:
        result = unit.run(f'hooks/{hook}', **env)
        if result.returncode != 0:
            raise RuntimeError(f'{hook} failed under {python}:\n{result.stderr}')
    return unit


def main() -> None:
    python = sys.argv[1]
    version = subprocess.run([python, '-c', 'import ops; print(ops.__version__)'],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f'ops {version} at {python}')
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copyfile(run_ops(Path(tmp), python).state_file, FIXTURE)
    print(f'wrote {FIXTURE}')


if __name__ == '__main__':
    main()
