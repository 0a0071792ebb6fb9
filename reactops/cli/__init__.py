"""The ``reactops`` command: one parser, subcommands contributed by small modules.

Each command module exposes ``register(subparsers)``, which adds its subcommands and sets
``func`` on each (a callable taking the parsed arguments and returning an exit code).
Command modules import what they need inside their functions, so ``reactops --help``
stays fast.

Errors are one line on stderr (``reactops: error: ...``) and exit code 1; ``--debug``
shows the traceback instead. ``--debug`` and ``--model-dir`` go before or after the
command name (``reactops --model-dir D status`` or ``reactops status --model-dir D``);
after it, ``--model-dir`` is accepted only by the commands that use a local model.
A mistyped command name gets argparse's usual error (exit 2) and the closest names.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from ._common import MODEL_DIR_HELP, CliError, one_line

__all__ = ['CliError', 'build_parser', 'commands', 'main', 'main_exit']

_DEBUG_HELP = 'show the full traceback when a command fails'
#: Modules (under ``reactops.cli``) that contribute subcommands, in help order.
COMMAND_MODULES = ('_cmd_model', '_cmd_graph', '_cmd_init', '_cmd_port', '_cmd_typings',
                   '_cmd_completion')
#: argparse's message for a value outside an argument's choices (the values are quoted
#: before Python 3.12.8, bare after).
_INVALID_CHOICE = re.compile(
    r"invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)$")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, adding the closest choices to an "invalid choice" error (a
    mistyped command name, ``reactops stauts``)."""

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            choices = [c.strip().strip("'") for c in match['choices'].split(',')]
            close = difflib.get_close_matches(match['value'], choices, n=3, cutoff=0.6)
            if close:
                message += f'; did you mean {" or ".join(repr(c) for c in close)}?'
        super().error(message)


def _version() -> str:
    from .. import __version__

    return f'reactops {__version__}'


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every command module's subcommands."""
    parser = _Parser(
        prog='reactops',
        description='Develop Juju charms: run them in a local model, show and check '
                    'their flag graphs, explain their handlers.')
    parser.add_argument('--version', action='version', version=_version(),
                        help="show reactops' version and exit")
    parser.add_argument('--debug', action='store_true', help=_DEBUG_HELP)
    parser.add_argument('--model-dir', metavar='DIR', default=None,
                        help=f'{MODEL_DIR_HELP}; for the commands that use one')
    subparsers = parser.add_subparsers(dest='command', metavar='COMMAND')
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f'{__name__}.{name}')
        except ModuleNotFoundError as exc:
            if exc.name != f'{__name__}.{name}':
                raise
            continue  # a command group not built yet
        module.register(subparsers)
    # Options of the whole program work after the command too (reactops status --debug).
    for _name, command in commands(subparsers):
        command.add_argument('--debug', action='store_true', default=argparse.SUPPRESS,
                             help=_DEBUG_HELP)
    parser.set_defaults(model_commands=[name for name, command in commands(subparsers)
                                        if command.get_default('takes_model_dir')])
    return parser


def commands(subparsers: Any) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Each command once, by its main name (an alias shares its command's parser)."""
    seen: set[int] = set()
    for name, command in subparsers.choices.items():
        if id(command) not in seen:
            seen.add(id(command))
            yield name, command


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``reactops`` command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, 'func', None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    if args.model_dir is not None and not getattr(args, 'takes_model_dir', False):
        parser.error(f'--model-dir: "reactops {args.command}" uses no local model (the '
                     f'commands that do: {", ".join(args.model_commands)})')
    try:
        code = func(args)
    except KeyboardInterrupt:
        print('reactops: interrupted', file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f'reactops: error: {_one_line(exc)}', file=sys.stderr)
        return 1
    return int(code or 0)


def _one_line(exc: BaseException) -> str:
    """The error's message on one line, prefixed by its class unless it is a CliError."""
    text = one_line(str(exc)) or type(exc).__name__
    if isinstance(exc, CliError):
        return text
    from ..errors import ReactopsError
    if isinstance(exc, ReactopsError | OSError | ValueError):
        return text
    return f'{type(exc).__name__}: {text}'


def main_exit() -> None:
    """Console-script entry point: run :func:`main` on ``sys.argv`` and exit with its code."""
    sys.exit(main())
