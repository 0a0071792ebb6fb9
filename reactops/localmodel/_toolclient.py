"""The local model's hook tools as a hook runs them: a small client of the model's server.

Juju's hook tools are thin clients: each call goes to the unit agent, which answers it.
Here the running model (``_toolserver``) plays the agent. This client sends the call (see
``toolwire`` for what it carries: standard input only when the call reads ``--file -``)
over the Unix socket named by ``$REACTOPS_TOOL_SOCKET`` and prints the answer. It imports
nothing but the C socket module: a call costs about a bare interpreter start, not the
tool's SQLite work.

Without a server (no socket named, or nobody listening) it runs the tool itself
(``_tool``), so a tool called outside a settling model still answers or fails as before.

Copied into ``<model-dir>/bin`` beside ``_tool.py`` and ``toolwire.py``; standard library
only.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from reactops._private import toolwire
elif __package__:  # imported as reactops.localmodel._toolclient
    from .._private import toolwire
else:  # run from <model-dir>/bin, beside a copy of toolwire.py
    import toolwire

__all__ = ['main', 'reads_stdin']


def reads_stdin(args: list[str]) -> bool:
    """Whether a call with *args* reads its standard input (``--file -``)."""
    for index, arg in enumerate(args):
        if arg in ('--file=-', '-file=-'):
            return True
        if arg in ('--file', '-file') and args[index + 1:index + 2] == ['-']:
            return True
    return False


def main(argv: list[str]) -> int:
    """Run the tool call *argv* through the model's server, or here without one."""
    path = os.environ.get(toolwire.SOCKET_VARIABLE)
    answer = None
    if path:
        stdin = sys.stdin.buffer.read() if sys.stdin and reads_stdin(argv[1:]) else b''
        answer = toolwire.call(path, toolwire.request(argv, os.environ, os.getcwd(), stdin))
    if answer is None:
        if __package__:
            from ._tool import main as run_here
        else:
            from _tool import main as run_here  # type: ignore[import-not-found,no-redef]
        return run_here(argv)
    code, out, err = answer
    sys.stderr.buffer.write(err)
    sys.stdout.buffer.write(out)
    return code
