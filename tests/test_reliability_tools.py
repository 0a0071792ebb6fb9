"""Hook tools that hang or flood their output (issue 17, findings 2 and 3).

A tool that never exits is stopped after ``$REACTOPS_HOOK_TOOL_TIMEOUT`` seconds and the hook
fails with a ModelError naming the tool and how to allow longer; a tool that floods its
stderr gives an error of a few KB that says how much was cut; one huge log message costs a
handful of ``juju-log`` runs, not hundreds.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
from reliability.refunit import RefUnit

from reactops._private import hooktool_runner as runner
from reactops._private import hooktools
from reactops._private.backend import MAX_LOG_LINE_LEN, MAX_LOG_RECORD_LEN, ModelBackend
from reactops.errors import ModelError
from reactops.jujucontext import JujuContext

FLOOD = 50_000_000  # the finding's 50 MB


def _tool(directory: Path, name: str, script: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.unlink(missing_ok=True)  # a FakeJuju link: replace it, not what it points to
    path.write_text('#!/bin/sh\n' + textwrap.dedent(script))
    path.chmod(0o755)
    return path


def _on_path(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    monkeypatch.setenv('PATH', f'{directory}{os.pathsep}{os.environ["PATH"]}')


def _gone(pid: int) -> bool:
    """Whether *pid* has ended (a zombie waiting for a reaper has ended too)."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(')')[2].split()[0] in ('Z', 'X')


# -- finding 2: a tool that never exits ------------------------------------------------------


def test_a_tool_that_never_exits_is_stopped_and_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tool starts a child that keeps the pipes open too: both must be stopped.
    pids = tmp_path / 'pids'
    _tool(tmp_path / 'bin', 'config-get', f"""\
        sleep 30 &
        echo $$ $! > {pids}
        echo 'connecting to the controller' >&2
        wait
        """)
    _on_path(monkeypatch, tmp_path / 'bin')
    monkeypatch.setenv('REACTOPS_HOOK_TOOL_TIMEOUT', '1')
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        hooktools.config_get()
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert 'config-get did not finish within 1 seconds' in message
    assert 'REACTOPS_HOOK_TOOL_TIMEOUT' in message
    assert 'connecting to the controller' in message  # what it said before it hung
    assert caught.value.command == ['config-get', '--format=json']
    assert caught.value.stderr is None  # not the tool's own refusal
    time.sleep(0.2)
    assert all(_gone(int(pid)) for pid in pids.read_text().split())


def test_the_timeout_is_generous_by_default_and_configurable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('REACTOPS_HOOK_TOOL_TIMEOUT', raising=False)
    assert runner._timeout() == runner.DEFAULT_TIMEOUT >= 300
    monkeypatch.setenv('REACTOPS_HOOK_TOOL_TIMEOUT', '2.5')
    assert runner._timeout() == 2.5
    monkeypatch.setenv('REACTOPS_HOOK_TOOL_TIMEOUT', '0')
    assert runner._timeout() is None  # no limit, as asked
    for bad in ('soon', '-1', 'nan', 'inf'):
        monkeypatch.setenv('REACTOPS_HOOK_TOOL_TIMEOUT', bad)
        with pytest.raises(ModelError, match='REACTOPS_HOOK_TOOL_TIMEOUT=.* is not a number'):
            runner._timeout()


def test_a_tool_within_the_timeout_answers_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tool(tmp_path / 'bin', 'config-get', 'sleep 0.3; echo \'{"port": 80}\'\n')
    _on_path(monkeypatch, tmp_path / 'bin')
    monkeypatch.setenv('REACTOPS_HOOK_TOOL_TIMEOUT', '5')
    assert hooktools.config_get() == {'port': 80}


def test_a_hook_whose_tool_hangs_fails_and_the_next_hook_runs_at_once(tmp_path: Path) -> None:
    unit = RefUnit(tmp_path, 'opsref')
    assert unit.run('install').returncode == 0
    before = unit.snapshot()
    _tool(unit.juju.bin_dir, 'config-get', 'exec sleep 30\n')
    started = time.monotonic()
    result = unit.run('config-changed', REACTOPS_HOOK_TOOL_TIMEOUT='1')
    assert time.monotonic() - started < 15
    assert result.returncode != 0
    assert 'config-get did not finish within 1 seconds' in result.stderr
    assert 'REACTOPS_HOOK_TOOL_TIMEOUT' in result.stderr
    assert unit.snapshot().store == before.store  # nothing of the failed hook was kept
    (unit.juju.bin_dir / 'config-get').unlink()
    (unit.juju.bin_dir / 'config-get').symlink_to('_fakejuju_tool')
    started = time.monotonic()
    assert unit.run('config-changed').returncode == 0
    assert time.monotonic() - started < 15  # no wait for a lock the hung hook held


# -- finding 3: a tool that floods its output ------------------------------------------------


def test_a_tool_flooding_stderr_gives_a_short_error_that_says_what_was_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tool(tmp_path / 'bin', 'status-set', f"""\
        echo 'first line' >&2
        head -c {FLOOD} /dev/zero | tr '\\0' e >&2
        echo 'ERROR the real reason' >&2
        exit 1
        """)
    _on_path(monkeypatch, tmp_path / 'bin')
    started = time.monotonic()
    with pytest.raises(ModelError) as caught:
        hooktools.status_set('active')
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert len(message) < 2 * runner.STDERR_KEPT
    assert message.startswith('first line')
    assert message.endswith('ERROR the real reason')
    cut = FLOOD + len('first line\nERROR the real reason\n') - runner.STDERR_KEPT
    assert f'[... {cut} bytes cut' in message
    assert caught.value.stderr is not None and len(caught.value.stderr) < 2 * runner.STDERR_KEPT


def test_stderr_is_drained_into_a_bounded_buffer() -> None:
    kept = runner._Bounded(100)
    for _ in range(10_000):
        kept.add(b'x' * 1000)
        assert len(kept.tail) <= 100 and kept.kept <= 50
    kept.add(b'the end')
    value = kept.value()
    assert value.startswith(b'x' * 50) and value.endswith(b'the end')
    assert b'[... 9999907 bytes cut' in value
    whole = runner._Bounded(100)
    whole.add(b'short')
    assert whole.value() == b'short'  # nothing cut, nothing said


def test_a_tool_printing_without_end_is_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tool(tmp_path / 'bin', 'config-get', 'exec yes\n')
    _on_path(monkeypatch, tmp_path / 'bin')
    monkeypatch.setattr(runner, 'MAX_STDOUT', 1_000_000)
    with pytest.raises(ModelError, match='config-get printed more than 1000000 bytes'):
        hooktools.config_get()


def test_one_huge_log_message_costs_a_few_juju_log_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = tmp_path / 'sent'
    _tool(tmp_path / 'bin', 'juju-log', f'printf "%s\\0" "$4" >> {sent}\n')
    _on_path(monkeypatch, tmp_path / 'bin')
    backend = ModelBackend(JujuContext._from_dict({'JUJU_UNIT_NAME': 'demo/0'}))
    message = 'start ' + 'x' * FLOOD + ' end'
    started = time.monotonic()
    backend.juju_log('ERROR', message)
    assert time.monotonic() - started < 30
    lines = sent.read_text().split('\0')[:-1]  # one entry per juju-log run
    assert len(lines) <= 1 + MAX_LOG_RECORD_LEN // MAX_LOG_LINE_LEN + 1
    text = ''.join(lines[1:])
    assert text.startswith('start ') and text.endswith(' end')
    assert f'characters cut: reactops sends at most {MAX_LOG_RECORD_LEN}' in text
    assert sum(len(line) for line in lines) < MAX_LOG_RECORD_LEN + 200


def test_a_long_log_message_under_the_cap_is_split_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = tmp_path / 'sent'
    _tool(tmp_path / 'bin', 'juju-log', f'printf "%s\\n" "$4" >> {sent}\n')
    _on_path(monkeypatch, tmp_path / 'bin')
    backend = ModelBackend(JujuContext._from_dict({'JUJU_UNIT_NAME': 'demo/0'}))
    message = 'a' * MAX_LOG_LINE_LEN + 'b' * 10
    backend.juju_log('INFO', message)
    lines = sent.read_text().splitlines()
    assert lines[1:] == ['a' * MAX_LOG_LINE_LEN, 'b' * 10]  # ops' split, nothing cut


def test_the_subprocess_fallback_keeps_the_same_bounds(tmp_path: Path) -> None:
    # Used when a standard stream is closed: the timeout and the stderr cut hold there too.
    slow = _tool(tmp_path / 'bin', 'slow', 'echo started >&2; exec sleep 30\n')
    started = time.monotonic()
    with pytest.raises(runner._Stopped) as caught:
        runner._spawn_with_subprocess([str(slow)], None, 1, 100)
    assert time.monotonic() - started < 10
    assert caught.value.reason == 'timeout'
    loud = _tool(tmp_path / 'bin', 'loud', "head -c 100000 /dev/zero | tr '\\0' e >&2\n")
    code, _out, err = runner._spawn_with_subprocess([str(loud)], None, 5, 100)
    assert code == 0 and len(err) < 200 and '[... 99900 bytes cut' in err
