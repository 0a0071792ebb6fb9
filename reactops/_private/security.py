"""Security events: structured records of refused or risky requests, sent to the Juju log.

The record follows Canonical's security logging format (SEC0045, after OWASP's logging
vocabulary): a JSON object with a timestamp, an OWASP level, ``"type": "security"``, the
application id and an ``event`` of the form ``<type>:<data>``. It goes out through
``juju-log`` at level ``TRACE``, as ops sends it. Raised for: a non-leader reading or
setting its application's status, a hook tool refusing access, a reboot request.

Imported only when such an event happens, so a hook pays nothing for it.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable

__all__ = [
    'AUTHZ_FAIL',
    'CRITICAL',
    'SYS_RESTART',
    'WARN',
    'check_hook_tool_failure',
    'log_security_event',
]

# OWASP event types and levels (not Python's or Juju's log levels).
AUTHZ_FAIL = 'authz_fail'
SYS_RESTART = 'sys_restart'
WARN = 'WARN'
CRITICAL = 'CRITICAL'

# What a hook tool prints when Juju refuses a request for lack of rights.
_REFUSALS = ('access denied', 'permission denied', 'not the leader',
             'cannot write relation settings')


def log_security_event(level: str, event_type: str, event_data: str, *,
                       description: str) -> None:
    """Send one security event record to the Juju log (``juju-log --log-level TRACE``).

    The log and the application id come from the root logger's Juju log handler (see
    :func:`reactops.log.setup_root_logging`); without one the record goes to the Python
    logger at debug level, with a :class:`RuntimeWarning`.
    """
    juju_log, app_id = _juju_log_and_app_id()
    record = {
        'datetime': datetime.datetime.now(datetime.timezone.utc).isoformat(),
        'level': level,
        'type': 'security',
        'appid': app_id,
        'event': f'{event_type}:{event_data}',
        'description': description,
    }
    juju_log('TRACE', json.dumps(record))


def _juju_log_and_app_id() -> tuple[Callable[[str, str], None], str]:
    """The ``juju_log`` of the root logger's Juju log handler, and the application id.

    :mod:`reactops.log` keeps the answer (``_get_juju_log_and_app_id``, as ops names it);
    until that module offers it, the root logger's handlers are searched here.
    """
    from .. import log  # the Juju log handler is set up there, as in ops

    cached = getattr(log, '_get_juju_log_and_app_id', None)
    if cached is not None:
        return cached()  # type: ignore[no-any-return]
    import logging

    root = logging.getLogger()
    for handler in root.handlers:
        backend = getattr(handler, 'model_backend', None) or getattr(handler, '_backend', None)
        context = getattr(backend, '_juju_context', None)
        if isinstance(handler, log.JujuLogHandler) and context is not None:
            return backend.juju_log, f'{context.model_uuid}-{context.unit_name}'  # type: ignore[union-attr]
    import warnings

    warnings.warn('security events go to the Python logger: no Juju log handler is set up '
                  '(call setup_root_logging() first)', RuntimeWarning, stacklevel=3)

    def to_python_log(level: str, message: str) -> None:
        root.debug(message)

    return to_python_log, 'charm'


def check_hook_tool_failure(tool: str, returncode: int, stderr: str,
                            leadership: bool | None) -> None:
    """Log an ``authz_fail`` event if *tool* failed because Juju refused access.

    *leadership* is the unit's leadership as last known (``None``: unknown); it is not
    asked of Juju again, so reporting a failure never runs another hook tool.
    """
    lowered = stderr.lower()
    if not any(refusal in lowered for refusal in _REFUSALS):
        return
    name = os.path.basename(tool)
    role = {None: ' (leadership unknown)', True: ' (as leader)', False: ''}[leadership]
    log_security_event(
        CRITICAL, AUTHZ_FAIL, name,
        description=f'Hook command {name!r}{role} failed with code {returncode}: '
                    f'{stderr.strip()!r}. ')
