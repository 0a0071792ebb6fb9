"""The state store tells the truth about what went wrong (issue 17, findings 4 and 8.6).

A full disk, a file-size limit and a read-only state directory each say so, keep the state
and never advise moving the file away; corruption is reported only for a damaged file. A
state file that is a symbolic link is refused before anything is done to it or its target.
Disk and mount cases use a small tmpfs, which needs root (the test skips otherwise).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability.refunit import RefUnit

from reactops.errors import StateStoreCorruptError, StateStoreError
from reactops.storage import SQLiteStorage, _failure_cause

REPO = Path(__file__).resolve().parents[1]
CORRUPT_ADVICE = 'move it away'


class Tmpfs:
    """A small tmpfs mounted at *path*, remountable read-only."""

    def __init__(self, path: Path, size: str):
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        done = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size},mode=0755',
                               'tmpfs', str(path)], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            pytest.skip(f'cannot mount a tmpfs here (needs root): {done.stderr.strip()}')

    def read_only(self) -> None:
        subprocess.run(['mount', '-o', 'remount,ro', str(self.path)], check=True)

    def fill(self) -> None:
        """Take every free byte, as a disk that filled up while the unit ran."""
        fd = os.open(self.path / 'filler', os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b'\0' * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)

    def unmount(self) -> None:
        subprocess.run(['umount', '-l', str(self.path)], check=False)


@pytest.fixture
def mounts() -> Iterator[list[Tmpfs]]:
    mounted: list[Tmpfs] = []
    yield mounted
    for mount in mounted:
        mount.unmount()


def _store_with_state(path: Path) -> None:
    store = SQLiteStorage(path)
    store.kv_set('kept', {'port': 8080})
    store.commit()
    store.close()


def _assert_state_kept(path: Path) -> None:
    store = SQLiteStorage(path)
    try:
        assert store.kv_get('kept') == {'port': 8080}
        assert [key for key, _ in store.kv_items('k')] == ['kept']  # nothing half-written
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute('PRAGMA integrity_check').fetchone() == ('ok',)


def _write_until_it_fails(path: Path) -> StateStoreError:
    store = SQLiteStorage(path)
    try:
        with pytest.raises(StateStoreError) as caught:
            for i in range(100_000):
                store.kv_set(f'k{i}', 'y' * 4000)
            store.commit()
    finally:
        store.close()
    return caught.value


def _assert_truthful(error: BaseException, *words: str) -> None:
    message = str(error)
    assert not isinstance(error, StateStoreCorruptError), message
    assert 'damaged' not in message and CORRUPT_ADVICE not in message
    assert 'unchanged' in message and 'do not move or delete' in message
    for word in words:
        assert word in message


# -- finding 4: disk full, file-size limit, read-only directory --------------------------


def test_a_full_disk_is_reported_as_a_full_disk_and_the_state_is_kept(
        tmp_path: Path, mounts: list[Tmpfs]) -> None:
    mounts.append(disk := Tmpfs(tmp_path / 'disk', '512k'))
    state = disk.path / 'state.db'
    _store_with_state(state)
    error = _write_until_it_fails(state)
    _assert_truthful(error, 'the disk is full', str(state))
    _assert_state_kept(state)


def test_a_disk_that_filled_before_the_hook_is_reported_as_full(
        tmp_path: Path, mounts: list[Tmpfs]) -> None:
    mounts.append(disk := Tmpfs(tmp_path / 'disk', '512k'))
    state = disk.path / 'state.db'
    _store_with_state(state)
    disk.fill()
    store = SQLiteStorage(state)
    with pytest.raises(StateStoreError) as caught:
        store.kv_set('k1', 'y' * 100_000)
        store.commit()
    store.close()
    _assert_truthful(caught.value, 'the disk is full')
    (disk.path / 'filler').unlink()
    _assert_state_kept(state)


def test_a_file_size_limit_is_reported_as_such_and_the_state_is_kept(tmp_path: Path) -> None:
    state = tmp_path / 'state.db'
    _store_with_state(state)
    script = textwrap.dedent(f"""\
        import resource, signal
        from reactops.storage import SQLiteStorage
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills us first
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
        store = SQLiteStorage({str(state)!r})
        try:
            for i in range(1000):
                store.kv_set(f'k{{i}}', 'y' * 4000)
            store.commit()
        except Exception as e:
            print(type(e).__name__, e, sep=': ')
        """)
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                          check=False, timeout=60, env={**os.environ, 'PYTHONPATH': str(REPO)})
    assert done.returncode == 0, done.stderr
    kind, _, message = done.stdout.strip().partition(': ')
    assert kind == 'StateStoreError', done.stdout
    _assert_truthful(StateStoreError(message), 'file-size limit', 'RLIMIT_FSIZE: 65536')
    _assert_state_kept(state)


def test_a_read_only_state_directory_is_reported_as_read_only_and_the_state_is_kept(
        tmp_path: Path, mounts: list[Tmpfs]) -> None:
    mounts.append(disk := Tmpfs(tmp_path / 'disk', '1m'))
    state = disk.path / 'state.db'
    _store_with_state(state)
    disk.read_only()
    error = _write_until_it_fails(state)
    _assert_truthful(error, 'read-only')
    _assert_state_kept(state)
    with pytest.raises(StateStoreError, match='Read-only file system'):
        SQLiteStorage(disk.path / 'new.db')  # a first hook cannot even create it


def test_a_hook_on_a_full_or_read_only_disk_says_so_and_keeps_the_state(
        tmp_path: Path, mounts: list[Tmpfs]) -> None:
    mounts.append(disk := Tmpfs(tmp_path / 'unit' / 'charm', '4m'))
    unit = RefUnit(tmp_path / 'unit', 'opsref')
    assert unit.run('install').returncode == 0
    before = unit.snapshot().store
    disk.fill()
    result = unit.run('config-changed')
    assert result.returncode != 0
    assert 'the disk is full' in result.stderr and CORRUPT_ADVICE not in result.stderr
    (disk.path / 'filler').unlink()
    disk.read_only()
    result = unit.run('config-changed')
    assert result.returncode != 0
    assert 'read-only' in result.stderr and CORRUPT_ADVICE not in result.stderr
    assert unit.snapshot().store == before


def test_only_a_damaged_file_is_called_damaged(tmp_path: Path) -> None:
    state = tmp_path / 'state.db'
    store = SQLiteStorage(state)
    for i in range(200):
        store.kv_set(f'k{i}', 'v' * 1000)
    store.commit()
    store.close()
    data = bytearray(state.read_bytes())
    data[4096:] = b'\xff' * (len(data) - 4096)  # every page but the first scribbled over
    state.write_bytes(bytes(data))
    with pytest.raises(StateStoreCorruptError, match=CORRUPT_ADVICE):
        store = SQLiteStorage(state)
        try:
            list(store.kv_items())
        finally:
            store.close()


@pytest.mark.parametrize(('message', 'words'), [
    ('database or disk is full', 'is full'),
    ('attempt to write a readonly database', 'read-only'),
    ('unable to open database file', 'cannot be opened'),
    ('disk I/O error', 'failed a read or a write'),
])
def test_each_sqlite_failure_that_is_not_damage_is_named(
        tmp_path: Path, message: str, words: str) -> None:
    # Python < 3.11 has no error codes: the text alone must be enough.
    cause = _failure_cause(sqlite3.OperationalError(message), str(tmp_path / 'state.db'))
    assert cause is not None and words in cause


@pytest.mark.parametrize('message', ['file is not a database',
                                     'database disk image is malformed'])
def test_sqlite_failures_that_mean_damage_stay_damage(tmp_path: Path, message: str) -> None:
    assert _failure_cause(sqlite3.DatabaseError(message), str(tmp_path / 'state.db')) is None


# -- finding 8.6: a symlinked state file ---------------------------------------------------


def test_a_symlinked_state_file_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    target = tmp_path / 'elsewhere.db'
    _store_with_state(target)
    target.chmod(0o644)
    before = (target.read_bytes(), target.stat())
    link = tmp_path / 'state.db'
    link.symlink_to(target)
    with pytest.raises(StateStoreError, match='is a symbolic link') as caught:
        SQLiteStorage(link)
    assert str(target) in str(caught.value)
    after = (target.read_bytes(), target.stat())
    assert after[0] == before[0]
    assert after[1].st_mode == before[1].st_mode  # not chmod-ed to 0600 behind our back
    assert after[1].st_mtime_ns == before[1].st_mtime_ns
    assert after[1].st_ctime_ns == before[1].st_ctime_ns


def test_a_dangling_symlinked_state_file_is_refused_and_nothing_is_created(
        tmp_path: Path) -> None:
    link = tmp_path / 'state.db'
    link.symlink_to(tmp_path / 'nowhere' / 'target.db')
    (tmp_path / 'nowhere').mkdir()
    with pytest.raises(StateStoreError, match='is a symbolic link'):
        SQLiteStorage(link)
    assert not (tmp_path / 'nowhere' / 'target.db').exists()


def test_a_hook_with_a_symlinked_state_file_fails_and_leaves_the_target_alone(
        tmp_path: Path) -> None:
    unit = RefUnit(tmp_path / 'unit', 'opsref')
    assert unit.run('install').returncode == 0
    target = tmp_path / 'moved.db'
    unit.state_file.rename(target)
    target.chmod(0o640)
    unit.state_file.symlink_to(target)
    result = unit.run('config-changed')
    assert result.returncode != 0
    assert 'is a symbolic link' in result.stderr
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
