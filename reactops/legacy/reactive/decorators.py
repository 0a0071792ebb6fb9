"""``charms.reactive.decorators`` under reactops: the handler decorators."""

from __future__ import annotations

from typing import Any

from ...reactive.decorators import (
    collect_metrics,
    hook,
    meter_status_changed,
    not_unless,
    only_once,
    when,
    when_all,
    when_any,
    when_file_changed,
    when_none,
    when_not,
    when_not_all,
)
from .._errors import unsupported

__all__ = [
    'collect_metrics', 'hook', 'meter_status_changed', 'not_unless', 'only_once', 'when',
    'when_all', 'when_any', 'when_file_changed', 'when_none', 'when_not', 'when_not_all',
]


def __getattr__(name: str) -> Any:
    raise unsupported('charms.reactive.decorators', name)
