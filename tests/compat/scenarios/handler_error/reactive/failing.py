"""A handler raises after setting a flag: the dispatch stops there, and the hook's flag
changes are not kept (the next hook starts from the flags before the failed one)."""

import os

from charms.reactive import set_flag, when, when_not
from record import ran


@when('go')
@when_not('x')
def sets_then_fails():
    ran()
    set_flag('x')
    if os.environ.get('COMPAT_FAIL'):
        raise RuntimeError('handler failed')


@when('go')
def after():
    ran()
