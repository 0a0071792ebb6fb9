"""The web app's handlers: each runs when its flags say the time has come."""

from reactops import (
    ActiveStatus,
    BlockedStatus,
    MaintenanceStatus,
    WaitingStatus,
    clear_flag,
    current_charm,
    get_flag_value,
    hook,
    set_flag,
    when,
    when_not,
)
from reactops.layers.pgsql import Requires


@when_not('webapp.installed')
def install() -> None:
    current_charm().unit.status = MaintenanceStatus('installing the web app')
    set_flag('webapp.installed')


@when('webapp.installed', 'config.changed.port')
def open_port() -> None:
    port = current_charm().config['port']
    if not 0 < port < 65536:
        set_flag('webapp.bad-port')
        return
    clear_flag('webapp.bad-port')
    current_charm().unit.set_ports(port)
    set_flag('webapp.port-open', port)


@when('config.set.motd')
def show_motd() -> None:
    set_flag('webapp.motd', current_charm().config['motd'])


@when_not('config.set.motd')
def hide_motd() -> None:
    clear_flag('webapp.motd')


@when('webapp.port-open')
@when_not('webapp.bad-port', 'database.connected')
def ready() -> None:
    current_charm().unit.status = ActiveStatus(f'serving on :{get_flag_value("webapp.port-open")}')


@when('database.connected')
@when_not('database.master.available')
def request_database(database: Requires) -> None:
    database.set_database('webapp')  # the same request again publishes nothing new
    current_charm().unit.status = WaitingStatus('waiting for the database')


@when('webapp.port-open', 'database.master.available')
@when_not('webapp.bad-port')
def ready_with_database(database: Requires) -> None:
    master = database.master
    assert master is not None  # the flag says the server answered with one
    current_charm().unit.status = ActiveStatus(
        f'serving on :{get_flag_value("webapp.port-open")}, '
        f'database {master.dbname} on {master.host}')


@when('webapp.bad-port')
def blocked() -> None:
    current_charm().unit.status = BlockedStatus(
        f'invalid port {current_charm().config["port"]}')


@hook('upgrade-charm')
def upgraded() -> None:
    clear_flag('webapp.installed')  # reinstall with the new charm's files
