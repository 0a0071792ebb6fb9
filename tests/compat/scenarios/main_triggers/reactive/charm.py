import record
from charms.reactive import clear_flag, register_trigger, set_flag, when, when_not

register_trigger(when='db.ready', set_flag='restart.needed')
register_trigger(when_not='db.ready', clear_flag='app.serving')


@when_not('db.ready')
def connect():
    record.ran()
    set_flag('db.ready')


@when('restart.needed')
def restart():
    record.ran()
    clear_flag('restart.needed')
    set_flag('app.serving')


@when('app.serving', 'lost')
def lose():
    record.ran()
    clear_flag('lost')
    clear_flag('db.ready')
