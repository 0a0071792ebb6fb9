"""Measures 4 to 6 of ``bench_hooks.py`` and the helpers every measure shares.

Each ``*_section`` returns the lines to print and the ``(label, ok)`` verdicts on its
issue 9 targets. The in-process measures reuse ``bench_dispatch.py`` and ``bench_core.py``
so that the numbers there and here come from the same code.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import bench_dispatch

CHAIN_BUDGET = 1.0   # seconds for 10,000 handlers in a chain
MAX_GROWTH = 12.0    # time factor allowed per 10x handlers
FLAGS = 10_000
IMPORT_RUNS = 9
TOP_OFFENDERS = 12


# Runs one measured process and writes "wall max-RSS-KiB cpu exit-code" to argv[1]. Linux
# keeps the peak RSS of the image a process had before exec, so a hook started straight
# from this (large) benchmark process would report the benchmark's own peak: the small
# launcher, started with -S and importing almost nothing, forks it instead.
_LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], 'w') as out:
    out.write(f'{wall} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime} '
              f'{os.waitstatus_to_exitcode(status)}')
"""


def timed_process(argv: Sequence[str], *, env: Mapping[str, str],
                  cwd: Path | None = None) -> tuple[float, int, int, str, float]:
    """Run *argv* (its first item an absolute path); return its wall seconds, its peak
    RSS in KiB, its exit code, its stderr and the CPU seconds (user + system) it and the
    hook tools it ran used. The launcher's own start is not in the times."""
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / 'result'
        stderr = Path(scratch) / 'stderr'
        with stderr.open('wb') as errors:
            subprocess.run([sys.executable, '-S', '-c', _LAUNCHER, str(result), *argv],
                           env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=errors, check=False)
        wall, rss, cpu, code = result.read_text().split()
        return (float(wall), int(rss), int(code), stderr.read_text(errors='replace'),
                float(cpu))


def report(verdicts: Sequence[tuple[str, bool]], started: float) -> int:
    """Print one PASS/FAIL line per target and the run's time; the exit status (1: a FAIL)."""
    print()
    for label, ok in verdicts:
        print(f'{"PASS" if ok else "FAIL"}  {label}')
    print(f'\n(benchmark took {time.perf_counter() - started:.0f} s)')
    return 0 if all(ok for _, ok in verdicts) else 1


def machine_line() -> str:
    """Cores, CPU model and date, for the table's header."""
    model = 'unknown CPU'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return (f'machine: {os.cpu_count()} cores ({model}); '
            f'{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}')


def versions_line() -> str:
    """The versions of the frameworks compared."""
    found = []
    for name, module in (('reactops', 'reactops'), ('ops', 'ops'),
                         ('charms.reactive', None), ('charmhelpers', None)):
        try:
            if module is None:
                from importlib.metadata import version
                found.append(f'{name} {version(name)}')
            else:
                found.append(f'{name} {importlib.import_module(module).__version__}')
        except Exception:  # not installed: say so rather than fail the whole run
            found.append(f'{name} missing')
    return ', '.join(found)


# -- 4. dispatch ---------------------------------------------------------------------------

def dispatch_section(budget: float) -> tuple[list[str], list[tuple[str, bool]]]:
    """Dispatch of 10..10,000 handlers, chain and fan, reactops beside charms.reactive."""
    logging.getLogger('reactops').setLevel(logging.WARNING)
    ours = bench_dispatch.ReactopsBench()
    mine = {(shape, size): ours.measure(shape, size)
            for shape in bench_dispatch.SHAPES for size in bench_dispatch.SIZES}
    theirs = _reactive_dispatch(budget)
    lines = [f'reactive dispatch in process (best of {bench_dispatch.REACTOPS_RUNS}; '
             'charms.reactive stops a chain at 100 iterations: "ran" shows it)',
             f'{"shape":<6}{"handlers":>9}{"reactops":>12}{"ran":>8}{"tests":>8}{"x/10":>7}'
             f'{"charms.reactive":>17}{"ran":>7}{"ratio":>8}',
             '-' * 82]
    verdicts: list[tuple[str, bool]] = []
    for shape in bench_dispatch.SHAPES:
        growths = []
        for number, size in enumerate(bench_dispatch.SIZES):
            now = mine[shape, size]
            growth = None
            if number:
                growth = now['time'] / mine[shape, bench_dispatch.SIZES[number - 1]]['time']
                growths.append(growth)
            ref = theirs(shape, size)
            ref_time = _ms(ref['time']) if ref else 'skipped'
            ref_ran = f'{ref["ran"]:,}' if ref else '-'
            ratio = f'{now["time"] / ref["time"]:.3f}' if ref else '-'
            lines.append(f'{shape:<6}{size:>9,}{_ms(now["time"]):>12}{now["ran"]:>8,}'
                         f'{now["tests"]:>8,}{_factor(growth):>7}{ref_time:>17}{ref_ran:>7}'
                         f'{ratio:>8}')
        verdicts.append((f'dispatch {shape}: at most {MAX_GROWTH:g}x time per 10x handlers '
                         f'(worst {max(growths):.1f}x)', max(growths) <= MAX_GROWTH))
    chain = mine['chain', bench_dispatch.SIZES[-1]]['time']
    verdicts.insert(0, (f'dispatch: 10,000 handlers in a chain under {CHAIN_BUDGET:g} s '
                        f'({_ms(chain)})', chain < CHAIN_BUDGET))
    return lines, verdicts


def _reactive_dispatch(budget: float) -> Callable[[str, int], dict[str, Any] | None]:
    """Measure charms.reactive lazily, skipping sizes whose estimate exceeds *budget*."""
    try:
        bench = bench_dispatch.ReactiveBench()
    except ImportError:
        return lambda shape, size: None
    done: dict[tuple[str, int], dict[str, Any] | None] = {}

    def measure(shape: str, size: int) -> dict[str, Any] | None:
        if (shape, size) not in done:
            before = done.get((shape, size // 10))
            estimate = before['time'] * 100 if before else 0.0
            if size > bench_dispatch.SIZES[0] and (before is None or estimate > budget):
                done[shape, size] = None
            else:
                done[shape, size] = bench.measure(shape, size, 1 if estimate > 1 else 5)
        return done[shape, size]

    return measure


# -- 5. commit -----------------------------------------------------------------------------

def commit_section(root: Path) -> tuple[list[str], list[tuple[str, bool]]]:
    """10,000 flags set and committed; 1,000 StoredState fields committed."""
    import bench_core

    # ops warns about charm_dir=None, which this in-memory measure passes on purpose.
    logging.getLogger('ops').setLevel(logging.ERROR)
    rows = [(f'set {FLAGS:,} flags + commit (state file)', _reactops_flags(root),
             _reactive_flags(root), 'charms.reactive')]
    ops_core = bench_core._try_import('ops.framework', 'ops.storage')
    ours = bench_core._bench(*bench_core._try_import('reactops.framework',
                                                     'reactops.storage') or [])
    theirs = bench_core._bench(*ops_core) if ops_core else None
    rows.append((f'commit {bench_core.FIELDS:,} StoredState fields (memory)', ours['commit'],
                 theirs['commit'] if theirs else None, 'ops'))
    lines = ['commit cost (best of 5)',
             f'{"measure":<46}{"reactops":>12}{"reference":>28}{"ratio":>8}', '-' * 94]
    for label, mine, ref, ref_name in rows:
        ref_text = f'{_ms(ref)} ({ref_name})' if ref is not None else f'{ref_name} missing'
        ratio = f'{mine / ref:.2g}' if ref else '-'
        lines.append(f'{label:<46}{_ms(mine):>12}{ref_text:>28}{ratio:>8}')
    return lines, []


def _best(action: Callable[[], Callable[[], None]], runs: int = 5) -> float:
    """Best time of the callable that *action* prepares (preparing is not timed).

    A run over 5 s is not repeated: charms.reactive takes minutes for 10,000 flags.
    """
    best = float('inf')
    for _ in range(runs):
        timed = action()
        gc.collect()
        start = time.perf_counter()
        timed()
        best = min(best, time.perf_counter() - start)
        if best > 5:
            break
    return best


def _reactops_flags(root: Path) -> float:
    from reactops.reactive import ReactiveRuntime, activate, set_flag
    from reactops.storage import SQLiteStorage

    def prepare() -> Callable[[], None]:
        path = root / 'flags-reactops.db'
        path.unlink(missing_ok=True)
        storage = SQLiteStorage(path)
        runtime = ReactiveRuntime(storage, hook_name='update-status')

        def run() -> None:
            with activate(runtime):
                for i in range(FLAGS):
                    set_flag(f'flag.{i}')
            storage.commit()
            storage.close()
        return run

    return _best(prepare)


def _reactive_flags(root: Path) -> float | None:
    try:
        import charmhelpers.osplatform  # type: ignore[import-not-found]

        charmhelpers.osplatform.get_platform = lambda: 'ubuntu'
        from charmhelpers.core import hookenv, unitdata  # type: ignore[import-not-found]
        from charms.reactive import set_flag  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    hookenv.log = lambda message, level=None: None

    def prepare() -> Callable[[], None]:
        path = root / 'flags-reactive.db'
        path.unlink(missing_ok=True)
        unitdata._KV = unitdata.Storage(str(path))

        def run() -> None:
            for i in range(FLAGS):
                set_flag(f'flag.{i}')
            unitdata.kv().flush()
            unitdata.kv().close()
        return run

    return _best(prepare)


# -- 6. imports ----------------------------------------------------------------------------

_PLATFORM = "import charmhelpers.osplatform as p; p.get_platform = lambda: 'ubuntu'; "


def import_section(pycache: Path, hook: tuple[list[str], dict[str, str], Path] | None
                   ) -> tuple[list[str], list[tuple[str, bool]]]:
    """Process time of the imports, and what a reactops hook spends its imports on."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}
    env['PYTHONPYCACHEPREFIX'] = str(pycache)
    codes = {'python -c pass': 'pass', 'import yaml': 'import yaml',
             'import reactops': 'import reactops', 'import ops': 'import ops',
             'import charms.reactive': _PLATFORM + 'import charms.reactive'}
    lines = [f'imports: fresh process, median of {IMPORT_RUNS}; "import time" is what '
             '-X importtime reports for the import statement alone']
    for label, code in codes.items():
        argv = [sys.executable, '-c', code]
        if timed_process(argv, env=env)[2]:
            lines.append(f'  {label:<24} not importable')
            continue
        wall = statistics.median(timed_process(argv, env=env)[0] for _ in range(IMPORT_RUNS))
        own = ''
        if label.startswith('import '):
            module = label.split()[-1]
            spent = statistics.median(_import_tree(argv, env)[0].get(module, (0, 0))[1]
                                      for _ in range(3))
            own = f'   import time {spent / 1000:6.1f} ms'
        lines.append(f'  {label:<24}{_ms(wall):>10}{own}')
    if hook is not None:
        hook_argv, hook_env, cwd = hook
        tree, top = _import_tree(hook_argv, {**hook_env, 'PYTHONPYCACHEPREFIX': str(pycache)},
                                 cwd)
        total = sum(tree[name][1] for name in top)
        lines += ['', f'top -X importtime offenders (self time) of the reactops ops-style '
                  f'config-changed hook, {total / 1000:.1f} ms in top-level imports:']
        worst = sorted(tree.items(), key=lambda item: -item[1][0])[:TOP_OFFENDERS]
        lines += [f'  {name:<40}{own / 1000:7.2f} ms self{cum / 1000:8.2f} ms cumulative'
                  for name, (own, cum) in worst]
    return lines, []


def _import_tree(argv: Sequence[str], env: Mapping[str, str],
                 cwd: Path | None = None) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """From one ``-X importtime`` run of *argv*: module -> (self µs, cumulative µs), and
    the modules imported at the top level (not by another module)."""
    result = subprocess.run([argv[0], '-X', 'importtime', *argv[1:]], env=dict(env), cwd=cwd,
                            capture_output=True, text=True, check=False)
    tree: dict[str, tuple[int, int]] = {}
    top: list[str] = []
    for line in result.stderr.splitlines():
        if not line.startswith('import time:') or 'self [us]' in line:
            continue
        own, cumulative, name = line[len('import time:'):].split('|')
        tree[name.strip()] = (int(own), int(cumulative))
        if not name.startswith('  '):  # one space follows the bar; nesting adds two
            top.append(name.strip())
    return tree, top


def _ms(seconds: float) -> str:
    return f'{seconds * 1000:.2f} ms' if seconds < 1 else f'{seconds:.2f} s'


def _factor(value: float | None) -> str:
    return f'{value:.1f}x' if value is not None else '-'
