"""when_any, when_none, when_not_all and when_all with 'a' set and 'b', 'c' unset; then
none_bc sets 'b', and every handler reading 'b' is tested again in the next iteration
(any_ab runs a second time: its predicate still holds and 'b' changed)."""

from charms.reactive import set_flag, when_all, when_any, when_none, when_not_all
from record import ran


@when_any('a', 'b')
def any_ab():
    ran()


@when_any('b', 'c')
def any_bc():
    ran()


@when_none('b', 'c')
def none_bc():
    ran()
    set_flag('b')


@when_none('a', 'b')
def none_ab():
    ran()


@when_not_all('a', 'b')
def not_all_ab():
    ran()


@when_not_all('a')
def not_all_a():
    ran()


@when_all('a', 'b')
def all_ab():
    ran()


@when_all('a')
@when_any('c', 'b')
def a_and_any_bc():
    ran()


@when_any()
def any_of_nothing():
    ran()
