"""Pieces every ``reactops`` command module shares."""

from __future__ import annotations

import argparse

from ..errors import ReactopsError


class CliError(ReactopsError):
    """A command cannot do what was asked; the message says why and what to do."""


#: The longest error line a command prints; a longer message is cut, saying so.
MAX_ERROR_LINE = 1000


def one_line(text: str, limit: int = MAX_ERROR_LINE) -> str:
    """*text* on one line, cut to about *limit* characters with the cut said (a runaway
    message, such as a copy error listing every file, must not flood the terminal)."""
    text = ' '.join(text.split())
    if len(text) <= limit:
        return text
    return f'{text[:limit]}... ({len(text) - limit} more characters; --debug shows all)'


#: What ``--model-dir`` is, wherever it is given.
MODEL_DIR_HELP = 'the local model directory (default: $REACTOPS_MODEL_DIR, else .reactops)'


def add_model_dir_option(parser: argparse.ArgumentParser) -> None:
    """Give a command ``--model-dir``. It may come before the command too (``reactops
    --model-dir D status``): given here it wins, left out it leaves the value given before
    the command (or None) alone."""
    parser.add_argument('--model-dir', metavar='DIR', default=argparse.SUPPRESS,
                        help=MODEL_DIR_HELP)
    parser.set_defaults(takes_model_dir=True)
