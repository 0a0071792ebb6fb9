"""Pieces every ``reactops`` command module shares."""

from __future__ import annotations

from ..errors import ReactopsError


class CliError(ReactopsError):
    """A command cannot do what was asked; the message says why and what to do."""
