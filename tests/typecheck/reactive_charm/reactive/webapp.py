"""The web app's handlers, written as docs/flags-and-handlers.md shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reactops import (
    ActiveStatus,
    BlockedStatus,
    MaintenanceStatus,
    WaitingStatus,
    clear_flag,
    current_charm,
    data_changed,
    endpoint_from_flag,
    get_flag_value,
    hook,
    is_flag_set,
    set_flag,
    when,
    when_any,
    when_not,
)

if TYPE_CHECKING:
    # For the type checkers only (run from the charm's root): reactops itself finds the
    # class through the charm's metadata, and handlers receive it by flag.
    from interfaces.cache.requires import CacheRequires


@when_not('webapp.installed')
def install() -> None:
    current_charm().unit.status = MaintenanceStatus('installing the web app')
    set_flag('webapp.installed')


@when('webapp.installed', 'config.changed.port')
def open_port() -> None:
    port: int = current_charm().config['port']
    if not 0 < port < 65536:
        set_flag('webapp.bad-port')
        return
    clear_flag('webapp.bad-port')
    current_charm().unit.set_ports(port)
    set_flag('webapp.port-open', port)


@when_any('config.changed.motd', 'config.changed.port')
def note_config() -> None:
    config = current_charm().config
    if data_changed('webapp.config', {'port': config['port'], 'motd': config['motd']}):
        set_flag('webapp.restart-needed')


@when('cache.connected')
@when_not('cache.available')
def request_cache() -> None:
    cache: CacheRequires = endpoint_from_flag('cache.connected')
    cache.request(size_mb=64)
    current_charm().unit.status = WaitingStatus('waiting for the cache')


@when('webapp.port-open', 'cache.available')
@when_not('webapp.bad-port')
def ready() -> None:
    cache: CacheRequires = endpoint_from_flag('cache.available')
    addresses = ', '.join(server.address for server in cache.servers())
    port = get_flag_value('webapp.port-open')
    current_charm().unit.status = ActiveStatus(f'serving on :{port}, cache at {addresses}')


@when('webapp.bad-port')
def blocked() -> None:
    port: int = current_charm().config['port']
    current_charm().unit.status = BlockedStatus(f'invalid port {port}')


@hook('upgrade-charm')
def upgraded() -> None:
    if is_flag_set('webapp.installed'):
        clear_flag('webapp.installed')  # reinstall with the new charm's files
