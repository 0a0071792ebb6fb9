"""Send Python logging to Juju's debug log through the ``juju-log`` hook tool.

Every ``juju-log`` call starts a process, so the root logger passes INFO and above by
default; set ``REACTOPS_LOG_LEVEL=DEBUG`` (or run with ``JUJU_DEBUG``) to send everything.
"""

from __future__ import annotations

import logging
import sys
from typing import Protocol

from ._private.lazylog import root_level

__all__ = ['JujuLogHandler', 'setup_root_logging']


class _LogBackend(Protocol):
    def juju_log(self, level: str, message: str) -> None: ...


class JujuLogHandler(logging.Handler):
    """A logging handler that sends each record to ``juju-log`` at the record's level."""

    def __init__(self, backend: _LogBackend, level: int = logging.DEBUG):
        super().__init__(level)
        self._backend = backend

    def emit(self, record: logging.LogRecord) -> None:
        """Send *record*; a failure to log never breaks the charm."""
        try:
            self._backend.juju_log(record.levelname, self.format(record))
        except Exception:
            self.handleError(record)


def setup_root_logging(backend: _LogBackend, *, debug: bool = False) -> logging.Logger:
    """Route the root logger to juju-log (and to stderr when *debug*); return it."""
    root = logging.getLogger()
    root.setLevel(root_level(debug=debug))
    for handler in list(root.handlers):
        if isinstance(handler, JujuLogHandler):
            root.removeHandler(handler)
    root.addHandler(JujuLogHandler(backend))
    if debug:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter('%(asctime)s %(levelname)-8s %(message)s'))
        root.addHandler(stderr)
    return root
