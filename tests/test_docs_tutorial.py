"""The tutorial (docs/tutorial.md) replayed in a temporary folder, so that it cannot rot.

The page marks what a reader does in two ways, and this test does the same, in page order:

- a ``{code-block}`` with a ``:caption:`` naming a file (``hello-web/src/charm.py``) is
  that file's whole new content, relative to the folder the tutorial starts in;
- a ``console`` block holds commands (``$ ...``), each followed by what it prints. The
  command runs in the shell (``cd`` moves the replay) and must exit 0; each line shown
  under it must be a line of its output, in order, where ``...`` stands for any text
  and a time such as ``0.31s`` for any time.

Other blocks (``sh``, ``text``, uncaptioned code) are only shown. ``$REACTOPS_SRC`` is
this checkout, where the page has the reader point it at reactops' source.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reactops.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
TUTORIAL = REPO / 'docs' / 'tutorial.md'
FENCE = re.compile(r'^(`{3,})(.*)$')
TIME = re.compile(r'\d+\.\d+s\b')


@dataclass(frozen=True)
class Block:
    """One fenced block of the page: its language, directive options and text."""

    language: str
    options: dict[str, str]
    text: str
    line: int


def blocks(markdown: str) -> Iterator[Block]:
    """The page's fenced blocks, in order (nested fences are not used by the page)."""
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        fence, info = opening.groups()
        start = index
        body: list[str] = []
        while index < len(lines) and lines[index].rstrip() != fence:
            body.append(lines[index])
            index += 1
        index += 1
        info = info.strip()
        options: dict[str, str] = {}
        if info.startswith('{code-block}'):
            language = info.removeprefix('{code-block}').strip()
            while body and body[0].startswith(':'):
                key, _, value = body.pop(0)[1:].partition(':')
                options[key.strip()] = value.strip()
            if body and not body[0].strip():
                body.pop(0)
        else:
            language = info.split()[0] if info else ''
        yield Block(language, options, '\n'.join(body) + '\n', start)


def commands(block: Block) -> Iterator[tuple[str, list[str]]]:
    """Each ``$ command`` of a console block with the lines shown under it."""
    command: str | None = None
    shown: list[str] = []
    for line in block.text.splitlines():
        if line.startswith('$ '):
            if command is not None:
                yield command, shown
            command, shown = line[2:], []
        elif command is not None:
            shown.append(line)
    if command is not None:
        yield command, shown


def line_pattern(shown: str) -> re.Pattern[str]:
    """A shown line as a pattern: ``...`` is any text, a time any time, spaces any spaces."""
    parts = []
    for index, piece in enumerate(shown.strip().split('...')):
        if index:
            parts.append('.*')
        for word_index, word in enumerate(piece.split(' ')):
            if word_index:
                parts.append(r'\s+' if word else '')
            parts.append(r'\d+\.\d+s'.join(re.escape(bit) for bit in TIME.split(word)))
    return re.compile(''.join(parts))


def check_output(command: str, shown: list[str], output: str) -> None:
    """Every non-blank shown line is an output line, in the order shown."""
    actual = [line.strip() for line in output.splitlines()]
    position = 0
    for line in shown:
        if not line.strip() or line.strip() == '...':
            continue
        pattern = line_pattern(line)
        for index in range(position, len(actual)):
            if pattern.fullmatch(actual[index]):
                position = index + 1
                break
        else:
            raise AssertionError(f'`{command}` did not print {line.strip()!r} (after line '
                                 f'{position}); it printed:\n{output}')


class Replay:
    """A reader following the page: a folder to work in and a current directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cwd = root
        bin_dir = str(Path(sys.executable).parent)  # reactops and python, as installed
        self.env = {**os.environ, 'PATH': f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
                    'REACTOPS_SRC': str(REPO), 'COLUMNS': '200'}
        self.env.pop('REACTOPS_MODEL_DIR', None)
        self.env.pop('PYTEST_ADDOPTS', None)

    def write(self, block: Block) -> None:
        """Write the block as the file its caption names."""
        path = self.root / block.options['caption']
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text)

    def run(self, command: str, shown: list[str]) -> None:
        """Run one command as the reader would, and compare what it prints."""
        words = shlex.split(command)
        if words[0] == 'cd':
            self.cwd = (self.cwd / words[1]).resolve()
            assert self.cwd.is_dir(), command
            return
        done = subprocess.run(['bash', '-c', command], cwd=self.cwd, env=self.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        assert done.returncode == 0, f'`{command}` exited {done.returncode}:\n{done.stdout}'
        check_output(command, shown, done.stdout)

    def cleanup(self) -> None:
        """Stop what a model left running, wherever the page made one."""
        for model in self.root.rglob('.reactops'):
            subprocess.run([str(Path(sys.executable).parent / 'reactops'), '--model-dir',
                            str(model), 'destroy'], env=self.env, capture_output=True,
                           timeout=60, check=False)


def replayed(markdown: str) -> list[Block]:
    """The blocks the replay acts on: captioned files and console commands."""
    return [block for block in blocks(markdown)
            if 'caption' in block.options or block.language == 'console']


def test_the_page_has_steps_to_replay() -> None:
    steps = replayed(TUTORIAL.read_text())
    files = [block.options['caption'] for block in steps if 'caption' in block.options]
    ran = [command for block in steps if block.language == 'console'
           for command, _ in commands(block)]
    assert 'reactops init hello-web' in ran
    assert any(command.startswith('reactops run ') for command in ran)
    assert 'reactops status' in ran
    assert any('tests/integration' in command and 'pytest' in command for command in ran)
    assert 'hello-web/reactive/hello_web.py' in files
    assert any(name.endswith('.yaml') and '/' not in name for name in files)  # the bundle


def test_its_python_compiles_and_its_commands_parse() -> None:
    """The quick part of the replay, for the default run: the slow one runs everything."""
    steps = replayed(TUTORIAL.read_text())
    for block in steps:
        if block.options.get('caption', '').endswith('.py'):
            compile(block.text, block.options['caption'], 'exec')
    parser = build_parser()
    for block in steps:
        for command, _ in commands(block) if block.language == 'console' else ():
            words = shlex.split(command)
            if words[0] == 'reactops':
                parser.parse_args(words[1:])  # exits 2, failing the test, on a wrong word


def test_shown_lines_match_as_documented() -> None:
    check_output('x', ['webapp/0  install  ok 0.31s', '...', 'a ... z'],
                 'webapp/0         install    ok 12.5s\nb\na b c z\n')
    with pytest.raises(AssertionError):
        check_output('x', ['install ok 0.31s'], 'install failed 0.31s\n')
    with pytest.raises(AssertionError):
        check_output('x', ['b', 'a'], 'a\nb\n')  # out of order


@pytest.mark.slow
def test_the_tutorial_works(tmp_path: Path) -> None:
    replay = Replay(tmp_path)
    try:
        for block in replayed(TUTORIAL.read_text()):
            if 'caption' in block.options:
                replay.write(block)
                continue
            for command, shown in commands(block):
                replay.run(command, shown)
    finally:
        replay.cleanup()
