import record
from charmhelpers.core import hookenv, unitdata
from charms.reactive import set_flag, when, when_not


@when_not('app.installed')
def install():
    record.ran()
    set_flag('app.installed')


@when('app.installed')
def work():
    record.ran(str(unitdata.kv().get('runs', 0)))
    unitdata.kv().set('runs', unitdata.kv().get('runs', 0) + 1)
    set_flag('app.transient')
    if hookenv.config('fail'):
        raise RuntimeError('boom')
