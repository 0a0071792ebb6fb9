"""The web probe: one hook at a time with reactops.testing, against a real HTTP server.

The server is ``http.server`` on 127.0.0.1 in a thread of the test, serving a temporary
folder; the relation data tells the probe where it is, as the web charm would.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reactops import ActiveStatus, BlockedStatus, WaitingStatus
from reactops.testing import Context, Relation, State

CHARM_DIR = Path(__file__).resolve().parents[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass  # keep the test output free of access lines


class WebServer:
    """A static HTTP server on 127.0.0.1, on a free port, serving *root*."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={'poll_interval': 0.05})
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=30)
        self._server.server_close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WebServer]:
    root = tmp_path / 'www'
    root.mkdir()
    (root / 'index.html').write_text('<html><head><title>t</title><style>h1 {}</style>'
                                     '</head><body><h1>hello</h1>\n</body></html>\n')
    running = WebServer(root)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def ctx() -> Context:
    return Context(CHARM_DIR)


def target(port: int | None, hostname: str = '127.0.0.1', **extra: str) -> Relation:
    """The relation to the web server, whose unit published *hostname* and *port*."""
    bag = {'private-address': '192.0.2.7', 'hostname': hostname, **extra}
    if port is not None:
        bag['port'] = str(port)
    return Relation('target', interface='http', remote_app_name='web',
                    remote_units_data={0: bag})


def changed(ctx: Context, relation: Relation, state: State | None = None) -> State:
    """Run target-relation-changed for the web server's unit 0."""
    state = (state or State()).replace(relations=[relation])
    return ctx.run(ctx.on.relation_changed(relation, remote_unit=0), state)


def test_without_a_relation_it_is_blocked(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())
    assert out.unit_status == BlockedStatus('no web server: relate target to an http provider')


def test_before_a_port_is_published_it_waits(ctx: Context) -> None:
    out = changed(ctx, target(None))
    assert out.unit_status == WaitingStatus('waiting for the web server to publish its address')


def test_it_shows_what_the_page_says(ctx: Context, server: WebServer) -> None:
    out = changed(ctx, target(server.port))
    # The text of the page: the <style> and the tags are left out.
    assert out.unit_status == ActiveStatus(
        f'http://127.0.0.1:{server.port}/ says "t hello"')


def test_update_status_fetches_the_page_again(ctx: Context, server: WebServer) -> None:
    out = changed(ctx, target(server.port))
    (server.root / 'index.html').write_text('<p>changed\n  words</p>')
    out = ctx.run(ctx.on.update_status(), out)
    assert out.unit_status == ActiveStatus(
        f'http://127.0.0.1:{server.port}/ says "changed words"')


def test_a_server_that_does_not_answer_makes_it_wait(ctx: Context, server: WebServer) -> None:
    out = changed(ctx, target(server.port))
    server.stop()
    out = ctx.run(ctx.on.update_status(), out)
    assert isinstance(out.unit_status, WaitingStatus)
    assert out.unit_status.message.startswith(f'no answer from http://127.0.0.1:{server.port}/: ')
    assert 'refused' in out.unit_status.message.lower()


def test_an_error_page_blocks_and_names_it(ctx: Context, server: WebServer) -> None:
    out = changed(ctx, target(server.port), State(config={'path': '/missing.html'}))
    assert out.unit_status == BlockedStatus(
        f'http://127.0.0.1:{server.port}/missing.html answered 404 File not found')


def test_without_a_hostname_the_address_is_used(ctx: Context, server: WebServer) -> None:
    relation = target(server.port, hostname='', **{'private-address': '127.0.0.1'})
    out = changed(ctx, relation)
    assert out.unit_status == ActiveStatus(
        f'http://127.0.0.1:{server.port}/ says "t hello"')


def test_a_long_page_is_cut_in_the_status(ctx: Context, server: WebServer) -> None:
    (server.root / 'index.html').write_text('word ' * 100)
    out = changed(ctx, target(server.port))
    text = out.unit_status.message.split(' says ', 1)[1].strip('"')
    assert len(text) == 80 and text.endswith('...')


def test_a_departed_server_leaves_it_blocked(ctx: Context, server: WebServer) -> None:
    out = changed(ctx, target(server.port))
    gone = target(server.port).replace(id=out.get_relations('target')[0].id,
                                       remote_units_data={})
    out = ctx.run(ctx.on.relation_departed(gone, remote_unit=0), out.replace(relations=[gone]))
    assert out.unit_status == BlockedStatus('no web server: relate target to an http provider')

