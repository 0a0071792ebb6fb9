"""A clear_flag re-tests the rest of the queue. In charms.reactive the re-test of
on_change finds the file unchanged (the first test stored its hash) and drops it
(issue #44)."""

from charms.reactive import clear_flag, when, when_file_changed
from record import ran


@when('go')
def clears_something():
    ran()
    clear_flag('unrelated')


@when_file_changed('watched.txt')
@when('go')
def on_change():
    ran()
