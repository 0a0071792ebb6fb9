"""Run every benchmark script, then one summary of every target's verdict across them.

Each ``bench/bench_*.py`` prints its own ``PASS  <target>`` / ``FAIL  <target>`` lines
and exits 1 when one FAILs. Run one after the other by ``nox -s bench``, the first FAIL
would stop the session and hide the other scripts' verdicts; this runs them all (each in
its own process, its output passed through as it comes), gathers the verdict lines, and
ends with the summary. A script that exits non-zero without printing a FAIL (it crashed)
is a FAIL of its own, so nothing is lost. The exit status is 1 when anything FAILed.

Run it with ``python bench/run_all.py [script ...]`` (default: every ``bench/bench_*.py``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERDICT_PREFIXES = ('PASS  ', 'FAIL  ')


def run_script(script: Path) -> tuple[int, list[tuple[str, bool]]]:
    """Run *script* with this interpreter, echoing its output; return its exit status
    and the verdicts it printed."""
    verdicts: list[tuple[str, bool]] = []
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.startswith(VERDICT_PREFIXES):
                verdicts.append((line[len('PASS  '):].rstrip('\n'), line.startswith('PASS')))
    return process.returncode, verdicts


def summary(results: Sequence[tuple[str, int, list[tuple[str, bool]], float]]) -> list[str]:
    """The summary lines: every verdict under its script, and the totals."""
    lines = ['', '=' * 100, 'SUMMARY: every target of every benchmark script', '=' * 100]
    passed = failed = 0
    for name, code, verdicts, seconds in results:
        lines.append(f'{name} (exit {code}, {seconds:.0f} s)')
        for label, ok in verdicts:
            lines.append(f'  {"PASS" if ok else "FAIL"}  {label}')
            passed, failed = passed + ok, failed + (not ok)
        if code and all(ok for _, ok in verdicts):
            lines.append(f'  FAIL  {name} exited {code} without a FAIL verdict (it crashed: '
                         'see its output above)')
            failed += 1
        elif not verdicts:
            lines.append('  (no verdicts: this script only measures)')
    lines += ['-' * 100, f'{passed} PASS, {failed} FAIL'
              + ('' if not failed else ': the benchmark session fails')]
    return lines


def main(argv: Sequence[str]) -> int:
    scripts = [Path(arg) for arg in argv] or sorted(HERE.glob('bench_*.py'))
    if not scripts:
        print(f'no bench_*.py scripts in {HERE}', file=sys.stderr)
        return 2
    results = []
    for script in scripts:
        print(f'\n### {script.name}', flush=True)
        started = time.perf_counter()
        code, verdicts = run_script(script)
        results.append((script.name, code, verdicts, time.perf_counter() - started))
    lines = summary(results)
    print('\n'.join(lines))
    failed = any(code for _, code, _, _ in results) or any(
        not ok for *_, verdicts, _ in results for _, ok in verdicts)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
