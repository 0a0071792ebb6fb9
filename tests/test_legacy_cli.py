"""The ``charms.reactive`` command (``python -m reactops.legacy.cli``); ``reactops
port-check`` is tested in ``test_legacy_portcheck.py``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from reactops.legacy._bridge import BRIDGE_ENV, Bridge

REPO = Path(__file__).resolve().parents[1]


def charms_reactive(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'CHARM_'))}
    environ.update(env, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, '-m', 'reactops.legacy.cli', *args], env=environ,
                          capture_output=True, text=True, timeout=60)


def test_outside_a_hook_the_command_works_on_the_state_file(tmp_path: Path) -> None:
    env = {'CHARM_DIR': str(tmp_path)}
    assert charms_reactive('set_flag', 'app.ready', env=env).returncode == 0
    assert charms_reactive('set_flag', '--value', '{"a":1}', 'app.conf', env=env).returncode == 0
    assert charms_reactive('is_flag_set', 'app.ready', env=env).returncode == 0
    assert charms_reactive('is_flag_set', 'app.missing', env=env).returncode == 1
    assert charms_reactive('any_flags_set', 'x', 'app.ready', env=env).returncode == 0
    assert charms_reactive('get_flags', env=env).stdout == 'app.conf\napp.ready'
    assert charms_reactive('toggle_flag', 'app.ready', 'false', env=env).returncode == 0
    assert json.loads(charms_reactive('get_flags', '--format=json', env=env).stdout) == \
        ['app.conf']
    with sqlite3.connect(tmp_path / '.unit-state.db') as db:
        rows = db.execute("SELECT key, data FROM kv WHERE key LIKE 'reactive.states.%'").fetchall()
    assert rows == [('reactive.states.app.conf', '"{\\"a\\":1}"')]  # a plain string, as before


def test_without_a_charm_dir_it_says_where_to_run_it() -> None:
    result = charms_reactive('get_flags', env={})
    assert result.returncode != 0 and 'CHARM_DIR' in result.stderr


def test_the_combined_test_of_bash_handlers_reads_the_dispatch_bridge(tmp_path: Path) -> None:
    bridge = Bridge.create(tmp_path, flags={'a': None, 'b': None}, phase='other',
                           hook='update-status', invoked=['h2'])
    assert bridge.path is not None
    env = {BRIDGE_ENV: str(bridge.path), 'CHARM_DIR': str(tmp_path)}
    result = charms_reactive(
        'test', 'first h1 when "a b" when_not c', 'second h2 only_once x',
        'third h3 when_any c', 'fourth h4 hook update-status', env=env)
    assert (result.returncode, result.stdout) == (0, 'first')
    charms_reactive('set_flag', 'c', env=env)
    charms_reactive('mark_invoked', 'h1', env=env)
    data = Bridge.load(bridge.path).data
    assert data['tested'] == ['a', 'b', 'c']
    assert data['ops'] == [['set', 'c', None], ['invoked', 'h1']]
    assert 'c' in data['flags']
