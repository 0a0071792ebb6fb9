"""Write the state files the real ops leaves on a unit, for the tests that need no ops.

Run it with the project's Python, naming an interpreter that has ops installed::

    .venv/bin/python tests/charms/opscharm/make_state.py /path/to/python-with-ops

For each unit in :data:`UNITS` it deploys the charm on a fake unit, runs the unit's hooks
through the charm's own ``dispatch`` with that interpreter, so ops itself writes the file,
and copies the file to ``state/``. For the ``deferall`` unit it also runs the releasing
hook under ops and writes what the charm recorded (``state/*.received.json``): what
reactops must record after the same hook. The compat test
(``tests/compat/test_compat_ops_state.py``) makes fresh files the same way and checks that
the committed ones still hold what ops writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STATE = HERE / 'state'
DB_ENV = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:3', 'JUJU_REMOTE_UNIT': 'pg/0',
          'JUJU_REMOTE_APP': 'pg'}
RELATION = {'endpoint': 'db', 'relation_id': 3, 'app': 'pg', 'units': ['pg/0'],
            'data': {'pg/0': {'host': '10.0.0.5'}}}
SECRET_ENV = {'JUJU_SECRET_ID': 'secret:d1fcmtnmp25c77r4g2kg', 'JUJU_SECRET_LABEL': 'db-pass'}


@dataclass
class Unit:
    """A charm, the fake model it is deployed in, and the hooks ops runs on it."""

    name: str
    charm: Path
    unit: str
    model: dict[str, Any]
    hooks: list[tuple[str, dict[str, str]]]
    #: The hook that, run next (after *release_model*), makes the charm handle its events.
    release: tuple[str, dict[str, str]] | None = None
    release_model: dict[str, Any] = field(default_factory=dict)

    @property
    def fixture(self) -> Path:
        return STATE / f'ops-3.9.{self.name}.unit-state.db'

    @property
    def received(self) -> Path:
        return STATE / f'ops-3.9.{self.name}.received.json'


#: The counter charm after install and two events it defers (it has not started).
COUNTER = Unit('counter', HERE / 'charm', 'counter/0', {'config': {'port': 8080}}, [
    ('install', {}), ('config-changed', {}), ('db-relation-changed', DB_ENV)])

#: The deferall charm after one hook of every kind it defers.
DEFERALL = Unit(
    'deferall', HERE / 'deferall', 'deferall/0',
    {'leader': True, 'config': {'release': False},
     'storage': {'data/0': {'kind': 'filesystem', 'location': '/srv/data'}}},
    [('install', {}), ('data-storage-attached', {'JUJU_STORAGE_ID': 'data/0'}),
     ('leader-elected', {}), ('db-relation-created', {k: v for k, v in DB_ENV.items()
                                                       if k != 'JUJU_REMOTE_UNIT'}),
     ('db-relation-joined', DB_ENV), ('db-relation-changed', DB_ENV),
     ('db-relation-departed', {**DB_ENV, 'JUJU_REMOTE_UNIT': 'pg/1',
                               'JUJU_DEPARTING_UNIT': 'pg/1'}),
     ('secret-changed', SECRET_ENV),
     ('secret-remove', {**SECRET_ENV, 'JUJU_SECRET_REVISION': '1'}),
     ('upgrade-charm', {}), ('update-status', {})],
    release=('config-changed', {}), release_model={'config': {'release': True}})

UNITS = (COUNTER, DEFERALL)


def deploy(root: Path, python: str, unit: Unit = COUNTER) -> Any:
    """*unit*'s charm on a fake unit with its model, run by *python*."""
    sys.path[:0] = [str(HERE.parents[1])]  # tests/: opsunit, charmrun, fakejuju
    from opsunit import DispatchUnit

    deployed = DispatchUnit(root, unit.charm, unit.unit, python=python, **unit.model)
    deployed.juju.add_relation(RELATION['endpoint'], RELATION['relation_id'],
                               RELATION['app'], RELATION['units'], data=RELATION['data'])
    return deployed


def run_ops(root: Path, python: str, unit: Unit = COUNTER) -> Any:
    """Deploy *unit*, run its hooks on *python* (which must have ops); return it."""
    deployed = deploy(root, python, unit)
    for hook, env in unit.hooks:
        result = deployed.run(f'hooks/{hook}', **env)
        if result.returncode != 0:
            raise RuntimeError(f'{hook} failed under {python}:\n{result.stderr}')
    return deployed


def release(deployed: Any, unit: Unit) -> list[dict[str, Any]]:
    """Run *unit*'s releasing hook on *deployed*; return what the charm recorded."""
    assert unit.release is not None
    deployed.juju.update(**unit.release_model)
    hook, env = unit.release
    deployed.ok(f'hooks/{hook}', **env)
    stored = deployed.snapshots()[f'{type_name(unit)}/StoredStateData[_stored]']
    if isinstance(stored, bytes):  # written by ops: read it as the upgrade would
        from reactops._private.opsstate import read_snapshot

        received: list[dict[str, Any]] = read_snapshot(stored)['received']
    else:
        received = json.loads(stored)['received']
    return received


def type_name(unit: Unit) -> str:
    """The charm class's name: the first segment of its handles."""
    return {'counter': 'CounterCharm', 'deferall': 'DeferAllCharm'}[unit.name]


def main() -> None:
    python = sys.argv[1]
    version = subprocess.run([python, '-c', 'import ops; print(ops.__version__)'],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f'ops {version} at {python}')
    for unit in UNITS:
        with tempfile.TemporaryDirectory() as tmp:
            deployed = run_ops(Path(tmp), python, unit)
            shutil.copyfile(deployed.state_file, unit.fixture)
            print(f'wrote {unit.fixture}')
            if unit.release is not None:
                unit.received.write_text(json.dumps(release(deployed, unit), indent=1) + '\n')
                print(f'wrote {unit.received}')


if __name__ == '__main__':
    main()
