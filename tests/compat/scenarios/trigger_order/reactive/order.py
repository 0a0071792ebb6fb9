"""Several triggers on one flag: charms.reactive runs every set_flag action of all of
them, then every clear_flag action, then every callback; the callback, registered first,
therefore sees 'z' set and 'y' cleared."""

from charms.reactive import is_flag_set, register_trigger, set_flag, when_not
from record import RAN, ran


def callback():
    RAN.append(f"callback:y={is_flag_set('y')},z={is_flag_set('z')}")


register_trigger(when='x', callback=callback)
register_trigger(when='x', clear_flag='y')
register_trigger(when='x', set_flag='z')


@when_not('x')
def set_x():
    ran()
    set_flag('x')
