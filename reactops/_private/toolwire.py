"""How a hook-tool call travels to the local model's tool server, and its answer back.

Used by the thin tool client in the model's ``bin/`` (a copy of this file sits there), by
reactops' own hook-tool runner when it runs in the local model (no process per call), and
by the server. Standard library only, and cheap to import: no reactops import here.

A message is a sequence of netstrings (``<length>:<bytes>,``). A call is ``reactops-tool/1``,
the argument count, each argument (the tool's name first), the working directory, the
number of environment entries, each ``KEY=value``, then standard input (empty when the call
reads none). An answer is the exit status, stdout and stderr.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

PROTOCOL = b'reactops-tool/1'
#: Environment prefixes a tool reads; nothing else of the caller's environment is sent.
ENV_PREFIXES = ('JUJU_', 'REACTOPS_')
#: The environment variable naming the server's socket, set in the local model's hooks.
SOCKET_VARIABLE = 'REACTOPS_TOOL_SOCKET'
#: The program every tool name in the model's ``bin/`` links to (the client's launcher).
LAUNCHER = '_reactops_tool'
#: The files a copy of the wire format needs (beside the tool client in ``bin/``).
FILES = ('toolwire.py',)

__all__ = ['ENV_PREFIXES', 'FILES', 'LAUNCHER', 'PROTOCOL', 'SOCKET_VARIABLE', 'call', 'decode',
           'encode', 'request']


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


def request(argv: list[str], env: Mapping[str, str], cwd: str, stdin: bytes) -> bytes:
    """The call *argv* made from *cwd* with the tool-relevant part of *env*."""
    entries = [os.fsencode(f'{key}={value}') for key, value in env.items()
               if key.startswith(ENV_PREFIXES)]
    return encode([PROTOCOL, b'%d' % len(argv), *map(os.fsencode, argv), os.fsencode(cwd),
                   b'%d' % len(entries), *entries, stdin])


def call(path: str, message: bytes, timeout: float | None = None,
         ) -> tuple[int, bytes, bytes] | None:
    """Send *message* to the server at *path*; its (exit status, stdout, stderr), or
    ``None`` when nobody listens there. A server that goes away mid-answer gives status 1
    and says so (the call may have been carried out)."""
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        try:
            sock.connect(path)
        except OSError:
            return None
        sock.settimeout(timeout)
        sock.sendall(message)
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
    except ValueError:
        return 1, b'', b'ERROR the reactops local model stopped answering this call\n'
