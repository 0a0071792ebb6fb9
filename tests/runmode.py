"""Which tests a run selects: the quick default, or the whole suite as CI runs it.

The default run leaves out the tests marked ``slow`` (long fault-injection, kill and
compatibility sweeps, big local models) and gives hypothesis fewer examples, so that it
ends in a few minutes; each area keeps quick tests there. ``REACTOPS_ALL_TESTS=1``, or a
``CI`` variable as CI services set it, selects everything with the full example counts.
"""

from __future__ import annotations

import os

__all__ = ['QUICK_MARKEXPR', 'examples', 'whole_suite']

QUICK_MARKEXPR = 'not slow'


def _set(name: str) -> bool:
    return os.environ.get(name, '').strip().lower() not in ('', '0', 'false', 'no')


def whole_suite() -> bool:
    """True when this run is to select every test (``REACTOPS_ALL_TESTS`` or ``CI`` set)."""
    return _set('REACTOPS_ALL_TESTS') or _set('CI')


def examples(full: int) -> int:
    """A hypothesis sweep's example count: *full* in the whole suite, a quarter by default."""
    return full if whole_suite() else max(10, full // 4)
