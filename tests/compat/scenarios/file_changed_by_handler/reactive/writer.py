"""A handler rewrites the watched file during the main loop. charms.reactive tests a
@when_file_changed-only handler (it reads no flag) in every iteration, so it notices the
change in the next iteration of the same dispatch."""

from charms.reactive import set_flag, when, when_file_changed, when_not
from record import ran


@when_file_changed('watched.txt')
def on_file():
    ran()


@when('go')
@when_not('written')
def writer():
    ran()
    with open('watched.txt', 'w') as f:
        f.write('2')
    set_flag('written')
