"""Shared pytest fixtures. Keep each one short: put the logic in a helper package."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakejuju import FakeJuju


@pytest.fixture
def fake_juju(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeJuju:
    """Fake hook tools on PATH and a unit's JUJU_* variables, for in-process calls."""
    fake = FakeJuju(tmp_path / 'fakejuju')
    for name, value in fake.env().items():
        monkeypatch.setenv(name, value)
    return fake
