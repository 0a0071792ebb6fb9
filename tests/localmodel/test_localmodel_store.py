"""The local model's state store, tuned for a throw-away model (issue 21): every opener of
the file gets the same settings, and a ``reactops`` command killed while its hooks write
leaves a model that opens, passes SQLite's integrity check and settles on."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import reactops
from reactops.localmodel import LocalModel
from reactops.localmodel._tool import connect

ROOT = Path(reactops.__file__).resolve().parents[1]
SYNCHRONOUS_NORMAL = 1  # what PRAGMA synchronous answers for NORMAL


def writer_charm(root: Path, marker: Path) -> Path:
    """A shell charm whose install writes through hook tools many times (each a commit of
    the model's store), saying in *marker* when it has begun; its other hooks write once."""
    charm = root / 'writer'
    charm.mkdir()
    (charm / 'metadata.yaml').write_text('name: writer\nsummary: writes a lot\n')
    dispatch = charm / 'dispatch'
    dispatch.write_text('#!/bin/sh\n' + textwrap.dedent(f"""\
        if [ "$JUJU_DISPATCH_PATH" = hooks/install ]; then
            echo "$JUJU_UNIT_NAME" >> {marker}
            i=0
            while [ $i -lt 25 ]; do
                status-set maintenance "install step $i"
                application-version-set "1.$i"
                i=$((i+1))
            done
        fi
        status-set active done
        """))
    dispatch.chmod(0o755)
    return charm


def command_env(model_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env.update(PYTHONPATH=str(ROOT), REACTOPS_MODEL_DIR=str(model_dir))
    return env


def test_every_opener_of_the_model_file_gets_the_tuned_settings(tmp_path: Path) -> None:
    model = LocalModel(tmp_path / 'model')
    model.create()
    try:
        db = model.state.db
        assert db.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'
        assert db.execute('PRAGMA synchronous').fetchone()[0] == SYNCHRONOUS_NORMAL
        other = connect(model.state.path)  # the tool server's and a tool process's way
        try:
            assert other.execute('PRAGMA synchronous').fetchone()[0] == SYNCHRONOUS_NORMAL
            assert other.isolation_level is None  # autocommit: BEGIN IMMEDIATE groups
        finally:
            other.close()
    finally:
        model.close()


@pytest.mark.parametrize('delay', [0.0, 0.1, 0.3])
def test_a_model_killed_mid_settle_still_opens_and_settles(tmp_path: Path,
                                                           delay: float) -> None:
    marker = tmp_path / 'began.txt'
    charm = writer_charm(tmp_path, marker)
    model_dir = tmp_path / 'model'
    model = LocalModel(model_dir)
    model.create()
    model.deploy('writer', charm, units=2)  # queues the setup hooks, runs none
    model.close()
    # Its own process group, so the kill takes the command and its running hooks at once,
    # as a killed terminal job would.
    command = subprocess.Popen([sys.executable, '-m', 'reactops.cli', 'update-status'],
                               env=command_env(model_dir), cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists(), 'no hook began within 60 s'
        time.sleep(delay)  # somewhere among the hooks' writes
        assert command.poll() is None, 'the settle ended before the kill: nothing tested'
    finally:
        os.killpg(command.pid, signal.SIGKILL)
        command.communicate(timeout=30)
    assert command.returncode == -signal.SIGKILL

    path = model_dir / 'model.db'
    check = sqlite3.connect(path)
    try:
        assert check.execute('PRAGMA integrity_check').fetchall() == [('ok',)]
    finally:
        check.close()
    reopened = LocalModel(model_dir)
    try:
        assert sorted(unit.name for unit in reopened.state.units()) == ['writer/0', 'writer/1']
    finally:
        reopened.close()
    again = subprocess.run([sys.executable, '-m', 'reactops.cli', 'update-status'],
                           env=command_env(model_dir), cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    settled = LocalModel(model_dir)
    try:
        assert {u.status for u in settled.state.units()} == {'active'}
    finally:
        settled.close()
