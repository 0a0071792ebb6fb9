"""In-place upgrade: a unit that ran charms.reactive 1.5.3 carries on under reactops.

charms.reactive really writes the state file (``.unit-state.db``) and its config memory
(``.juju-persistent-config``) in the first hooks; then the same charm directory runs
``reactops.legacy.main()``. Nothing runs again that charms.reactive remembered: the
``@only_once`` handler, the ``@when_file_changed`` handler for an unchanged file, the
data_changed hash, the config's previous values; flags and kv data carry over.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import state_file
from compat_harness import REFERENCE_ENV, REPO, RUNNER, find_reference_python
from fakejuju import FakeJuju

pytestmark = pytest.mark.compat

CHARM = Path(__file__).resolve().parent / 'upgrade_charm'


@pytest.fixture(scope='module')
def reference_python() -> str:
    python, reason = find_reference_python()
    if python is None:
        pytest.skip(reason)
    return python


def _hook(juju: FakeJuju, python: str, side: str, hook: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('JUJU_') and k not in ('CHARM_DIR', 'PYTHONPATH', REFERENCE_ENV)}
    env.update(juju.env(JUJU_DISPATCH_PATH=f'hooks/{hook}', JUJU_HOOK_NAME=hook),
               CHARM_DIR=str(juju.charm_dir), PYTHONDONTWRITEBYTECODE='1')
    request = {'charm_dir': str(juju.charm_dir), 'state': '', 'hook': hook, 'flags': {},
               'mode': 'main', 'repo': str(REPO)}
    proc = subprocess.run([python, str(RUNNER), side, json.dumps(request)],
                          cwd=juju.charm_dir, env=env, capture_output=True, text=True,
                          timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith('COMPAT-RESULT ')]
    assert proc.returncode == 0 and lines, proc.stderr
    result: dict[str, Any] = json.loads(lines[-1][len('COMPAT-RESULT '):])
    assert result['error'] is None, proc.stderr
    result.update(state_file.committed(juju.charm_dir / '.unit-state.db'))  # what it kept
    return result


def _kv(charm_dir: Path) -> dict[str, Any]:
    with sqlite3.connect(charm_dir / '.unit-state.db') as db:
        return {k: json.loads(v) for k, v in db.execute('SELECT key, data FROM kv')}


def test_a_charms_reactive_unit_carries_on_under_reactops(reference_python: str,
                                                          tmp_path: Path) -> None:
    juju = FakeJuju(tmp_path, unit='compat/0', state={'config': {'port': 8080}})
    shutil.copytree(CHARM, juju.charm_dir, dirs_exist_ok=True)

    first = _hook(juju, reference_python, 'reactive', 'install')
    # (conf_changed does not run: charms.reactive's tracer consumed the file change,
    # reference 3, but the file's hash is stored.)
    assert first['ran'] == ['once', 'install', 'port_changed:None', 'check:changed']
    before = _kv(juju.charm_dir)
    invoked = [k for k in before if k.startswith('reactive.invoked.')]
    assert invoked and all(os.path.isabs(k[len('reactive.invoked.'):].split(':')[0])
                           for k in invoked)  # charms.reactive's absolute ids
    assert (juju.charm_dir / '.juju-persistent-config').exists()

    # The upgraded unit: nothing remembered runs again.
    upgraded = _hook(juju, sys.executable, 'reactops', 'upgrade-charm')
    assert upgraded['ran'] == ['check:same']
    assert upgraded['flags'] == ['app.installed']
    assert upgraded['values'] == {'app.installed': {'version': 1}}
    after = _kv(juju.charm_dir)
    assert after['app.data'] == {'k': [1, 2]}
    assert after['reactive.data_changed.app.port'] == before['reactive.data_changed.app.port']
    line = (CHARM / 'reactive' / 'charm.py').read_text().splitlines().index('def once():')
    assert f'reactive.invoked.reactive/charm.py:{line}:once' in after  # 1-based: @only_once

    # Later changes are seen as under charms.reactive.
    (juju.charm_dir / 'app.conf').write_text('listen 81\n')
    juju.update(config={'port': 9090})
    changed = _hook(juju, sys.executable, 'reactops', 'config-changed')
    assert changed['ran'] == ['conf_changed', 'check:changed', 'port_changed:8080']
