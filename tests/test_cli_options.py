"""``--model-dir`` and ``--debug`` work before and after the command name."""

from __future__ import annotations

from pathlib import Path

import pytest

from reactops.cli import build_parser, main
from reactops.localmodel import LocalModelError

# Each command that takes --model-dir, with arguments that get it as far as the model.
MODEL_COMMANDS = {
    'settle': [], 'status': [], 'config': ['app', 'x=1'], 'integrate': ['a', 'b'],
    'remove-relation': ['a', 'b'], 'add-unit': ['app'], 'run-action': ['app/0', 'go'],
    'update-status': [], 'resolve': ['app/0'], 'log': ['app/0'], 'flags': ['app/0'],
    'stop': [], 'destroy': [], 'explain': ['app/0', 'handler'],
}


def tiny_charm(root: Path) -> Path:
    """A charm whose every hook succeeds at once."""
    root.mkdir(parents=True)
    (root / 'metadata.yaml').write_text('name: tiny\nsummary: s\ndescription: d\n')
    dispatch = root / 'dispatch'
    dispatch.write_text('#!/bin/sh\nexit 0\n')
    dispatch.chmod(0o755)
    return root


def test_every_model_command_is_listed_here() -> None:
    commands = build_parser().get_default('model_commands')
    assert sorted(commands) == sorted([*MODEL_COMMANDS, 'run'])


@pytest.mark.parametrize('before', [True, False], ids=['before', 'after'])
@pytest.mark.parametrize('command', sorted(MODEL_COMMANDS))
def test_model_dir_is_taken_before_or_after_the_command(
        command: str, before: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('REACTOPS_MODEL_DIR', str(tmp_path / 'not-this-one'))
    model = tmp_path / f'model-{command}'
    option = ['--model-dir', str(model)]
    argv = [*option, command, *MODEL_COMMANDS[command]] if before \
        else [command, *MODEL_COMMANDS[command], *option]

    assert main(argv) == 1  # there is no model there
    error = capsys.readouterr().err
    assert f'{model}' in error and 'not-this-one' not in error


def test_a_model_made_with_the_option_first_is_read_with_it_last(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    charm, model = tiny_charm(tmp_path / 'tiny'), tmp_path / 'model'

    assert main(['--model-dir', str(model), 'run', str(charm)]) == 0
    assert (model / 'model.db').is_file()
    capsys.readouterr()
    assert main(['status', '--model-dir', str(model)]) == 0
    assert 'tiny/0*' in capsys.readouterr().out
    assert main(['destroy', '--model-dir', str(model)]) == 0
    assert not model.exists()


def test_the_option_after_the_command_wins(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    charm, model = tiny_charm(tmp_path / 'tiny'), tmp_path / 'model'
    assert main(['run', str(charm), '--model-dir', str(model)]) == 0
    capsys.readouterr()

    assert main(['--model-dir', str(tmp_path / 'elsewhere'), 'status', '--model-dir',
                 str(model)]) == 0
    assert 'tiny/0*' in capsys.readouterr().out
    assert main(['--model-dir', str(model), 'destroy']) == 0


def test_model_dir_before_a_command_without_a_model_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(['--model-dir', str(tmp_path), 'check', str(tmp_path)])

    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert '--model-dir: "reactops check" uses no local model' in error
    assert 'status' in error and 'explain' in error


@pytest.mark.parametrize('argv', [['--debug', 'status'], ['status', '--debug']],
                         ids=['before', 'after'])
def test_debug_shows_the_exception_before_or_after_the_command(
        argv: list[str], tmp_path: Path) -> None:
    with pytest.raises(LocalModelError, match='no local model in'):
        main([*argv, '--model-dir', str(tmp_path / 'none')])


def test_without_debug_the_error_is_one_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['status', '--model-dir', str(tmp_path / 'none')]) == 1
    assert capsys.readouterr().err.count('\n') == 1
