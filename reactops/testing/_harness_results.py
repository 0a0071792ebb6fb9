"""What an action reports to a test, and what a simulated ``exec`` returns: the small
value types ``ops.testing`` shares between :class:`~reactops.testing.Harness` and
:class:`~reactops.testing.Context`.

This module imports nothing of reactops, so both testing APIs (and
``reactops._private.harness``, which answers ``ops._private.harness``) can use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from io import BytesIO, StringIO
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

if TYPE_CHECKING:
    from ._state import State

__all__ = ['ActionFailed', 'ActionOutput', 'ExecArgs', 'ExecHandler', 'ExecResult',
           'ReadableBuffer', 'YAMLStringOrFile']

#: Metadata, actions or config given as YAML text or an open text file.
YAMLStringOrFile = str | TextIO

#: What may be pushed into a simulated container: text, bytes, or a file-like source.
ReadableBuffer = bytes | str | StringIO | BytesIO | BinaryIO


@dataclasses.dataclass(frozen=True)
class ActionOutput:
    """What an action run with :meth:`Harness.run_action` reported to the operator."""

    logs: list[str]
    """The messages of ``event.log()``, in order."""
    results: dict[str, Any]
    """The results the charm set with ``event.set_results()``, merged."""


class ActionFailed(Exception):  # noqa: N818 - the ops.testing name
    """The action called ``event.fail()``.

    :attr:`message` is what the charm passed to ``fail()`` (maybe empty); :attr:`output`
    holds the logs and results the action produced (empty when raised by
    :meth:`Context.run`, which records them on the context); :attr:`state` is the state
    after the action under :meth:`Context.run` and ``None`` under the Harness.
    """

    message: str
    output: ActionOutput
    state: State | None

    def __init__(self, message: str, output: ActionOutput | None = None, *,
                 state: State | None = None):
        super().__init__(message)
        self.message = message
        self.output = output if output is not None else ActionOutput([], {})
        self.state = state

    def __str__(self) -> str:
        return self.message or 'the action handler called `fail()` without a message'


@dataclasses.dataclass
class ExecArgs:
    """The arguments of one ``Container.exec`` call, as a simulated exec handler sees them."""

    command: list[str]
    environment: dict[str, str]
    working_dir: str | None
    timeout: float | None
    user_id: int | None
    user: str | None
    group_id: int | None
    group: str | None
    stdin: str | bytes | None
    encoding: str | None
    combine_stderr: bool


@dataclasses.dataclass
class ExecResult:
    """What a simulated process returns: its exit code and output."""

    exit_code: int = 0
    stdout: str | bytes = b''
    stderr: str | bytes = b''


#: A function answering simulated execs: an :class:`ExecResult`, or ``None`` for success.
ExecHandler = Callable[[ExecArgs], ExecResult | None]
