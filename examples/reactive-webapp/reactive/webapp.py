"""The web app's handlers: each runs when its flags say the time has come."""

from reactops import (
    ActiveStatus,
    BlockedStatus,
    MaintenanceStatus,
    clear_flag,
    current_charm,
    hook,
    set_flag,
    when,
    when_not,
)


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
@when_not('webapp.bad-port')
def ready() -> None:
    from reactops import get_flag_value

    current_charm().unit.status = ActiveStatus(f'serving on :{get_flag_value("webapp.port-open")}')


@when('webapp.bad-port')
def blocked() -> None:
    current_charm().unit.status = BlockedStatus(
        f'invalid port {current_charm().config["port"]}')


@hook('upgrade-charm')
def upgraded() -> None:
    clear_flag('webapp.installed')  # reinstall with the new charm's files
