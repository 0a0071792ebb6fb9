"""pytest plugin for the ops conformance run: records each test's outcome and its kind.

Loaded by ``run.py`` with ``-p conformance_plugin``. At collection it marks each test
*private* when its source (the test, its class's set-up, the fixtures it uses) reaches
into ops-private names (``ops._main``, ``_ModelBackend``, ``harness._backend``...), and
*pebble* when it is about Pebble or containers; at the end it writes every outcome to the
JSON file named by ``$REACTOPS_CONFORMANCE_OUT``.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest

PEBBLE_FILES = {'test/test_pebble.py', 'test/test_real_pebble.py',
                'testing/tests/test_e2e/test_pebble.py'}
PEBBLE_WORDS = re.compile(r'(?i)pebble|container|\bExec\b|\bMount\b|CheckInfo|\bNotice\b')
PRIVATE_DOTTED = re.compile(r'\b(?:ops|scenario)(?:\.[A-Za-z]\w*)*\._[A-Za-z]\w*')
PRIVATE_ATTR = re.compile(r'\.(_[A-Za-z]\w*)')
TEST_TIMEOUT = int(os.environ.get('REACTOPS_CONFORMANCE_TIMEOUT', '60'))

_records: dict[str, dict[str, Any]] = {}
_collect_errors: dict[str, str] = {}
_module_facts: dict[str, tuple[set[str], set[str]]] = {}


def _facts(path: Path) -> tuple[set[str], set[str]]:
    """(private names imported from ops/scenario, private names the module defines)."""
    key = str(path)
    if key not in _module_facts:
        text = path.read_text(encoding='utf-8')
        imported: set[str] = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module.split('.')[0] in ('ops', 'scenario')):
                private_module = any(part.startswith('_') for part in node.module.split('.'))
                for alias in node.names:
                    if private_module or alias.name.startswith('_'):
                        imported.add(alias.asname or alias.name)
        defined = set(re.findall(r'def (_\w+)', text))
        defined |= set(re.findall(r'\.(_\w+)\s*(?::[^=\n]*)?=(?!=)', text))
        defined |= set(re.findall(r'(?m)^\s*(_\w+)\s*(?::[^=\n]*)?=(?!=)', text))
        defined |= set(re.findall(r'class (_\w+)', text))
        _module_facts[key] = (imported, defined)
    return _module_facts[key]


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ''


def _sources(item: pytest.Item) -> str:
    parts = [_source(getattr(item, 'obj', None))]
    cls = getattr(item, 'cls', None)
    if cls is not None:
        for name in ('setUp', 'setup_method', 'setUpClass', 'setup_class'):
            if name in vars(cls):
                parts.append(_source(vars(cls)[name]))
    info = getattr(item, '_fixtureinfo', None)
    if info is not None:
        for name in item.fixturenames:  # type: ignore[attr-defined]
            for fixturedef in info.name2fixturedefs.get(name, ()):
                func = fixturedef.func
                if not getattr(func, '__module__', '').startswith('_pytest'):
                    parts.append(_source(func))
    return '\n'.join(parts)


def _classify(item: pytest.Item, rel: str) -> tuple[bool, bool]:
    text = _sources(item)
    imported, defined = _facts(Path(str(item.path)))
    private = bool(PRIVATE_DOTTED.search(text))
    if not private and imported:
        private = any(re.search(rf'\b{re.escape(name)}\b', text) for name in imported)
    if not private:
        private = any(attr not in defined and not attr.startswith('__')
                      for attr in PRIVATE_ATTR.findall(text))
    pebble = rel in PEBBLE_FILES or bool(PEBBLE_WORDS.search(text))
    return private, pebble


def _rel(item: pytest.Item) -> str:
    return Path(str(item.path)).relative_to(Path(str(item.config.rootpath))).as_posix()


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    for item in items:
        rel = _rel(item)
        private, pebble = _classify(item, rel)
        _records[item.nodeid] = {'file': rel, 'outcome': 'not run', 'private': private,
                                 'pebble': pebble}


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        path = report.nodeid.split('::')[0]
        _collect_errors[path] = str(report.longrepr)[-2000:]


class _TestTimeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _TestTimeout(f'test took more than {TEST_TIMEOUT} s')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = _records.setdefault(report.nodeid, {'file': report.nodeid.split('::')[0],
                                                 'outcome': 'not run', 'private': False,
                                                 'pebble': False})
    if report.when == 'call' or report.failed or (report.when == 'setup' and report.skipped):
        if report.failed:
            outcome = 'failed' if report.when == 'call' else 'errored'
            lines = str(report.longrepr).splitlines() if report.longrepr else ['']
            record['error'] = lines[-1][:300]
        elif report.skipped:
            outcome = 'xfailed' if hasattr(report, 'wasxfail') else 'skipped'
        else:
            outcome = 'xpassed' if hasattr(report, 'wasxfail') else 'passed'
        if record['outcome'] in ('not run', 'passed', 'skipped') or outcome == 'errored':
            record['outcome'] = outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get('REACTOPS_CONFORMANCE_OUT')
    if out:
        Path(out).write_text(json.dumps({'tests': _records, 'collect_errors': _collect_errors},
                                        indent=1, sort_keys=True), encoding='utf-8')
