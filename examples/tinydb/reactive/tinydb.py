"""The tiny database's handlers: install, then answer every client that asks."""

import hashlib

from reactops import (
    ActiveStatus,
    MaintenanceStatus,
    current_charm,
    set_flag,
    when,
    when_not,
)
from reactops.layers.pgsql import ConnectionString, Provides


@when_not('tinydb.installed')
def install() -> None:
    current_charm().unit.status = MaintenanceStatus('installing the tiny database')
    set_flag('tinydb.installed')


@when('tinydb.installed')
@when_not('db.database.requested')
def idle() -> None:
    current_charm().unit.status = ActiveStatus('ready, no clients')


@when('tinydb.installed', 'db.database.requested')
def answer(db: Provides) -> None:
    charm = current_charm()
    host = str(charm.model.get_binding('db').network.bind_address)
    requests = db.requested_databases()
    for request in requests:
        user = f'u_{request.application_name}'
        # A real server makes a random password and keeps it; an example may derive one.
        password = hashlib.sha256(f'{user}/{request.database}'.encode()).hexdigest()[:16]
        db.publish(request.relation, ConnectionString(host, charm.config['port'],
                                                      request.database, user, password))
    set_flag('tinydb.serving', sorted(r.database for r in requests))
    charm.unit.status = ActiveStatus(f'serving {len(requests)} database(s)')
