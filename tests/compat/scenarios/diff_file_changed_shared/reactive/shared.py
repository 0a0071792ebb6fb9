"""Two handlers watch one file. charms.reactive stores the new hash when the first is
tested, so the second never sees the change (issue #25)."""

from charms.reactive import when, when_file_changed
from record import ran


@when_file_changed('shared.txt')
@when('go')
def first_watcher():
    ran()


@when_file_changed('shared.txt')
@when('go')
def second_watcher():
    ran()
