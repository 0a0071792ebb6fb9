"""Run ops' own test suite against reactops and print how much of it passes.

    python tests/conformance/run.py [--suite DIR] [--json FILE] [--markdown FILE] [-- PYTEST ARGS]

The suite (default: ``../shared/conformance/ops`` beside the repository) is copied to a
temporary folder, since pytest writes next to the tests and imports ``test.charms`` as a
package, and run with the interpreter running this script; reactops answers ``import ops``
and ``import scenario`` there (``reactops-ops.pth``, or the pytest plugin). The table counts
each file's tests, and the headline is the pass rate of the tests that neither reach into
ops-private names nor use Pebble or containers. Exit status 0 unless the run itself broke.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_SUITE = REPO.parent / 'shared' / 'conformance' / 'ops'
FAILED = ('failed', 'errored')


def run_suite(suite: Path, pytest_args: list[str]) -> dict[str, Any]:
    """Copy *suite*, run it under pytest with the recording plugin, return the records."""
    with tempfile.TemporaryDirectory(prefix='ops-conformance-') as tmp:
        work = Path(tmp) / 'ops'
        shutil.copytree(suite, work)
        out = Path(tmp) / 'records.json'
        env = dict(os.environ)
        env['REACTOPS_CONFORMANCE_OUT'] = str(out)
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(HERE), env.get('PYTHONPATH')]))
        # As in an activated virtualenv (nox, tox): test_main.py runs its charm through a
        # `#!/usr/bin/env python3` dispatch script, which must find this interpreter.
        env['PATH'] = os.pathsep.join([str(Path(sys.executable).parent), env.get('PATH', '')])
        env.pop('PYTHONDONTWRITEBYTECODE', None)
        targets = [t for t in ('test', 'testing/tests') if (work / t).is_dir()]
        command = [sys.executable, '-m', 'pytest', '-p', 'conformance_plugin',
                   '-p', 'no:cacheprovider', '-q', '--no-header', '-rN', '--tb=no',
                   '--continue-on-collection-errors',
                   *targets, *pytest_args]
        subprocess.run(command, cwd=work, env=env, check=False)
        if not out.exists():
            raise SystemExit('conformance: pytest wrote no records; see its output above')
        return json.loads(out.read_text(encoding='utf-8'))


def summarize(records: dict[str, Any]) -> dict[str, Any]:
    """Per-file counts and the headline figures."""
    files: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records['tests'].values():
        counts = files[record['file']]
        counts['tests'] += 1
        counts[record['outcome']] += 1
        if record['outcome'] in FAILED:
            counts['failed (private)' if record['private'] else 'failed (pebble)'
                   if record['pebble'] else 'failed (public)'] += 1
    for path in records['collect_errors']:
        files[path]['import error'] += 1
    tests = list(records['tests'].values())
    counted = [t for t in tests if not t['private'] and not t['pebble']
               and t['outcome'] not in ('skipped', 'xfailed')]
    passed = sum(t['outcome'] in ('passed', 'xpassed') for t in counted)
    return {
        'files': {path: dict(counts) for path, counts in sorted(files.items())},
        'total': len(tests),
        'passed': sum(t['outcome'] in ('passed', 'xpassed') for t in tests),
        'failed': sum(t['outcome'] in FAILED for t in tests),
        'failed_private': sum(t['outcome'] in FAILED and t['private'] for t in tests),
        'failed_pebble': sum(t['outcome'] in FAILED and t['pebble'] and not t['private']
                             for t in tests),
        'import_errors': sorted(records['collect_errors']),
        'headline_total': len(counted),
        'headline_passed': passed,
    }


def table(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table with the headline below it."""
    columns = ['tests', 'passed', 'failed', 'errored', 'skipped', 'failed (private)',
               'failed (pebble)', 'import error']
    lines = ['| file | ' + ' | '.join(columns) + ' |', '|---|' + '---:|' * len(columns)]
    for path, counts in summary['files'].items():
        lines.append(f'| {path} | ' + ' | '.join(str(counts.get(c, 0)) for c in columns) + ' |')
    share = summary['headline_passed'] / summary['headline_total'] if summary[
        'headline_total'] else 0.0
    lines += ['', f"All tests: {summary['passed']} of {summary['total']} pass; "
              f"{summary['failed']} fail, of which {summary['failed_private']} reach into "
              f"ops-private names and {summary['failed_pebble']} more use Pebble/containers.",
              f"Neither private nor Pebble: {summary['headline_passed']} of "
              f"{summary['headline_total']} pass ({share:.1%}).",
              f"Files that fail to import: {len(summary['import_errors'])}"
              + (f" ({', '.join(summary['import_errors'])})" if summary['import_errors'] else '')]
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--suite', type=Path, default=DEFAULT_SUITE)
    parser.add_argument('--json', type=Path, help='write the records and summary here')
    parser.add_argument('--markdown', type=Path, help='write the table here')
    parser.add_argument('pytest_args', nargs='*')
    args = parser.parse_args(argv)
    if not args.suite.is_dir():
        print(f'conformance: no suite at {args.suite}; pass --suite DIR', file=sys.stderr)
        return 2
    records = run_suite(args.suite, args.pytest_args)
    summary = summarize(records)
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    text = f'Run {stamp}, reactops commit {commit or "unknown"}\n\n' + table(summary)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + '\n', encoding='utf-8')
    if args.json:
        args.json.write_text(json.dumps({'summary': summary, **records}, indent=1),
                             encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())
