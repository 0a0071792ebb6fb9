"""Pieces every ``reactops`` command module shares."""

from __future__ import annotations

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
