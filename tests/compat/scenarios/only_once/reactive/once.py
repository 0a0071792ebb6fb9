"""@only_once handlers run in the first dispatch only; the unit's state remembers it."""

from charms.reactive import only_once, when
from record import ran


@only_once
def once_alone():
    ran()


@when('go')
@only_once()
def once_when_go():
    ran()


@only_once
@when('later')
def once_when_later():
    ran()


@when('go')
def every_time():
    ran()
