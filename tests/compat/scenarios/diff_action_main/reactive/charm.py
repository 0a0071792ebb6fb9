import record
from charms.reactive import clear_flag, set_flag, when, when_not


@when_not('app.installed')
def install():
    record.ran()
    set_flag('app.installed')


@when('app.restart-requested')
def restart():
    record.ran()
    clear_flag('app.restart-requested')
    set_flag('app.restarted')
