"""What the flag-graph tests share: the ids of handlers defined in a test, and a fixture
that drops the triggers handler modules register for the whole process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reactops.reactive import _runtime
from reactops.reactive.graph import handler_node

__all__ = ['hid', 'no_static_triggers', 'node']


def hid(function: Callable[..., Any]) -> str:
    """The id of a handler defined in a test (registered without a charm dir)."""
    code = function.__code__
    return f'{code.co_filename}:{code.co_firstlineno}:{function.__qualname__}'


def node(function: Callable[..., Any]) -> str:
    """The graph node of a handler defined in a test."""
    return handler_node(hid(function))


@pytest.fixture(autouse=True)
def no_static_triggers() -> Iterator[None]:
    """Handler modules imported here register triggers for the whole process: drop them."""
    _runtime.reset_default()
    yield
    _runtime.reset_default()
