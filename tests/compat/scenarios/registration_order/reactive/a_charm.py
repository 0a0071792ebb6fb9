"""The charm's module; it imports z_lib, whose handlers therefore register first,
although discovery reaches a_charm.py first. Within a module: definition order."""

from charms.reactive import when
from record import ran

from reactive.z_lib import lib_first, shared_helper

__all__ = ['lib_first', 'shared_helper']


@when('go')
def charm_first():
    ran()
    shared_helper()


@when('go')
def charm_second():
    ran()
