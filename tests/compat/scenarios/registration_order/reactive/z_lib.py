"""A library module imported by a_charm.py."""

from charms.reactive import when
from record import RAN, ran


def shared_helper():
    RAN.append('helper')


@when('go')
def lib_first():
    ran()


@when('go')
def lib_second():
    ran()
