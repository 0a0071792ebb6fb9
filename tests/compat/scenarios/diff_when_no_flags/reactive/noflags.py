"""@when() reads no flag. charms.reactive tests such a handler in every iteration, and it
passes each time, so it runs in all 100 iterations; reactops runs it once."""

from charms.reactive import when
from record import ran


@when()
def no_flags():
    ran()


@when('go')
def with_flag():
    ran()
