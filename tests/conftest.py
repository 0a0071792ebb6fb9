"""Shared pytest fixtures, and which tests a run selects (the rules live in runmode.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakejuju import FakeJuju
from hypothesis import settings
from runmode import QUICK_MARKEXPR, examples, whole_suite

pytest_plugins = ['leftovers']

# A property test's own @settings(max_examples=...) wins over the profile: those call
# runmode.examples() themselves.
settings.register_profile('whole' if whole_suite() else 'quick', max_examples=examples(100))
settings.load_profile('whole' if whole_suite() else 'quick')


def pytest_configure(config: pytest.Config) -> None:
    """Leave the slow tests out unless the run asks for them (see runmode.py).

    An explicit ``-m`` wins (``-m slow`` runs only them), and so does a test named by its id
    (``path::test``).
    """
    named = any('::' in arg for arg in config.args)
    if not config.option.markexpr and not named and not whole_suite():
        config.option.markexpr = QUICK_MARKEXPR


def pytest_report_header(config: pytest.Config) -> str | None:
    if whole_suite():
        return 'whole suite: REACTOPS_ALL_TESTS or CI is set'
    if config.option.markexpr == QUICK_MARKEXPR:
        return 'quick run: tests marked slow left out (REACTOPS_ALL_TESTS=1 runs all)'
    return None


@pytest.fixture
def fake_juju(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeJuju:
    """Fake hook tools on PATH and a unit's JUJU_* variables, for in-process calls."""
    fake = FakeJuju(tmp_path / 'fakejuju')
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    return fake


@pytest.fixture(autouse=True)
def _root_logging_put_back() -> object:
    """Put the root logger's handlers and level back after each test.

    A test that runs a dispatch in process (ops' `setup_root_logging`) leaves a juju-log
    handler on the root logger; later tests that count hook-tool calls would see its
    `juju-log` calls.
    """
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)
