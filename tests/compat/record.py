"""What the compat scenarios' handlers ran, in order; the runner prints it.

Handler modules call :func:`ran` first thing, so the list is the handler sequence whichever
framework dispatched them. Imported by both the charms.reactive and the reactops side.
"""

from __future__ import annotations

import sys

RAN: list[str] = []


def ran(label: str | None = None) -> None:
    """Record that the calling handler ran (as ``name`` or ``name:label``)."""
    name = sys._getframe(1).f_code.co_name
    RAN.append(name if label is None else f'{name}:{label}')
