"""Hook tools answered by the running model (issue 21): the thin client and the server
give what the tool run as its own program gives, and fail as clearly."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reactops._private.toolwire import decode, encode
from reactops.localmodel import LocalModel
from reactops.localmodel._process import install_tools
from reactops.localmodel._tool import issue_hook_token
from reactops.localmodel._toolclient import reads_stdin
from reactops.localmodel._toolserver import ToolServer, socket_path_for

CHARMS = Path(__file__).resolve().parent


@pytest.fixture
def model(tmp_path: Path) -> Iterator[LocalModel]:
    model = LocalModel(tmp_path / 'model')
    model.create()
    model.deploy('shop', CHARMS / 'shop', units=2, config={'greeting': 'hey'})
    model.deploy('depot', CHARMS / 'depot')
    model.relate('shop:stock', 'depot:stock')
    yield model
    model.close()


@pytest.fixture
def server(model: LocalModel) -> Iterator[ToolServer]:
    server = ToolServer(model.dir / 'model.db', socket_path_for(model.dir))
    server.start()
    yield server
    server.stop()


class Hook:
    """A pretend hook of *unit*, its tools run as a hook runs them (with or without the
    server's socket in the environment)."""

    def __init__(self, model: LocalModel, unit: str, socket_path: Path | None, **env: str):
        self.bin = install_tools(model.dir)
        self.hook_id = model.state.start_hook(unit, 'test')
        token = issue_hook_token(model.state.db, self.hook_id, unit)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(('JUJU_', 'REACTOPS_'))}
        self.env.update(JUJU_UNIT_NAME=unit, REACTOPS_HOOK_TOKEN=token,
                        REACTOPS_MODEL_DB=str(model.dir / 'model.db'), **env)
        if socket_path is not None:
            self.env['REACTOPS_TOOL_SOCKET'] = str(socket_path)

    def run(self, tool: str, *args: str, stdin: str = '',
            cwd: Path | None = None) -> tuple[int, str, str]:
        result = subprocess.run([str(self.bin / tool), *args], env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=30, cwd=cwd)
        return result.returncode, result.stdout, result.stderr


CALLS: list[tuple[str, ...]] = [
    ('config-get', '--format=json'),
    ('config-get', 'greeting'),
    ('is-leader', '--format=json'),
    ('relation-ids', 'stock'),
    ('relation-set', '-r', '{rel}', 'fruit=fig', 'size='),
    ('relation-get', '--format=json', '-r', '{rel}', '-', 'shop/1'),
    ('status-set', 'active', 'ready'),
    ('status-get', '--include-data', '--format=json'),
    ('open-port', '8080/tcp'),
    ('opened-ports', '--format=json'),
    ('juju-log', '--log-level', 'WARNING', '--', 'careful'),
    ('config-get', '--nope'),           # exit 2 and usage
    ('leader-set', 'a=1'),              # refused: shop/1 is not the leader
    ('secret-get', 'x'),                # not supported here
    ('relation-get', '-r', 'stock:99', 'x', 'depot/0'),  # no such relation
]


def answers(hook: Hook, rel: str) -> list[tuple[int, str, str]]:
    return [hook.run(*(arg.format(rel=rel) for arg in call)) for call in CALLS]


def test_the_server_answers_every_call_as_the_tool_program_does(
        model: LocalModel, server: ToolServer) -> None:
    rel = f'stock:{model.state.relations("depot")[0].id}'
    alone = answers(Hook(model, 'shop/1', None), rel)
    served = answers(Hook(model, 'shop/1', server.socket_path), rel)
    assert served == alone
    assert [code for code, _, _ in served].count(0) == len(CALLS) - 4
    assert served[1] == (0, 'hey\n', '')
    assert 'Usage: config-get' in served[11][2]
    # Each hook's pending relation write is its own, as with the program.
    pending = model.state.db.execute('SELECT hook_id, data FROM pending').fetchall()
    assert len(pending) == 2 and {json.loads(data)['fruit'] for _, data in pending} == {'fig'}


def test_standard_input_and_relative_files_are_the_callers(
        model: LocalModel, server: ToolServer, tmp_path: Path) -> None:
    rel = f'stock:{model.state.relations("depot")[0].id}'
    hook = Hook(model, 'depot/0', server.socket_path, JUJU_RELATION='stock',
                JUJU_RELATION_ID=rel, JUJU_REMOTE_UNIT='shop/0', JUJU_REMOTE_APP='shop')
    assert hook.run('relation-set', '--file', '-', stdin=json.dumps({'a': '1'}))[0] == 0
    (tmp_path / 'values.yaml').write_text('b: "2"\n')
    assert hook.run('relation-set', '--file=values.yaml', cwd=tmp_path)[0] == 0
    code, out, _ = hook.run('relation-get', '--format=json', '-', 'depot/0')
    assert code == 0 and {'a': '1', 'b': '2'}.items() <= json.loads(out).items()
    assert reads_stdin(['--file', '-']) and reads_stdin(['-file=-'])
    assert not reads_stdin(['-', 'depot/0']) and not reads_stdin(['--file', 'x'])


def test_a_call_for_another_unit_is_refused_through_the_server(
        model: LocalModel, server: ToolServer) -> None:
    hook = Hook(model, 'shop/1', server.socket_path)
    hook.env['JUJU_UNIT_NAME'] = 'depot/0'
    code, _, err = hook.run('config-get')
    assert code == 1 and 'cannot act as "depot/0"' in err
    hook.env['REACTOPS_HOOK_TOKEN'] = 'forged'
    code, _, err = hook.run('config-get')
    assert code == 1 and 'REACTOPS_HOOK_TOKEN is missing or has expired' in err


def test_without_a_listening_server_the_tool_runs_itself(model: LocalModel,
                                                          tmp_path: Path) -> None:
    hook = Hook(model, 'shop/0', tmp_path / 'nobody.sock')
    assert hook.run('config-get', 'greeting') == (0, 'hey\n', '')


def test_the_socket_is_private_and_gone_after_stop(model: LocalModel) -> None:
    server = ToolServer(model.dir / 'model.db', socket_path_for(model.dir))
    server.start()
    mode = server.socket_path.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
    threads = {t.name for t in threading.enumerate()}
    assert 'reactops-tool-server' in threads
    server.stop()
    assert not server.socket_path.exists()
    assert 'reactops-tool-server' not in {t.name for t in threading.enumerate()}


def test_a_long_model_path_puts_the_socket_in_a_private_folder(tmp_path: Path) -> None:
    deep = tmp_path / ('d' * 90) / 'model'
    path = socket_path_for(deep)
    assert len(os.fsencode(path)) <= 107 and path.parent != deep.resolve()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.parent.rmdir()


def test_garbage_and_a_vanishing_client_do_not_stop_the_server(
        model: LocalModel, server: ToolServer) -> None:
    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(str(server.socket_path))
        raw.sendall(b'GET / HTTP/1.1\r\n\r\n')
        raw.shutdown(socket.SHUT_WR)
        code, _, err = decode(raw.makefile('rb').read())
        assert code == b'1' and b'bad hook tool call' in err
    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(str(server.socket_path))
        raw.sendall(encode([b'reactops-tool/1', b'1']))  # then hangs up
    hook = Hook(model, 'shop/0', server.socket_path)
    assert hook.run('config-get', 'greeting') == (0, 'hey\n', '')


def test_settling_uses_the_server_and_leaves_nothing_behind(model: LocalModel) -> None:
    before = {t.name for t in threading.enumerate()}
    model.settle()
    trace = [row[0] for row in model.state.db.execute('SELECT code FROM hooks')]
    assert trace and all(code == 0 for code in trace)
    assert not socket_path_for(model.dir).exists()  # stopped when the settle ended
    assert {t.name for t in threading.enumerate()} == before


def test_reactops_own_runner_asks_the_server_without_starting_a_process(
        model: LocalModel, server: ToolServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from reactops._private import hooktool_runner
    from reactops.errors import ModelError

    rel = f'stock:{model.state.relations("depot")[0].id}'
    hook = Hook(model, 'shop/1', server.socket_path)
    for key, value in hook.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv('PATH', f'{hook.bin}{os.pathsep}{os.environ["PATH"]}')
    # The program behind every tool name now fails at once: an answer proves no process ran.
    launcher = hook.bin / '_reactops_tool'
    launcher.write_text('#!/bin/sh\nexit 99\n')
    assert hooktool_runner.run('config-get', ['greeting']) == 'hey\n'
    assert hooktool_runner.run('relation-set', ['-r', rel, '--file', '-'],
                               input='{"a": "1"}') == ''
    assert json.loads(hooktool_runner.run('relation-get', [
        '--format=json', '-r', rel, '-', 'shop/1']))['a'] == '1'
    with pytest.raises(ModelError, match='not the leader') as refused:
        hooktool_runner.run('leader-set', ['a=1'])
    assert refused.value.returncode == 1
    server.stop()  # nobody listens: the tool is run as a program again
    with pytest.raises(ModelError, match='exit|99'):
        hooktool_runner.run('config-get', ['greeting'])
