"""The webapp's handlers: configure from the database flag, block without it."""

from pathlib import Path

from reactops import (
    ActiveStatus,
    BlockedStatus,
    clear_flag,
    current_charm,
    get_flag_value,
    set_flag,
    when,
    when_not,
)

CONFIG = Path('webapp.conf')


@when('database.available')
@when_not('webapp.configured')
def configure() -> None:
    answer = get_flag_value('database.available')
    CONFIG.write_text(f'db={answer["endpoints"][0]}\nuser={answer["username"]}\n')
    set_flag('webapp.configured')


@when('webapp.configured', 'database.available')
def serve() -> None:
    charm = current_charm()
    # The library's own view agrees with the flag: its stored answer survives hooks.
    endpoint, user = charm.database.endpoints[0], charm.database.username
    charm.unit.status = ActiveStatus(f'using {endpoint} as {user}')


@when_not('database.available')
def wait_for_database() -> None:
    if CONFIG.exists():
        CONFIG.unlink()
    clear_flag('webapp.configured')
    current_charm().unit.status = BlockedStatus('waiting for a database')
