"""The charm's module; it imports z_lib, whose handlers therefore register first,
whichever module discovery reaches first. Within a module: definition order."""

from charms.reactive import when
from reactive.z_lib import lib_first, shared_helper
from record import ran

__all__ = ['lib_first', 'shared_helper']


@when('go')
def charm_first():
    ran()
    shared_helper()


@when('go')
def charm_second():
    ran()
