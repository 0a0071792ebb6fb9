import record
from charmhelpers.core import hookenv
from charms.reactive import get_flags, when, when_any, when_not


@when('config.changed')
def changed():
    config = hookenv.config()
    record.ran(','.join(sorted(f for f in get_flags() if f.startswith('config.'))))
    record.ran('port:{}->{}'.format(config.previous('port'), config['port']))


@when('config.changed.name')
def name_changed():
    record.ran(hookenv.config('name'))


@when_any('config.set.debug', 'config.default.port')
def either():
    record.ran()


@when_not('config.set.name')
def unnamed():
    record.ran()
