"""@when_file_changed stacked with @when. Predicates are tested bottom decorator first. In
charms.reactive, testing the file predicate stores the new hash: fc_below_when's file
change is consumed in the hooks phase (where its @when fails), so it never runs."""

from charms.reactive import when, when_file_changed
from record import ran


@when_file_changed('alone.txt')
def fc_alone():
    ran()


@when('go')
@when_file_changed('below.txt')
def fc_below_when():
    ran()


@when_file_changed('above.txt')
@when('go')
def fc_above_when():
    ran()
