"""Event core timings, reactops beside ops 3.x in the same process.

Measures, best of 5 runs, each run on a fresh Framework over ``SQLiteStorage(':memory:')``:

* 10,000 ``emit()`` calls of a custom event with one observer;
* one ``commit()`` after setting 1,000 fields on a StoredState.

Run it with ``python bench/bench_core.py`` (or ``nox -s bench``). Without ops installed, the
ops column says so and only reactops is measured.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

RUNS = 5
EMITS = 10_000
FIELDS = 1_000


def _best_of(runs: int, setup: Callable[[], tuple[Callable[[], None], Any]]) -> float:
    """Return the shortest time, in seconds, of *runs* actions made by *setup*.

    *setup* returns the action to time and the framework it runs on, closed after timing.
    """
    best = float('inf')
    for _ in range(runs):
        action, framework = setup()
        gc_was_enabled = gc.isenabled()
        gc.disable()  # as timeit does: a collection landing in one run only would be noise
        try:
            start = time.perf_counter()
            action()
            elapsed = time.perf_counter() - start
        finally:
            if gc_was_enabled:
                gc.enable()
        framework.close()
        best = min(best, elapsed)
    return best


def _bench(framework_mod: ModuleType, storage_mod: ModuleType) -> dict[str, float]:
    """Time both measures with one implementation's framework and storage modules."""

    class PingEvent(framework_mod.EventBase):  # type: ignore[name-defined,misc]
        pass

    class BenchEvents(framework_mod.ObjectEvents):  # type: ignore[name-defined,misc]
        ping = framework_mod.EventSource(PingEvent)

    class Bench(framework_mod.Object):  # type: ignore[name-defined,misc]
        on = BenchEvents()
        _stored = framework_mod.StoredState()

        def __init__(self, framework: Any) -> None:
            super().__init__(framework, 'bench')
            self.seen = 0
            framework.observe(self.on.ping, self._on_ping)

        def _on_ping(self, event: Any) -> None:
            self.seen += 1

    def new_bench() -> Any:
        storage = storage_mod.SQLiteStorage(':memory:')
        return Bench(framework_mod.Framework(storage, None, None, None))

    def setup_emits() -> tuple[Callable[[], None], Any]:
        bench = new_bench()

        def emits() -> None:
            emit = bench.on.ping.emit
            for _ in range(EMITS):
                emit()
            assert bench.seen == EMITS, f'{bench.seen} of {EMITS} events observed'

        return emits, bench.framework

    def setup_commit() -> tuple[Callable[[], None], Any]:
        bench = new_bench()
        for i in range(FIELDS):
            setattr(bench._stored, f'field_{i}', i)

        def commit() -> None:
            # The closure keeps `bench` alive: the framework holds its objects weakly, and a
            # collected StoredState owner would leave nothing to save.
            bench.framework.commit()

        return commit, bench.framework

    return {
        'emit': _best_of(RUNS, setup_emits),
        'commit': _best_of(RUNS, setup_commit),
    }


def _try_import(*names: str) -> list[ModuleType] | None:
    try:
        return [importlib.import_module(name) for name in names]
    except ImportError:
        return None


def _ms(seconds: float) -> str:
    return f'{seconds * 1000:.2f} ms'


def main() -> None:
    # ops logs a warning for charm_dir=None, which this bench passes on purpose (no charm).
    logging.getLogger('ops').setLevel(logging.ERROR)

    reactops_modules = _try_import('reactops.framework', 'reactops.storage')
    if reactops_modules is None:
        raise SystemExit('reactops is not importable: run `pip install -e .` first')
    ours = _bench(*reactops_modules)

    ops_modules = _try_import('ops', 'ops.framework', 'ops.storage')
    theirs = _bench(*ops_modules[1:]) if ops_modules else None
    ops_label = f'ops {ops_modules[0].__version__}' if ops_modules else 'ops'

    measures = [
        ('emit', f'{EMITS:,} emit(), 1 observer'),
        ('commit', f'commit() of {FIELDS:,} StoredState fields'),
    ]
    print(f'event core, best of {RUNS} runs each, SQLiteStorage(":memory:")')
    header = f'{"measure":<36} {"reactops":>12} {ops_label:>12}  {"reactops/ops":>18}'
    print(header)
    print('-' * len(header))
    for key, label in measures:
        if theirs is None:
            ops_time, ratio = '-', 'ops not installed'
        else:
            ops_time, ratio = _ms(theirs[key]), f'{ours[key] / theirs[key]:.2f}'
        print(f'{label:<36} {_ms(ours[key]):>12} {ops_time:>12}  {ratio:>18}')


if __name__ == '__main__':
    main()
