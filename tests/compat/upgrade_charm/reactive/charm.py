import record
from charmhelpers.core import hookenv, unitdata
from charms.reactive import data_changed, only_once, set_flag, when, when_file_changed, when_not


@only_once
def once():
    record.ran()


@when_file_changed('app.conf')
def conf_changed():
    record.ran()


@when_not('app.installed')
def install():
    record.ran()
    set_flag('app.installed', {'version': 1})
    unitdata.kv().set('app.data', {'k': [1, 2]})


@when('app.installed')
def check():
    changed = data_changed('app.port', hookenv.config('port'))
    record.ran('changed' if changed else 'same')


@when('config.changed.port')
def port_changed():
    record.ran(str(hookenv.config().previous('port')))
