"""The probe's handlers: fetch the related web server's page and say what it says.

``target.available`` (from the built-in ``http`` interface layer) says a related unit
published a port. From then on every hook fetches the page again, so ``update-status``
and relation changes keep the status true to what the server answers now.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TYPE_CHECKING

from reactops import (
    ActiveStatus,
    BlockedStatus,
    StatusBase,
    WaitingStatus,
    current_charm,
    endpoint_from_name,
    when,
    when_not,
)

if TYPE_CHECKING:
    from reactops.layers.http import HttpHost, Requires

#: Seconds to wait for the server: a hook should not hang on a server that is gone.
TIMEOUT = 3.0
#: The most of a page that is read, and of its text that a status shows.
MAX_BYTES = 64 * 1024
MAX_TEXT = 80
_NOT_TEXT = ('script', 'style')


class _TextOf(HTMLParser):
    """Collects the text of an HTML page, leaving out tags, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOT_TEXT:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    """The words of *html* on one line, cut to :data:`MAX_TEXT` characters."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    text = ' '.join(' '.join(parser.parts).split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 3] + '...'


def url_of(host: HttpHost, path: str) -> str:
    """The page's URL on *host* (the ``hostname`` the server published, else its address)."""
    name = host['hostname'] or host['private-address']
    if ':' in name:  # an IPv6 address
        name = f'[{name}]'
    return f'http://{name}:{host["port"]}/{path.lstrip("/")}'


def probe(url: str) -> StatusBase:
    """Fetch *url* and say what came back, as the unit's status."""
    import urllib.error
    import urllib.request  # only hooks that fetch pay for it

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES)
            charset = response.headers.get_content_charset() or 'utf-8'
    except urllib.error.HTTPError as error:
        # The server is up but refuses the page: waiting will not fix that.
        return BlockedStatus(f'{url} answered {error.code} {error.reason}')
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, 'reason', error)
        return WaitingStatus(f'no answer from {url}: {reason}')
    text = page_text(body.decode(charset, errors='replace'))
    if not text:
        return ActiveStatus(f'{url} answers with an empty page')
    return ActiveStatus(f'{url} says "{text}"')


@when_not('endpoint.target.joined')
def no_server() -> None:
    current_charm().unit.status = BlockedStatus('no web server: relate target to an http '
                                                'provider')


@when('endpoint.target.joined')
@when_not('target.available')
def wait_for_address() -> None:
    current_charm().unit.status = WaitingStatus('waiting for the web server to publish its '
                                                'address')


@when('target.available')
def fetch_the_page() -> None:
    target: Requires = endpoint_from_name('target')
    hosts = [host for service in target.services() for host in service['hosts']]
    if not hosts:  # a port without an address: nothing to fetch from yet
        current_charm().unit.status = WaitingStatus('waiting for the web server to publish '
                                                    'its address')
        return
    path = current_charm().config['path']
    statuses = [probe(url_of(host, path)) for host in hosts]
    # The first host that does not answer well is what the operator must hear about.
    worst = next((s for s in statuses if s.name != 'active'), statuses[0])
    if worst.name == 'active' and len(statuses) > 1:
        worst = ActiveStatus(f'{worst.message} (and {len(statuses) - 1} more hosts answer)')
    current_charm().unit.status = worst
