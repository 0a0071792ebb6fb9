"""The ``hookenv`` names for the rarer hook tools and environment variables: payloads,
metrics, function (old action) names, proxy settings.

Part of :mod:`reactops.legacy.hookenv`, imported the first time one of these names is
used. Each tool runs through reactops' hook-tool runner with the argv charmhelpers built,
so it is counted and its failure is a :class:`~reactops.errors.ModelError`; a tool this
Juju lacks raises ``NotImplementedError`` where charmhelpers did (payloads) and is logged
where it logged (``add-metric``, ``function-log``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from .._private.hooktool_runner import run
from ..errors import HookToolMissingError

__all__ = [
    'RANGE_WARNING', 'action_tag', 'action_uuid', 'add_metric', 'cmd_exists',
    'env_proxy_settings', 'function_id', 'function_log', 'function_name', 'function_tag',
    'meter_info', 'meter_status', 'payload_register', 'payload_status_set',
    'payload_unregister',
]

RANGE_WARNING = ('NO_PROXY holds an address range or a wildcard domain, which some programs '
                 'reading proxy settings from the environment do not understand.')
# charmhelpers' proxy setting names -> the environment variable of each.
_PROXY_VARIABLES = {'http': 'HTTP_PROXY', 'https': 'HTTPS_PROXY', 'no_proxy': 'NO_PROXY',
                    'ftp': 'FTP_PROXY'}


# -- the running action or function ---------------------------------------------------------


def action_uuid() -> str | None:
    """The running action's id (``$JUJU_ACTION_UUID``)."""
    return os.environ.get('JUJU_ACTION_UUID')


def action_tag() -> str | None:
    """The running action's tag (``$JUJU_ACTION_TAG``)."""
    return os.environ.get('JUJU_ACTION_TAG')


def function_name() -> str | None:
    """The running function's (action's) name."""
    return os.environ.get('JUJU_FUNCTION_NAME') or os.environ.get('JUJU_ACTION_NAME')


def function_id() -> str | None:
    """The running function's (action's) id."""
    return os.environ.get('JUJU_FUNCTION_ID') or action_uuid()


def function_tag() -> str | None:
    """The running function's (action's) tag."""
    return os.environ.get('JUJU_FUNCTION_TAG') or action_tag()


def function_log(message: Any) -> None:
    """Report progress of the running function (``function-log``); to stderr when this
    Juju has no such tool."""
    text = message if isinstance(message, str) else repr(message)
    try:
        run('function-log', [text])
    except HookToolMissingError:
        print(f'function-log: {text}', file=sys.stderr)


# -- metrics and meter status --------------------------------------------------------------


def add_metric(*args: str, **kwargs: Any) -> None:
    """Record metrics (collect-metrics hook only): ``key=value`` strings and keywords,
    sent sorted; logged instead when this Juju has no ``add-metric``."""
    pairs = [*args, *(f'{key}={value}' for key, value in kwargs.items())]
    try:
        run('add-metric', sorted(pairs))
    except HookToolMissingError:
        from .hookenv import log

        log(f'add-metric failed: {" ".join(pairs)}', level='INFO')


def meter_status() -> str | None:
    """The meter status, in the meter-status-changed hook (``$JUJU_METER_STATUS``)."""
    return os.environ.get('JUJU_METER_STATUS')


def meter_info() -> str | None:
    """The meter status details, in the meter-status-changed hook (``$JUJU_METER_INFO``)."""
    return os.environ.get('JUJU_METER_INFO')


# -- payloads --------------------------------------------------------------------------------


def _payload_tool(tool: str, args: list[str]) -> None:
    try:
        run(tool, args)
    except HookToolMissingError as error:
        raise NotImplementedError(tool) from error


def payload_register(ptype: str, klass: str, pid: str) -> None:
    """Tell Juju a payload started (``payload-register``)."""
    _payload_tool('payload-register', [ptype, klass, pid])


def payload_unregister(klass: str, pid: str) -> None:
    """Tell Juju a registered payload was stopped by hand (``payload-unregister``)."""
    _payload_tool('payload-unregister', [klass, pid])


def payload_status_set(klass: str, pid: str, status: str) -> None:
    """Set a registered payload's status: starting, started, stopping or stopped."""
    _payload_tool('payload-status-set', [klass, pid, status])


# -- the environment -------------------------------------------------------------------------


def cmd_exists(cmd: str) -> bool:
    """Whether an executable *cmd* is on ``$PATH``."""
    return any(os.access(os.path.join(directory, cmd), os.X_OK)
               for directory in os.environ.get('PATH', '').split(os.pathsep))


def env_proxy_settings(selected_settings: Iterable[str] | None = None) -> dict[str, str] | None:
    """The model's proxy settings, for a program that reads them from its environment:
    ``HTTP_PROXY`` and ``http_proxy`` alike (``JUJU_CHARM_HTTP_PROXY`` winning over
    ``HTTP_PROXY``), limited to *selected_settings* (``http``, ``https``, ``no_proxy``,
    ``ftp``); ``None`` when there are none."""
    selected = set(_PROXY_VARIABLES if selected_settings is None else selected_settings)
    found: dict[str, str] = {}
    for setting, variable in _PROXY_VARIABLES.items():
        if setting not in selected:
            continue
        value = os.environ.get(f'JUJU_CHARM_{variable}') or os.environ.get(variable)
        if value:
            found[variable] = found[variable.lower()] = value
    if 'NO_PROXY' in found and _has_range(found['NO_PROXY']):
        from .hookenv import WARNING, log

        log(RANGE_WARNING, level=WARNING)
    return found or None


def _has_range(addresses: str) -> bool:
    """Whether a NO_PROXY list holds a CIDR range or a wildcard domain."""
    return '/' in addresses or '*' in addresses or addresses.startswith('.') or \
        ',.' in addresses or ' .' in addresses
