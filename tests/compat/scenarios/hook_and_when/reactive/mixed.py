"""@hook and @when on one function can never fire: the phases exclude each other."""

from charms.reactive import hook, when
from record import ran


@hook('install')
@when('x')
def hook_then_when():
    ran()


@when('x')
@hook('install')
def when_then_hook():
    ran()


@hook('install')
def hook_only():
    ran()


@when('x')
def when_only():
    ran()
