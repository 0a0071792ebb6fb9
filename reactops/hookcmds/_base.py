"""The one place that runs a Juju hook tool for :mod:`reactops.hookcmds`, and its error."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Sequence


class Error(Exception):
    """A hook tool finished with a non-zero exit status."""

    returncode: int
    """The tool's exit status."""

    cmd: list[str]
    """The argv that ran, with secret-bearing arguments shown as ``<redacted>``."""

    stdout: str = ''
    """What the tool wrote to standard output."""

    stderr: str = ''
    """What the tool wrote to standard error."""

    def __init__(self, *, returncode: int, cmd: list[str], stdout: str = '', stderr: str = ''):
        self.returncode = returncode
        self.cmd = cmd
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f'command {cmd!r} exited with status {returncode}')


def run(*argv: str, input: str | None = None, redacted_cmd: Sequence[str] | None = None) -> str:
    """Run the hook tool ``argv`` (optionally feeding ``input``) and give back its stdout.

    A failure becomes :class:`Error`; ``redacted_cmd``, when given, is what the error shows
    instead of the real argv, so that secrets never reach a traceback.
    """
    try:
        done = subprocess.run(argv, capture_output=True, check=True, encoding='utf-8', input=input)
    except subprocess.CalledProcessError as exc:
        shown = list(redacted_cmd) if redacted_cmd is not None else exc.cmd
        raise Error(
            returncode=exc.returncode, cmd=shown, stdout=exc.stdout, stderr=exc.stderr
        ) from None
    out: str = done.stdout
    return out


def rfc3339(when: datetime.datetime) -> str:
    """``when`` as RFC 3339 text, writing UTC as ``Z``."""
    text = when.isoformat()
    if when.tzinfo == datetime.timezone.utc:
        text = text.replace('+00:00', 'Z')
    return text
