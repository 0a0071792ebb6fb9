"""Flags set by a handler take effect in the next iteration: the chain runs in order
first, second, third although the handlers are defined the other way round."""

from charms.reactive import set_flag, when, when_not
from record import ran


@when('two')
def third():
    ran()


@when('one')
@when_not('two')
def second():
    ran()
    set_flag('two')


@when('start')
@when_not('one')
def first():
    ran()
    set_flag('one')
