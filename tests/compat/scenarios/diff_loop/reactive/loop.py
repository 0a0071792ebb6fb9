"""ping sets 'p' when it is unset, pong clears it when it is set: the flags never settle."""

from charms.reactive import clear_flag, set_flag, when, when_not
from record import ran


@when_not('p')
def ping():
    ran()
    set_flag('p')


@when('p')
def pong():
    ran()
    clear_flag('p')
