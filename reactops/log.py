"""Send Python logging to Juju's debug log through the ``juju-log`` hook tool.

:func:`setup_root_logging` does what ops' does: the root logger at DEBUG with a
:class:`JujuLogHandler`, Python warnings logged as warnings, uncaught exceptions logged with
their traceback (and a ``sys_crash`` security event). reactops' own dispatch then lowers the
root level to INFO (or ``$REACTOPS_LOG_LEVEL``; DEBUG under ``JUJU_DEBUG``), because each
record sent is one ``juju-log`` process.
"""

from __future__ import annotations

import enum
import functools
import logging
import sys

from ._private.typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import types
    from collections.abc import Callable
    from typing import TextIO

__all__ = ['JujuLogHandler', 'setup_root_logging']


class _LogBackend(Protocol):
    def juju_log(self, level: str, message: str) -> None: ...


class JujuLogHandler(logging.Handler):
    """A logging handler that sends each record to ``juju-log`` at the record's level.

    ``model_backend`` is the backend whose ``juju_log`` it calls.
    """

    def __init__(self, model_backend: _LogBackend, level: int = logging.DEBUG):
        super().__init__(level)
        self.model_backend = model_backend

    def emit(self, record: logging.LogRecord) -> None:
        """Send *record*; a failure to log is reported as logging does, never raised."""
        try:
            self.model_backend.juju_log(record.levelname, self.format(record))
        except Exception:
            self.handleError(record)

    if sys.version_info < (3, 11):
        def format(self, record: logging.LogRecord) -> str:
            """The record as logging formats it, and its exception's notes after the
            traceback, where Python 3.11 prints them (3.10's traceback leaves them out)."""
            text = super().format(record)
            notes = getattr(record.exc_info[1], '__notes__', None) if record.exc_info else None
            return '\n'.join([text, *map(str, notes)]) if notes else text


def setup_root_logging(model_backend: _LogBackend, debug: bool = False,
                       exc_stderr: bool = False) -> logging.Logger:
    """Route the root logger (at DEBUG) to juju-log, and return it.

    With *debug*, records also go to stderr with a timestamp. Warnings from the
    :mod:`warnings` module are logged as WARNING records (without the source line). An
    uncaught exception is logged at ERROR with its traceback; with *exc_stderr*, a short
    note also goes to stderr, pointing at ``juju debug-log``.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(JujuLogHandler(model_backend))

    def log_warning(message: Warning | str, category: type[Warning], filename: str,
                    lineno: int, file: TextIO | None = None, line: str | None = None) -> None:
        root.warning('%s:%s: %s: %s', filename, lineno, category.__name__, message)

    import warnings

    warnings.showwarning = log_warning
    if debug:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter('%(asctime)s %(levelname)-8s %(message)s'))
        root.addHandler(stderr)

    def log_uncaught(kind: type[BaseException], error: BaseException,
                     tb: types.TracebackType | None) -> None:
        root.error('Uncaught exception while in charm code:', exc_info=(kind, error, tb))
        if exc_stderr:
            print(f'Uncaught {kind.__name__} in charm code: {error}', file=sys.stderr)
            print('Use `juju debug-log` to see the full traceback.', file=sys.stderr)
        _log_security_event(_SecurityEventLevel.WARN, _SecurityEvent.SYS_CRASH,
                            kind.__name__,
                            description=f'Uncaught exception in charm code: {error!r}.')

    sys.excepthook = log_uncaught
    return root


class _SecurityEvent(enum.Enum):
    """OWASP security event types, as the ``event`` of a security record names them."""

    AUTHZ_FAIL = 'authz_fail'
    SYS_RESTART = 'sys_restart'
    SYS_CRASH = 'sys_crash'
    SYS_MONITOR_DISABLED = 'sys_monitor_disabled'


class _SecurityEventLevel(enum.Enum):
    """OWASP security event levels (not Python's or Juju's log levels)."""

    INFO = 'INFO'
    WARN = 'WARN'
    CRITICAL = 'CRITICAL'


@functools.cache
def _get_juju_log_and_app_id() -> tuple[Callable[[str, str], None], str]:
    """The ``juju_log`` of the root logger's Juju log handler, and the application id
    (``<model uuid>-<unit name>``); cached for the process (``cache_clear()`` resets it).

    Without such a handler, a :class:`RuntimeWarning`, and records go to the Python root
    logger at DEBUG under the application id ``charm``.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, JujuLogHandler):
            backend = handler.model_backend
            context = getattr(backend, '_juju_context', None)
            app_id = f'{getattr(context, "model_uuid", "")}-{getattr(context, "unit_name", "")}'
            return backend.juju_log, app_id
    import warnings

    warnings.warn('JujuLogHandler is not set up for the logger. Call setup_root_logging() '
                  'before logging security events.', RuntimeWarning, stacklevel=2)

    def to_python_log(level: str, message: str) -> None:
        root.debug(message)

    return to_python_log, 'charm'


def _log_security_event(level: _SecurityEventLevel | str, event_type: _SecurityEvent | str,
                        event_data: str, *, description: str) -> None:
    """Send one security event record (SEC0045) to the Juju log; see
    :mod:`reactops._private.security`."""
    from ._private.security import log_security_event

    log_security_event(level if isinstance(level, str) else level.value,
                       event_type if isinstance(event_type, str) else event_type.value,
                       event_data, description=description)
