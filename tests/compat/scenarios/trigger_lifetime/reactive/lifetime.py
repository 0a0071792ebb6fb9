"""A trigger registered by a handler lasts for the hook it was registered in; one
registered at import is registered again by every hook."""

import os

from charms.reactive import register_trigger, set_flag, when, when_not
from record import ran

register_trigger(when='a', set_flag='a.seen')


@when_not('registered')
def register_in_handler():
    ran()
    register_trigger(when='b', set_flag='b.seen')
    set_flag('registered')


@when('registered')
def set_flags():
    ran()
    for flag in os.environ.get('COMPAT_SET', '').split():
        set_flag(flag)
