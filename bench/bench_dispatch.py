"""Reactive dispatch timings, reactops beside charms.reactive 1.5.3 in the same process.

Two shapes of handler sets, of 10, 100, 1,000 and 10,000 handlers each:

* **chain**: handler *i* is ``@when('f<i>')`` and sets ``f<i+1>``; ``f0`` is set. Each
  handler runs one iteration after the previous one, so the dispatch has N iterations.
* **fan**: ``go`` is set and N handlers ``@when('go')`` each set their own flag: one
  iteration of N handlers, then one in which nobody reads the new flags.

Each dispatch runs on a fresh in-memory store (reactops ``SQLiteStorage(':memory:')``,
charmhelpers ``unitdata.Storage(':memory:')``); registering the handlers is not timed.
The handlers are generated source, one function per handler with its own code object and
line, because charms.reactive keys handlers by code location.

charms.reactive is measured with ``hookenv.log`` replaced by a no-op (under Juju every
handler run spawns ``juju-log``; here there is none) and stops a dispatch after 100
iterations, so it runs only 100 handlers of a longer chain: the ``ran`` column shows it.
It is skipped for a size whose estimated time (quadratic from the previous size) exceeds
a budget. Without charms.reactive installed only reactops is measured.

Run it with ``python bench/bench_dispatch.py`` (or ``nox -s bench``).
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES = (10, 100, 1_000, 10_000)
SHAPES = ('chain', 'fan')
MAX_GROWTH = 12.0       # allowed time factor per 10x handlers (linear, with slack)
CHAIN_BUDGET = 1.0      # seconds for a 10,000-handler chain
REFERENCE_BUDGET = 60.0  # seconds charms.reactive may take for one measurement

_SOURCE = {
    'chain': "@when('f{i}')\ndef chain_{i}():\n    RAN.append({i})\n    set_flag('f{j}')\n",
    'fan': "@when('go')\ndef fan_{i}():\n    RAN.append({i})\n    set_flag('done{i}')\n",
}
_START_FLAG = {'chain': 'f0', 'fan': 'go'}


def _runs(size: int) -> int:
    return 5 if size <= 1_000 else 3


REACTOPS_RUNS = 7  # the growth factors compare best times: more runs, less noise


def _handlers_source(shape: str, size: int) -> str:
    return '\n'.join(_SOURCE[shape].format(i=i, j=i + 1) for i in range(size))


def _define(shape: str, size: int, when: Callable[..., Any], set_flag: Callable[..., Any]
            ) -> tuple[list[Callable[..., Any]], list[int]]:
    """Decorate *size* generated functions with *when*; return them and their run log."""
    ran: list[int] = []
    namespace: dict[str, Any] = {'when': when, 'set_flag': set_flag, 'RAN': ran}
    code = compile(_handlers_source(shape, size), f'<bench {shape} {size}>', 'exec')
    exec(code, namespace)
    functions = [namespace[f'{shape}_{i}'] for i in range(size)]
    return functions, ran


def _timed(action: Callable[[], None]) -> float:
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection landing in one run only would be noise
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()


class ReactopsBench:
    """reactops' Dispatcher over a registry of generated handlers."""

    def __init__(self) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from reactops.reactive import (
            Dispatcher,
            HandlerRegistry,
            ReactiveRuntime,
            activate,
            set_flag,
            when,
        )
        from reactops.storage import SQLiteStorage

        self.Dispatcher, self.HandlerRegistry = Dispatcher, HandlerRegistry
        self.ReactiveRuntime, self.activate = ReactiveRuntime, activate
        self.SQLiteStorage, self.when, self.set_flag = SQLiteStorage, when, set_flag

    def measure(self, shape: str, size: int) -> dict[str, Any]:
        functions, ran = _define(shape, size, self.when, self.set_flag)
        registry = self.HandlerRegistry()
        for function in functions:
            registry.add_function(function)
        assert len(registry) == size, f'{len(registry)} handlers registered, not {size}'
        best, tests = float('inf'), 0
        for _ in range(REACTOPS_RUNS):
            ran.clear()
            elapsed, tests = self._dispatch_once(registry, _START_FLAG[shape])
            best = min(best, elapsed)
        return {'time': best, 'ran': len(ran), 'tests': tests}

    def _dispatch_once(self, registry: Any, start_flag: str) -> tuple[float, int]:
        """Time one dispatch on a fresh store where *start_flag* is set."""
        storage = self.SQLiteStorage(':memory:')
        storage.kv_set('reactive.states.' + start_flag, None)
        runtime = self.ReactiveRuntime(storage, hook_name='update-status')
        dispatchers: list[Any] = []

        def dispatch() -> None:
            with self.activate(runtime):
                dispatcher = self.Dispatcher(registry, runtime)
                dispatcher.dispatch()
            dispatchers.append(dispatcher)

        elapsed = _timed(dispatch)
        storage.close()
        return elapsed, dispatchers[0].handler_tests


class ReactiveBench:
    """charms.reactive's bus.dispatch() over the same generated handlers."""

    def __init__(self) -> None:
        import charmhelpers.osplatform  # type: ignore[import-not-found]

        # charmhelpers refuses to import on anything but Ubuntu/CentOS.
        charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
        from charmhelpers.core import hookenv, unitdata  # type: ignore[import-not-found]
        from charms import reactive  # type: ignore[import-not-found, unused-ignore]
        from charms.reactive import bus  # type: ignore[import-not-found, unused-ignore]

        hookenv.log = lambda message, level=None: None
        self.unitdata, self.bus, self.reactive = unitdata, bus, reactive

    def measure(self, shape: str, size: int, runs: int) -> dict[str, Any]:
        best, ran_count = float('inf'), 0
        for _ in range(runs):
            # Handlers live in a class-level registry keyed by code location: start afresh.
            self.bus.Handler.clear()
            self.unitdata._KV = self.unitdata.Storage(':memory:')
            _, ran = _define(shape, size, self.reactive.when, self.reactive.set_flag)
            registered = len(self.bus.Handler.get_handlers())
            assert registered == size, f'{registered} handlers registered, not {size}'
            self.unitdata.kv().set('reactive.states.' + _START_FLAG[shape], None)
            best = min(best, _timed(self.bus.dispatch))
            ran_count = len(ran)
        return {'time': best, 'ran': ran_count}


ONE_READY_SIZE = 10_000
ONE_READY_BUDGET = 0.005  # seconds for registration plus dispatch
ONE_READY_RUNS = 7

# A hook's process, timed from inside: the handler module is imported from its .pyc
# (compiled by a warm-up run), then registered and dispatched with one handler ready.
_ONE_READY_REACTOPS = """
import json, sys, time
charm_dir, ready = sys.argv[1], sys.argv[2]
from reactops.reactive import Dispatcher, HandlerRegistry, ReactiveRuntime, activate
from reactops.reactive.registry import discover_modules
from reactops.storage import SQLiteStorage
storage = SQLiteStorage(':memory:')
storage.kv_set('reactive.states.' + ready, None)
runtime = ReactiveRuntime(storage, hook_name='update-status')
started = time.perf_counter()
modules = discover_modules(charm_dir)
imported = time.perf_counter()
registry = HandlerRegistry.collect(modules, None, charm_dir=charm_dir)
registered = time.perf_counter()
with activate(runtime):
    dispatcher = Dispatcher(registry, runtime)
    recorder = dispatcher.dispatch()
done = time.perf_counter()
print(json.dumps({'import': imported - started, 'register': registered - imported,
                  'dispatch': done - registered, 'ran': len(recorder.handlers_run),
                  'tests': dispatcher.handler_tests}))
"""

_ONE_READY_REACTIVE = """
import json, sys, time
charm_dir, ready = sys.argv[1], sys.argv[2]
import charmhelpers.osplatform
charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
from charmhelpers.core import hookenv, unitdata
from charms.reactive import bus
hookenv.log = lambda message, level=None: None
unitdata._KV = unitdata.Storage(':memory:')
unitdata.kv().set('reactive.states.' + ready, None)
sys.path.insert(0, charm_dir)
started = time.perf_counter()
import reactive.many  # its decorators register the handlers
imported = time.perf_counter()
bus.dispatch()
done = time.perf_counter()
print(json.dumps({'import': imported - started, 'register': 0.0,
                  'dispatch': done - imported, 'ran': None, 'tests': None}))
"""

_ONE_READY_SOURCE = "@when('f{i}')\ndef one_{i}():\n    set_flag('g{i}')\n"


def measure_one_ready(size: int = ONE_READY_SIZE) -> dict[str, dict[str, float] | str]:
    """Median timings of a fresh process importing, registering and dispatching *size*
    handlers of which one is ready, for reactops and (if installed) charms.reactive."""
    import json
    import os
    import statistics
    import subprocess
    import tempfile

    results: dict[str, dict[str, float] | str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}
        env['PYTHONPYCACHEPREFIX'] = os.path.join(scratch, 'pycache')
        for label, package, script in (('reactops', 'reactops.reactive', _ONE_READY_REACTOPS),
                                       ('charms.reactive', 'charms.reactive',
                                        _ONE_READY_REACTIVE)):
            charm = os.path.join(scratch, label)
            os.makedirs(os.path.join(charm, 'reactive'))
            body = '\n'.join(_ONE_READY_SOURCE.format(i=i) for i in range(size))
            with open(os.path.join(charm, 'reactive', 'many.py'), 'w') as module:
                module.write(f'from {package} import set_flag, when\n\n{body}')
            runs: list[dict[str, float]] = []
            for run in range(ONE_READY_RUNS + 1):  # the first compiles the .pyc
                done = subprocess.run([sys.executable, '-c', script, charm, f'f{size // 2}'],
                                      env=env, capture_output=True, text=True, check=False)
                if done.returncode:
                    last = (done.stderr.strip().splitlines() or ['?'])[-1]
                    results[label] = ('not installed' if 'ModuleNotFoundError' in last
                                      else f'failed: {last}')
                    break
                if run:
                    runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            else:
                results[label] = {key: statistics.median(r[key] for r in runs)
                                  if runs[0][key] is not None else -1
                                  for key in runs[0]}
    return results


def _reference() -> tuple[ReactiveBench | None, str]:
    try:
        return ReactiveBench(), 'charms.reactive'
    except ImportError as error:
        return None, f'charms.reactive not installed ({error})'


def _seconds(value: float | None) -> str:
    if value is None:
        return '-'
    return f'{value * 1000:.2f} ms' if value < 1 else f'{value:.2f} s'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--budget', type=float, default=REFERENCE_BUDGET,
                        help='seconds charms.reactive may take for one measurement '
                             '(estimated from the previous size; default %(default)s)')
    options = parser.parse_args()
    logging.getLogger('reactops').setLevel(logging.WARNING)

    # All of reactops first, so charms.reactive's garbage never weighs on its timings.
    ours = ReactopsBench()
    mine = {(shape, size): ours.measure(shape, size) for shape in SHAPES for size in SIZES}
    theirs, reference_label = _reference()
    ref: dict[tuple[str, int], dict[str, Any] | str] = {}
    for shape in SHAPES:
        previous: dict[str, Any] | str | None = None
        for size in SIZES:
            if theirs is None:
                break
            estimate = previous['time'] * 100 if isinstance(previous, dict) else 0.0
            if isinstance(previous, str) or estimate > options.budget:
                ref[shape, size] = f'skipped (est. {estimate:.0f} s)' if estimate else 'skipped'
            else:
                ref[shape, size] = theirs.measure(shape, size, 1 if estimate > 1 else
                                                  _runs(size))
            previous = ref[shape, size]

    print(f'reactive dispatch, best of {REACTOPS_RUNS} runs (charms.reactive: 5, 3 at 10,000, 1 '
          'when over 1 s), fresh in-memory store each run; exit status 1 on any FAIL')
    if theirs is None:
        print(reference_label)
    header = (f'{"shape":<6}{"handlers":>9}  {"reactops":>10}{"ran":>7}{"tests":>8}'
              f'{"x/10":>7}  {"charms.reactive":>19}{"ran":>8}{"x/10":>7}  {"ratio":>7}')
    print(header)
    print('-' * len(header))
    verdicts: list[tuple[str, bool]] = []
    for shape in SHAPES:
        growths = []
        for number, size in enumerate(SIZES):
            ours_now = mine[shape, size]
            growth = ref_growth = None
            if number:
                growth = ours_now['time'] / mine[shape, SIZES[number - 1]]['time']
                growths.append(growth)
            theirs_now = ref.get((shape, size))
            if isinstance(theirs_now, dict):
                before = ref.get((shape, SIZES[number - 1])) if number else None
                if isinstance(before, dict):
                    ref_growth = theirs_now['time'] / before['time']
                ref_time, ref_ran = _seconds(theirs_now['time']), f'{theirs_now["ran"]:,}'
                ratio = f'{ours_now["time"] / theirs_now["time"]:.3f}'
            else:
                ref_time, ref_ran, ratio = theirs_now or '-', '-', '-'
            print(f'{shape:<6}{size:>9,}  {_seconds(ours_now["time"]):>10}'
                  f'{ours_now["ran"]:>7,}{ours_now["tests"]:>8,}{_factor(growth):>7}  '
                  f'{ref_time:>19}{ref_ran:>8}{_factor(ref_growth):>7}  {ratio:>7}')
        worst = max(growths)
        verdicts.append((f'{shape}: reactops time grows at most {MAX_GROWTH:g}x per 10x '
                         f'handlers (worst {worst:.1f}x)', worst <= MAX_GROWTH))
        tests = [mine[shape, size]['tests'] / size for size in SIZES]
        verdicts.append((f'{shape}: reactops handler tests per handler stay constant '
                         f'({", ".join(f"{t:.2f}" for t in tests)})',
                         max(tests) <= 3 and tests[-1] <= tests[0] + 0.5))
    chain = mine['chain', SIZES[-1]]['time']
    verdicts.insert(0, (f'10,000 handlers in a chain under {CHAIN_BUDGET:g} s '
                        f'({_seconds(chain)})', chain < CHAIN_BUDGET))
    verdicts += _report_one_ready(measure_one_ready())
    print()
    print('ran: handlers run; tests: reactops Dispatcher.handler_tests; x/10: time factor '
          'per 10x handlers; ratio: reactops / charms.reactive')
    for label, ok in verdicts:
        print(f'{"PASS" if ok else "FAIL"}  {label}')
    return 0 if all(ok for _, ok in verdicts) else 1


def _report_one_ready(results: dict[str, dict[str, float] | str]) -> list[tuple[str, bool]]:
    print(f'\n{ONE_READY_SIZE:,} handlers, one ready: a fresh process (bytecode cached), '
          f'median of {ONE_READY_RUNS}')
    header = (f'{"":<16}{"import module":>15}{"registration":>14}{"dispatch":>11}'
              f'{"reg.+disp.":>12}{"tests":>7}')
    print(header)
    print('-' * len(header))
    for label, row in results.items():
        if isinstance(row, str):
            print(f'{label:<16}{row}')
            continue
        registration = '-' if label != 'reactops' else _seconds(row['register'])
        tests = f'{int(row["tests"]):,}' if row['tests'] >= 0 else '-'
        print(f'{label:<16}{_seconds(row["import"]):>15}{registration:>14}'
              f'{_seconds(row["dispatch"]):>11}{_seconds(row["register"] + row["dispatch"]):>12}'
              f'{tests:>7}')
    print('charms.reactive registers each handler as its decorator runs (in "import module").')
    ours = results.get('reactops')
    if not isinstance(ours, dict):
        return [(f'{ONE_READY_SIZE:,} handlers, one ready: measured ({ours})', False)]
    both = ours['register'] + ours['dispatch']
    return [(f'{ONE_READY_SIZE:,} handlers, one ready: registration + dispatch under '
             f'{ONE_READY_BUDGET * 1000:g} ms ({_seconds(both)}; importing the module: '
             f'{_seconds(ours["import"])})', both < ONE_READY_BUDGET)]


def _factor(value: float | None) -> str:
    return f'{value:.1f}x' if value is not None else '-'


if __name__ == '__main__':
    sys.exit(main())
