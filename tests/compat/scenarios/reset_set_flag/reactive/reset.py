"""Setting a flag that is already set replaces its value but is no change: watch_x is
not tested again and the set-trigger on 'x' does not fire."""

from charms.reactive import register_trigger, set_flag, when, when_not
from record import ran

register_trigger(when='x', set_flag='x.triggered')


@when('go')
@when_not('done')
def resetter():
    ran()
    set_flag('x', {'n': 2})
    set_flag('done')


@when('x')
def watch_x():
    ran()
