"""The Pebble client's own HTTP/1.1 over a Unix socket, against canned raw answers.

A one-shot server thread reads the request and replies with exact bytes, so each test
pins one way Pebble (Go's net/http) may frame an answer, or one way it may go wrong.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reactops import pebble
from reactops._private import pebble_http


class OneShot:
    """Answer the next connection with *reply*; keep what the client sent in ``request``."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.request = b''
        self.reply = b''
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            conn.settimeout(5)
            while b'\r\n\r\n' not in self.request:
                self.request += conn.recv(65536)
            head, _, body = self.request.partition(b'\r\n\r\n')
            if b'content-length:' in head.lower():
                length = int(head.lower().split(b'content-length:')[1].split(b'\r\n')[0])
                while len(body) < length:
                    body += conn.recv(65536)
            elif b'transfer-encoding: chunked' in head.lower():
                while not body.endswith(b'0\r\n\r\n'):
                    body += conn.recv(65536)
            self.request = head + b'\r\n\r\n' + body
            if self.reply:
                conn.sendall(self.reply)

    def answer(self, reply: bytes) -> OneShot:
        self.reply = reply
        self.thread.start()
        return self


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OneShot]:
    srv = OneShot(tmp_path / 'pebble.socket')
    yield srv
    srv.server.close()


def _send(server: OneShot, method: str = 'GET', data: bytes | Iterator[bytes] | None = None,
          ) -> pebble_http.Response:
    return pebble_http.send(server.path, 5.0, method, '/v1/x?y=1', {'Accept': 'a/b'}, data)


def test_a_json_answer_with_a_length(server: OneShot) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n'
                  b'Content-Length: 13\r\n\r\n{"result": 1}')
    response = _send(server)
    assert (response.status, response.reason) == (200, 'OK')
    assert response.headers.get_content_type() == 'application/json'
    assert response.headers.get_params() == [('application/json', ''), ('charset', 'utf-8')]
    assert response.read() == b'{"result": 1}'
    assert response.read() == b''
    server.thread.join(5)
    assert server.request.startswith(b'GET /v1/x?y=1 HTTP/1.1\r\nHost: localhost\r\n')
    assert b'Accept: a/b\r\n' in server.request and b'Connection: close\r\n' in server.request


def test_a_chunked_answer_read_in_small_pieces(server: OneShot) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nContent-Type: multipart/form-data; boundary="b1"\r\n'
                  b'Transfer-Encoding: chunked\r\n\r\n'
                  b'5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n')
    response = _send(server)
    assert dict(p for p in response.headers.get_params() or [] if p[1]) == {'boundary': 'b1'}
    pieces = []
    while piece := response.read(3):
        pieces.append(piece)
    assert b''.join(pieces) == b'hello, world'
    assert max(len(p) for p in pieces) <= 3


def test_an_answer_without_a_length_is_read_to_the_end(server: OneShot) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\n\r\nall of it')
    response = _send(server)
    assert response.headers['x-folded'] == 'a b'
    assert response.read() == b'all of it'


def test_a_body_is_sent_with_its_length_and_an_iterator_chunked(
        server: OneShot, tmp_path: Path) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    _send(server, 'POST', b'{"a": 1}')
    server.thread.join(5)
    assert b'Content-Length: 8\r\n' in server.request
    assert server.request.endswith(b'\r\n\r\n{"a": 1}')

    second = OneShot(tmp_path / 'second.socket').answer(
        b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    _send(second, 'POST', iter([b'ab', b'', b'cde']))
    second.thread.join(5)
    assert b'Transfer-Encoding: chunked\r\n' in second.request
    assert second.request.endswith(b'2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n')
    second.server.close()


def test_a_post_without_a_body_says_its_length_is_zero(server: OneShot) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
    _send(server, 'POST')
    server.thread.join(5)
    assert b'Content-Length: 0\r\n' in server.request


def test_an_error_status_is_an_api_error_with_pebbles_message(server: OneShot) -> None:
    body = b'{"type": "error", "status-code": 404, "result": {"message": "not found"}}'
    server.answer(b'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n'
                  b'Content-Length: %d\r\n\r\n%s' % (len(body), body))
    with pytest.raises(pebble.APIError) as caught:
        _send(server)
    assert (caught.value.code, caught.value.status, caught.value.message) == (
        404, 'Not Found', 'not found')


def test_a_connection_closed_without_an_answer(server: OneShot) -> None:
    server.answer(b'')
    with pytest.raises(pebble.ConnectionError, match='without answering GET /v1/x'):
        _send(server)


def test_a_body_cut_short(server: OneShot) -> None:
    server.answer(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this')
    response = _send(server)
    with pytest.raises(pebble.ConnectionError, match='before the end of its answer'):
        response.read()


def test_a_bad_status_line_is_a_protocol_error(server: OneShot) -> None:
    server.answer(b'SPDY/9 hello\r\n\r\n')
    with pytest.raises(pebble.ProtocolError, match='bad status line'):
        _send(server)


def test_no_socket_and_a_dead_socket_are_connection_errors(tmp_path: Path) -> None:
    with pytest.raises(pebble.ConnectionError, match='socket not found'):
        pebble_http.send(str(tmp_path / 'none.socket'), 1.0, 'GET', '/', {}, None)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(tmp_path / 'dead.socket'))
    dead.close()  # the file stays, nobody listens
    with pytest.raises(pebble.ConnectionError):
        pebble_http.send(str(tmp_path / 'dead.socket'), 1.0, 'GET', '/', {}, None)


def test_no_answer_in_time_is_a_timeout(tmp_path: Path) -> None:
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.bind(str(tmp_path / 'silent.socket'))
    silent.listen(1)
    try:
        with pytest.raises(pebble.TimeoutError, match='timed out waiting for Pebble'):
            pebble_http.send(str(tmp_path / 'silent.socket'), 0.2, 'GET', '/v1/x', {}, None)
    finally:
        silent.close()
