"""The server end of a websocket (RFC 6455), as Pebble's exec streams use it.

Only what an exec needs: the handshake answer, whole frames of text or binary (client
frames are masked, ours are not), and the close frame. Fragmented messages and pings are
not sent by Pebble clients, so a fragment is read as its own message and a ping ignored.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading

__all__ = ['MAX_MESSAGE', 'Websocket', 'accept_key', 'handshake']

_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
_TEXT, _BINARY, _CLOSE, _PING, _PONG = 1, 2, 8, 9, 10
#: The largest message a client may send (stdin arrives in small chunks; this bounds memory).
MAX_MESSAGE = 16 * 1024 * 1024


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` answer to a client's ``Sec-WebSocket-Key``."""
    digest = hashlib.sha1((key + _GUID).encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


def handshake(key: str) -> bytes:
    """The whole ``101 Switching Protocols`` answer that turns a request into a websocket."""
    return ('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
            f'Connection: Upgrade\r\nSec-WebSocket-Accept: {accept_key(key)}\r\n\r\n').encode()


class Websocket:
    """One websocket on a connected socket: :meth:`recv` unmasks, :meth:`send` frames."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._send_lock = threading.Lock()
        self._closed = False
        #: What the client sent, in order, when :attr:`keep` is set (the test server's log).
        self.received: list[str | bytes] = []
        self.keep = False

    def _read(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(min(left, 65536))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b''.join(chunks)

    def _frame(self) -> tuple[int, bytes]:
        head = self._read(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack('!H', self._read(2))[0]
        elif length == 127:
            length = struct.unpack('!Q', self._read(8))[0]
        if length > MAX_MESSAGE:
            raise EOFError  # a client this far off the protocol is dropped
        mask = self._read(4) if head[1] & 0x80 else b''
        payload = self._read(length)
        if mask:
            # XOR the payload with the mask repeated to its length, as one big integer.
            key = (mask * (length // 4 + 1))[:length]
            payload = (int.from_bytes(payload, 'big') ^ int.from_bytes(key, 'big')).to_bytes(
                length, 'big')
        return opcode, payload

    def recv(self) -> str | bytes | None:
        """The next message (text as str, binary as bytes), or ``None`` once the client
        closed the websocket or went away."""
        while True:
            try:
                opcode, payload = self._frame()
            except (EOFError, OSError):
                return None
            if opcode == _CLOSE:
                self.close()
                return None
            if opcode in (_PING, _PONG):
                continue
            message: str | bytes = payload.decode(errors='replace') if opcode == _TEXT \
                else payload
            if self.keep:
                self.received.append(message)
            return message

    def send(self, message: str | bytes) -> None:
        """Send one message; a client that went away is not an error (nothing to tell it)."""
        payload, opcode = (message.encode(), _TEXT) if isinstance(message, str) \
            else (message, _BINARY)
        self._send(opcode, payload)

    def _send(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            head = struct.pack('!BB', 0x80 | opcode, length)
        elif length < 1 << 16:
            head = struct.pack('!BBH', 0x80 | opcode, 126, length)
        else:
            head = struct.pack('!BBQ', 0x80 | opcode, 127, length)
        with self._send_lock:
            if self._closed:
                return
            try:
                self.sock.sendall(head + payload)
            except OSError:
                self._closed = True

    def close(self) -> None:
        """Send the close frame (once) and shut the socket's writing side."""
        self._send(_CLOSE, struct.pack('!H', 1000))
        with self._send_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
