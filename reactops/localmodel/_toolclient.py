"""The local model's hook tools as a hook runs them: a small client of the model's server.

Juju's hook tools are thin clients: each call goes to the unit agent, which answers it.
Here the running model (``_toolserver``) plays the agent. This client sends the call (the
tool's name and arguments, the ``JUJU_*``/``REACTOPS_*`` environment, the working
directory, and standard input when the call reads ``--file -``) over the Unix socket named
by ``$REACTOPS_TOOL_SOCKET``, and prints the answer. It imports nothing but the C socket
module: a call costs about a bare interpreter start, not the tool's SQLite work.

Without a server (no socket named, or nobody listening) it runs the tool itself
(``_tool``), so a tool called outside a settling model still answers or fails as before.

Copied into ``<model-dir>/bin`` beside ``_tool.py`` (``_tool.FILES``); standard library
only. The wire format is a sequence of netstrings (``<length>:<bytes>,``): the request
``reactops-tool/1``, the argument count, each argument, the working directory, the number
of environment entries, each ``KEY=value``, then standard input or an empty string; the
answer the exit status, stdout and stderr.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

PROTOCOL = b'reactops-tool/1'
#: Environment prefixes a tool reads; nothing else of the hook's environment is sent.
ENV_PREFIXES = ('JUJU_', 'REACTOPS_')

__all__ = ['ENV_PREFIXES', 'PROTOCOL', 'decode', 'encode', 'main', 'reads_stdin']


def encode(items: list[bytes]) -> bytes:
    """*items* as netstrings, one after the other."""
    return b''.join(b'%d:%s,' % (len(item), item) for item in items)


def decode(data: bytes) -> Iterator[bytes]:
    """The netstrings of *data*, in order; ``ValueError`` when *data* is not made of them."""
    at = 0
    while at < len(data):
        colon = data.index(b':', at)
        size = int(data[at:colon])
        end = colon + 1 + size
        if size < 0 or data[end:end + 1] != b',':
            raise ValueError('malformed netstring')
        yield data[colon + 1:end]
        at = end + 1


def reads_stdin(args: list[str]) -> bool:
    """Whether a call with *args* reads its standard input (``--file -``)."""
    for index, arg in enumerate(args):
        if arg in ('--file=-', '-file=-'):
            return True
        if arg in ('--file', '-file') and args[index + 1:index + 2] == ['-']:
            return True
    return False


def request(argv: list[str]) -> bytes:
    """The request for the call *argv*, made of this process's environment and cwd."""
    env = [os.fsencode(f'{key}={value}') for key, value in os.environ.items()
           if key.startswith(ENV_PREFIXES)]
    stdin = sys.stdin.buffer.read() if sys.stdin and reads_stdin(argv[1:]) else b''
    return encode([PROTOCOL, b'%d' % len(argv), *map(os.fsencode, argv),
                   os.fsencode(os.getcwd()), b'%d' % len(env), *env, stdin])


def ask(path: str, argv: list[str]) -> tuple[int, bytes, bytes] | None:
    """The server's answer to *argv*, or ``None`` when no server listens at *path*."""
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        try:
            sock.connect(path)
        except OSError:
            return None
        sock.sendall(request(argv))
        sock.shutdown(_socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    try:
        code, out, err = decode(b''.join(chunks))
        return int(code), out, err
    except ValueError:  # the server went away mid-answer: the call may have happened
        name = os.path.basename(argv[0])
        return 1, b'', f'ERROR {name}: the local model stopped answering\n'.encode()


def main(argv: list[str]) -> int:
    """Run the tool call *argv* through the model's server, or here without one."""
    path = os.environ.get('REACTOPS_TOOL_SOCKET')
    answer = ask(path, argv) if path else None
    if answer is None:
        if __package__:  # imported as reactops.localmodel._toolclient
            from ._tool import main as run_here
        else:  # run from <model-dir>/bin, beside a copy of _tool.py
            from _tool import main as run_here  # type: ignore[import-not-found,no-redef]
        return run_here(argv)
    code, out, err = answer
    sys.stderr.buffer.write(err)
    sys.stdout.buffer.write(out)
    return code
