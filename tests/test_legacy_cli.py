"""The ``charms.reactive`` command (``python -m reactops.legacy.cli``) and
``reactops port-check``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reactops.cli import main as reactops_main
from reactops.legacy import port_check
from reactops.legacy._bridge import BRIDGE_ENV, Bridge

REPO = Path(__file__).resolve().parents[1]
LEGACY_CHARM = Path(__file__).resolve().parent / 'charms' / 'legacy_built'


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


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_port_check_lists_unsupported_apis_and_exits_3(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    _write(tmp_path / 'metadata.yaml', 'name: old\n')
    _write(tmp_path / 'reactive' / 'old.py', """
        import charms.reactive as reactive
        from charmhelpers.core import hookenv
        from charmhelpers.fetch import apt_install
        from charms.layer import status

        @reactive.when_file_changed('/etc/x')
        def f():
            hookenv.execution_environment()
            reactive.bus.Handler.get_handlers()
            reactive.helpers.data_changed('x', 1)
            status.blocked('x')
    """)
    report = port_check(tmp_path)
    summary = report.summary()
    # A hookenv name the shim lacks works only with a packed charmhelpers.
    assert summary['charmhelpers.core.hookenv.execution_environment']['status'] == \
        'needs-package'
    assert summary['charms.reactive.bus.Handler']['status'] == 'unsupported'
    assert summary['charms.reactive.helpers.data_changed']['status'] == 'supported'
    assert summary['charmhelpers.fetch.apt_install']['status'] == 'needs-package'
    assert summary['charms.layer.status']['status'] == 'unsupported'  # no lib/ copy
    assert 'file-changed' in {d.id for d in report.differences}
    assert not report.ok

    assert reactops_main(['port-check', str(tmp_path), '--format', 'json']) == 3
    data = json.loads(capsys.readouterr().out)
    assert data['ok'] is False and 'file-changed' in [d['id'] for d in data['differences']]


def test_port_check_of_the_built_legacy_charm_passes(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    assert reactops_main(['port-check', str(LEGACY_CHARM)]) == 0
    text = capsys.readouterr().out
    assert 'every legacy API used is provided' in text
    assert 'charm-library charms.layer.legacy_built.greeting' in text
    assert 'reactive/notify.sh' in text and '[external]' in text


def test_port_check_of_a_missing_directory_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert reactops_main(['port-check', str(tmp_path / 'nope')]) == 1
    assert 'is not a directory' in capsys.readouterr().err
