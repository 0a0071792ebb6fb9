"""The charm layer's handlers, written for charms.reactive + charmhelpers (unchanged)."""

from charmhelpers.core import hookenv, unitdata
from charms.layer.legacy_built import greeting
from charms.reactive import (
    clear_flag,
    data_changed,
    hook,
    is_flag_set,
    only_once,
    set_flag,
    when,
    when_not,
)
from charms.reactive.helpers import any_hook

hookenv.atstart(hookenv.log, 'legacy-built: starting ' + hookenv.hook_name())


@hook('install')
def install_hook():
    unitdata.kv().set('installed-by', hookenv.local_unit())


@only_once
def first_run():
    unitdata.kv().set('first-run', hookenv.hook_name())


@when_not('app.installed')
def install():
    hookenv.status_set('maintenance', 'installing')
    set_flag('app.installed')


@when('app.installed', 'config.changed.port')
def configure_port():
    cfg = hookenv.config()
    if cfg.previous('port') is not None:
        hookenv.close_port(cfg.previous('port'))
    hookenv.open_port(cfg['port'])
    set_flag('app.configured')


@when('app.configured')
@when_not('app.started')
def start():
    hookenv.status_set('active', greeting(hookenv.config('port')))
    set_flag('app.started')


@when('app.started', 'db.available')
def use_db(db):
    if data_changed('db.host', db.host()):
        unitdata.kv().set('db-host', db.host())
    db.set_database(hookenv.service_name())
    set_flag('app.db-ready')


@when('app.db-ready')
@when_not('db.available')
def db_gone():
    unitdata.kv().unset('db-host')
    clear_flag('app.db-ready')


@when('website.available')
def website(http):
    http.configure(hookenv.config('port'))


@hook('upgrade-charm')
def upgraded():
    unitdata.kv().set('upgraded', any_hook('upgrade-charm'))
    clear_flag('app.started')


@hook('stop')
def stop():
    hookenv.close_port(hookenv.config('port'))
    hookenv.status_set('maintenance', 'stopping')
    if is_flag_set('app.started'):
        clear_flag('app.started')
