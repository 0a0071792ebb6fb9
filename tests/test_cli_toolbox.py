"""The CLI as juju users expect it: ``--version``, ``--format json|yaml``, juju 3 names,
the live line on a terminal, shell completion, and "did you mean" on a typo."""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import reactops
from reactops.cli import build_parser, commands, main
from reactops.cli._cmd_completion import bash_script, zsh_script

REPO = Path(__file__).resolve().parents[1]
CHARMS = Path(__file__).resolve().parent / 'localmodel'


def _env(model_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env['REACTOPS_MODEL_DIR'] = str(model_dir)
    return env


def reactops_cmd(model_dir: Path, *args: str, code: int = 0
                 ) -> subprocess.CompletedProcess[str]:
    """Run ``reactops ARGS`` on *model_dir*; check its exit code."""
    result = subprocess.run([sys.executable, '-m', 'reactops.cli', *args],
                            env=_env(model_dir), capture_output=True, text=True,
                            timeout=120, cwd=REPO)
    assert result.returncode == code, result.stdout + result.stderr
    return result


@pytest.fixture(scope='module')
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """shop/0 and depot/0 deployed (as JSON) and integrated (as YAML); the documents the
    two commands printed are kept beside the model."""
    model_dir = tmp_path_factory.mktemp('toolbox') / 'model'
    deployed = reactops_cmd(model_dir, 'run', '--format', 'json', str(CHARMS / 'shop'),
                            str(CHARMS / 'depot'))
    integrated = reactops_cmd(model_dir, 'integrate', 'shop:stock', 'depot', '--format', 'yaml')
    (model_dir.parent / 'run.out').write_text(deployed.stdout)
    (model_dir.parent / 'run.err').write_text(deployed.stderr)
    (model_dir.parent / 'integrate.out').write_text(integrated.stdout)
    return model_dir


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    """The parser's subcommands action (its ``choices``: every name, aliases too)."""
    return next(action for action in parser._actions
                if isinstance(action, argparse._SubParsersAction))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(['--version'])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f'reactops {reactops.__version__}\n'


def test_a_typo_gets_the_closest_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(['stauts'])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: reactops ')
    assert "reactops: error: argument COMMAND: invalid choice: 'stauts'" in err
    assert err.rstrip().endswith("did you mean 'status'?")
    with pytest.raises(SystemExit):
        main(['xyzzy'])
    assert 'did you mean' not in capsys.readouterr().err  # nothing close: no guess


def test_juju_3_names_and_the_old_ones_run_the_same_command() -> None:
    parser = build_parser()
    for new, old, args in [('integrate', 'relate', ['a', 'b']),
                           ('run-action', 'action', ['a/0', 'go']),
                           ('resolve', 'resolved', ['a/0']),
                           ('log', 'debug-log', ['a/0'])]:
        assert parser.parse_args([new, *args]).func is parser.parse_args([old, *args]).func
    names = [name for name, _ in commands(_subparsers(parser))]
    assert 'integrate' in names and 'relate' not in names  # one entry per command


def test_run_and_integrate_print_documents(model: Path) -> None:
    deployed = json.loads((model.parent / 'run.out').read_text())
    assert set(deployed['applications']) == {'shop', 'depot'}
    assert 'shop/0' in (model.parent / 'run.err').read_text()  # hook lines went to stderr
    integrated = yaml.safe_load((model.parent / 'integrate.out').read_text())
    assert integrated['applications']['shop']['relations'] == {
        'stock': [{'related-application': 'depot', 'interface': 'stockq', 'scope': 'global',
                   'relation-id': 1, 'dying': False}],
        'crew': [{'related-application': 'shop', 'interface': 'shop-crew', 'scope': 'global',
                  'relation-id': 0, 'dying': False}]}  # the peer relation, as juju shows it


def test_status_as_json(model: Path) -> None:
    status = json.loads(reactops_cmd(model, 'status', '--format', 'json').stdout)
    assert status['model']['name'] == 'reactops'
    assert status['model']['queued-hooks'] == 0
    shop = status['applications']['shop']
    assert shop['charm'] == str(CHARMS / 'shop')
    unit = shop['units']['shop/0']
    assert unit['workload-status'] == {'current': 'active', 'message': 'hi; apples'}
    assert unit['juju-status'] == {'current': 'idle'}
    assert unit['leader'] is True
    assert 'containers' not in unit  # a machine charm
    depot = status['applications']['depot']['units']['depot/0']
    assert depot['workload-status']['message'] == 'offering apples; shop/0 saw apples'
    assert status['applications']['depot']['relations']['stock'][0]['related-application'] \
        == 'shop'
    as_yaml = yaml.safe_load(reactops_cmd(model, 'status', '--format', 'yaml').stdout)
    assert as_yaml == status


def test_a_kubernetes_units_containers_in_the_status_document(tmp_path: Path) -> None:
    model_dir = tmp_path / 'model'
    try:
        status = json.loads(reactops_cmd(model_dir, 'run', '--format', 'json',
                                         str(REPO / 'examples' / 'k8s-web-ops')).stdout)
    finally:
        reactops_cmd(model_dir, 'destroy')  # the workload manager and its server go
    web = status['applications']['k8s-web-ops']['units']['k8s-web-ops/0']['containers']['web']
    assert web['manager']['current'] == 'up' and isinstance(web['manager']['pid'], int)
    assert web['image'] == 'python:3.12-slim' and web['resource'] == 'web-image'
    assert web['services'] == {'web': {'current': 'active'}}
    alive = web['checks']['alive']  # up, unless the machine is slow to start the server
    assert alive['status'] in ('up', 'down') and alive['threshold'] == 3
    assert isinstance(alive['failures'], int)
    assert web['problem'] == ''


def test_flags_log_config_as_documents(model: Path) -> None:
    flags = json.loads(reactops_cmd(model, 'flags', 'shop/0', '--format', 'json').stdout)
    status = json.loads(reactops_cmd(model, 'status', '--format', 'json').stdout)
    assert flags == status['applications']['shop']['units']['shop/0']['flags']
    assert yaml.safe_load(reactops_cmd(model, 'flags', 'shop/0', '--format', 'yaml').stdout) \
        == flags
    runs = json.loads(reactops_cmd(model, 'debug-log', 'depot/0', '--format', 'json').stdout)
    assert runs[0]['hook'] == 'install' and runs[0]['code'] == 0
    assert {'id', 'hook', 'code', 'seconds', 'logs', 'output'} == set(runs[0])
    assert 'stock-relation-changed' in [run['hook'] for run in runs]
    config = json.loads(reactops_cmd(model, 'config', 'depot', '--format', 'json').stdout)
    assert config == {'items': 'apples'}


def test_run_action_as_json(model: Path, tmp_path: Path) -> None:
    copy = tmp_path / 'model'
    shutil.copytree(model, copy, symlinks=True)
    result = reactops_cmd(copy, 'action', 'shop/0', 'count', 'n=7', '--format', 'json')
    record = json.loads(result.stdout)
    assert record['status'] == 'completed'
    assert record['results'] == {'count': '7', 'who': 'shop/0'}
    assert record['log'] == ['counting to 7']
    assert record['params'] == {'n': 7}


def test_completion_scripts(tmp_path: Path) -> None:
    parser = build_parser()
    bash, zsh = bash_script(parser), zsh_script(parser)
    names = list(_subparsers(parser).choices)
    assert {'integrate', 'relate', 'completion', 'status'} <= set(names)
    for name in names:
        assert f' {name}' in bash and f"'{name}:" in zsh, name
    script = tmp_path / 'reactops.bash'
    script.write_text(bash)
    assert subprocess.run(['bash', '-n', str(script)], timeout=30).returncode == 0
    if shutil.which('zsh'):
        (tmp_path / 'reactops.zsh').write_text(zsh)
        assert subprocess.run(['zsh', '-n', str(tmp_path / 'reactops.zsh')],
                              timeout=30).returncode == 0
    out = main_output(['completion', 'bash'])
    assert out == bash


def main_output(argv: list[str]) -> str:
    result = subprocess.run([sys.executable, '-m', 'reactops.cli', *argv], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize('line, expected', [
    ('reactops sta', 'status'),
    ('reactops --model-dir somewhere integ', 'integrate'),
    ('reactops status --for', '--format'),
    ('reactops flags --format ya', 'yaml'),
    ('reactops completion z', 'zsh'),
])
def test_bash_completes(line: str, expected: str, tmp_path: Path) -> None:
    script = tmp_path / 'reactops.bash'
    script.write_text(bash_script(build_parser()))
    words = line.split()
    program = (f'source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; '
               f'_reactops; printf "%s\\n" "${{COMPREPLY[@]}}"')
    result = subprocess.run(['bash', '-c', program], capture_output=True, text=True,
                            timeout=30, cwd=tmp_path)
    assert result.stdout.split() == [expected], result.stderr


def slow_charm(root: Path) -> Path:
    """A charm whose install hook takes a second and a half."""
    root.mkdir(parents=True)
    (root / 'metadata.yaml').write_text('name: slow\nsummary: s\ndescription: d\n')
    dispatch = root / 'dispatch'
    dispatch.write_text('#!/bin/sh\ncase "$JUJU_DISPATCH_PATH" in\n'
                        '  hooks/install) sleep 1.5 ;;\nesac\nexit 0\n')
    dispatch.chmod(0o755)
    return root


def test_the_live_line_on_a_terminal(tmp_path: Path) -> None:
    charm = slow_charm(tmp_path / 'slow')
    main_fd, term_fd = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, '-m', 'reactops.cli', 'run', str(charm)],
                                   env=_env(tmp_path / 'model'), cwd=REPO,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=term_fd)
        os.close(term_fd)
        term_fd = -1
        seen = b''
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main_fd, 4096)
                except OSError:  # the terminal closed: the command is gone
                    break
                if not chunk:
                    break
                seen += chunk
            elif process.poll() is not None:
                break
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(main_fd)
        if term_fd >= 0:
            os.close(term_fd)
    assert process.returncode == 0
    text = seen.decode()
    assert '\r\x1b[Kslow/0: install running for ' in text
    assert text.endswith('\r\x1b[K')  # erased at the end
    assert b'\x1b[K' not in out  # stdout is not a terminal: no live line there
    assert b'slow/0           install' in out


def test_no_live_line_off_a_terminal(tmp_path: Path) -> None:
    charm = slow_charm(tmp_path / 'slow')
    result = reactops_cmd(tmp_path / 'model', 'run', str(charm))
    assert '\x1b[K' not in result.stderr + result.stdout
