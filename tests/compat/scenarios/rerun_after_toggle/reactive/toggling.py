"""A handler runs again in a later iteration when a flag it reads changed, even if its
predicate held all along: toggler clears and re-sets 'a', so a_watcher runs twice;
flasher sets and clears 'tmp' in one run, so tmp_absent (true before and after) runs
twice too."""

from charms.reactive import clear_flag, set_flag, toggle_flag, when, when_not
from record import ran


@when('a')
def a_watcher():
    ran()


@when('go')
@when_not('toggled')
def toggler():
    ran()
    clear_flag('a')
    toggle_flag('a', True)
    set_flag('toggled')


@when_not('tmp')
def tmp_absent():
    ran()


@when('go')
@when_not('flashed')
def flasher():
    ran()
    set_flag('tmp')
    toggle_flag('tmp', False)
    set_flag('flashed')
