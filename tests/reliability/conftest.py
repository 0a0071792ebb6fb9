"""The reliability suite: every test here is marked ``reliability``; the counts of faults,
kills, corrupt stores and bad inputs are printed at the end of the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability.refunit import COUNTS

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.reliability)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # One passing case of a tests/test_bad_input_*.py module is one bad input refused.
    COUNTS['bad inputs'] = sum(
        1 for report in terminalreporter.stats.get('passed', [])
        if getattr(report, 'when', None) == 'call'
        and report.nodeid.startswith('tests/test_bad_input_'))
    if not any(COUNTS.values()):
        return
    terminalreporter.write_line(
        f'faults injected: {COUNTS["faults"]}, kills: {COUNTS["kills"]}, '
        f'stores corrupt: {COUNTS["stores corrupt"]}, bad inputs: {COUNTS["bad inputs"]}')


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        'markers', 'reliability: fault injection, kills and bad input (nox -s reliability)')
