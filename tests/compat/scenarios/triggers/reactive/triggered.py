"""Triggers fire inside set_flag/clear_flag, before the caller continues, and nest:
t.a -> t.b -> t.d (-> callback, and t.e from a trigger registered by a handler);
clearing t.c clears t.b. Re-setting t.a fires nothing."""

from charms.reactive import (
    clear_flag,
    is_flag_set,
    register_trigger,
    set_flag,
    when,
    when_not,
)
from record import RAN, ran


def trigger_callback():
    RAN.append('trigger_callback')


register_trigger(when='t.a', set_flag='t.b')
register_trigger(when='t.b', set_flag='t.d')
register_trigger(when_not='t.c', clear_flag='t.b')
register_trigger(when='t.d', callback=trigger_callback)


@when('go')
@when_not('registered')
def register_late():
    ran()
    register_trigger(when='t.d', set_flag='t.e')
    set_flag('registered')


@when('go')
@when_not('t.a')
def set_a():
    ran()
    set_flag('t.a')
    ran(f"b={is_flag_set('t.b')},d={is_flag_set('t.d')},e={is_flag_set('t.e')}")
    set_flag('t.a')


@when('t.b')
def check_b():
    ran()
    clear_flag('t.c')
    ran(f"b={is_flag_set('t.b')}")


@when('t.d')
def see_d():
    ran()
