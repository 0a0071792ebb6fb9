"""Shared pytest fixtures. Keep each one short: put the logic in a helper package."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakejuju import FakeJuju

pytest_plugins = ['leftovers']


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
