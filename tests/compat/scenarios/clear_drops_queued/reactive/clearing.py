"""clear_flag re-tests the rest of the queue: needs_d, queued at the start of the iteration,
is dropped; also_go still holds and runs; wants_no_d reads the cleared flag and runs in
the next iteration. Clearing a flag that is not set re-tests too (no_op_clear)."""

from charms.reactive import clear_flag, when, when_not
from record import ran


@when('go')
@when_not('cleared')
def clears_d():
    ran()
    clear_flag('d')


@when('d')
def needs_d():
    ran()


@when('go')
def no_op_clear():
    ran()
    clear_flag('never-set')


@when('go', 'd')
def needs_go_and_d():
    ran()


@when_not('d')
def wants_no_d():
    ran()
