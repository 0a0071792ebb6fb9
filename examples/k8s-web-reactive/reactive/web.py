"""The web server's handlers: Pebble's hooks and the config reach them as flags.

``container.web.ready`` is set in ``web-pebble-ready`` and, in other hooks, asked of Pebble
when a handler reads it; ``container.web.check.alive.failed`` lasts from the check's
failure to its recovery; ``container.web.notice.<key>`` exists in the hook of that notice.
``website.available``, from the built-in ``http`` interface layer, says a client is related.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reactops import (
    ActiveStatus,
    MaintenanceStatus,
    WaitingStatus,
    clear_flag,
    current_charm,
    endpoint_from_name,
    hook,
    set_flag,
    when,
    when_not,
)

if TYPE_CHECKING:  # the Pebble client is loaded when a handler first reaches a container
    from reactops import Container
    from reactops.layers.http import Provides
    from reactops.pebble import LayerDict

PAGE = '/srv/www/index.html'


def web_layer(port: int) -> LayerDict:
    """The Pebble layer of the web server: its service and an HTTP health check.

    A server that dies is left down (``on-failure: ignore``) for the check to notice: two
    failed requests two seconds apart fail it, Pebble restarts the server for it
    (``on-check-failure``), and the charm sees ``web-pebble-check-failed`` and then
    ``-recovered``. Pebble's default, restarting at once, would bring the server back
    before the check ever looked, so nobody would learn it had died.
    """
    return {
        'summary': 'web server',
        'services': {'web': {
            'override': 'replace',
            'summary': 'static HTTP server',
            'command': f'python3 -m http.server {port} --directory /srv/www',
            'startup': 'enabled',
            'on-failure': 'ignore',
            'on-check-failure': {'alive': 'restart'},
        }},
        'checks': {'alive': {
            'override': 'replace',
            'level': 'alive',
            'period': '2s',
            'timeout': '1s',
            'threshold': 2,
            'http': {'url': f'http://localhost:{port}/'},
        }},
    }


def configure(container: Container) -> None:
    """Push the page and the layer; the caller starts or restarts the server."""
    config = current_charm().config
    container.push(PAGE, f'<h1>{config["greeting"]}</h1>\n', make_dirs=True)
    container.add_layer('web', web_layer(config['port']), combine=True)


def serving() -> None:
    charm = current_charm()
    charm.unit.set_ports(charm.config['port'])
    charm.unit.status = ActiveStatus(f'serving on :{charm.config["port"]}')


@when('config.changed')
def config_changed() -> None:
    set_flag('web.stale')  # the server does not run with this config yet


@hook('web-pebble-ready')
def start_web() -> None:
    # A Pebble that has just started has none of our layer: add it and start the server.
    container = current_charm().unit.get_container('web')
    configure(container)
    container.replan()
    clear_flag('web.stale')
    serving()


@when('container.web.ready', 'web.stale')
def restart_web() -> None:
    container = current_charm().unit.get_container('web')
    configure(container)
    container.restart('web')
    clear_flag('web.stale')
    serving()


@when_not('container.web.ready')
def wait_for_pebble() -> None:
    current_charm().unit.status = WaitingStatus('waiting for Pebble in the web container')


@when('container.web.check.alive.failed')
def report_failing_check() -> None:
    current_charm().unit.status = MaintenanceStatus('check alive is failing')


@when('container.web.check.alive.recovered')
def report_recovery() -> None:
    serving()


@when('container.web.ready', 'container.web.notice.example.com/reload')
def reload() -> None:
    # Someone in the workload ran `pebble notify example.com/reload`.
    container = current_charm().unit.get_container('web')
    configure(container)
    container.restart('web')


@when('website.available', 'container.web.ready')
@when_not('web.stale')
def publish_address() -> None:
    # Clients hear of the server only once it runs the current config, so a client that
    # fetches the page as soon as it is told gets an answer. Publishing the same values
    # again in a later hook writes nothing.
    website: Provides = endpoint_from_name('website')
    config = current_charm().config
    website.configure(config['port'], hostname=config['external-hostname'] or None)
