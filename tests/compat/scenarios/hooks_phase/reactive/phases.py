"""The hooks phase runs before the main loop, whatever the definition order: @hook
handlers of the running hook and handlers with no phase of their own (@only_once alone)
run first; flags they set are seen by the main loop's first iteration."""

from charms.reactive import hook, only_once, set_flag, when, when_not
from record import ran


@when_not('installed')
def install():
    ran()
    set_flag('installed')


@when('installed', 'hooked')
def configure():
    ran()


@hook('install')
def legacy_install():
    ran()
    set_flag('hooked')


@hook('config-changed')
def other_hook():
    ran()


@only_once
def once_alone():
    ran()


@hook('{install,upgrade-charm}')
def alternatives():
    ran()
