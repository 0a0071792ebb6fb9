"""``charmhelpers.core.hookenv`` as reactops provides it.

Every public name of charmhelpers 1.2.1's module, with its names and return shapes, going
through reactops' model and hook tools: answers are cached for the dispatch as the model
caches them, relation writes go out with the dispatch's commit (only if the hook
succeeds), and everything is recorded like any other reactops hook tool call. The hook
context, logging, status, leadership and the ``atstart``/``atexit`` callbacks are defined
here, the relation functions in :mod:`._hookenv_relations`; the rest live in modules by
concept (config, the unit's actions and ports, goal state, classic hooks, rarer tools),
each imported the first time one of its names is used (:data:`_LAZY`), so a hook pays only
for what it calls. Any other name comes from a charmhelpers the charm packs, else raises
:class:`~reactops.legacy.UnsupportedLegacyAPIError` (an ``AttributeError``) naming the
porting guide.
"""

from __future__ import annotations

import enum
import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._private.backend import ModelBackend
from ..errors import HookToolMissingError
from . import _session
from ._errors import unsupported
from ._hookenv_relations import (
    egress_subnets,
    ingress_address,
    interface_to_relations,
    is_relation_made,
    metadata,
    peer_relation_id,
    related_units,
    relation_get,
    relation_id,
    relation_ids,
    relation_set,
    relation_to_interface,
    relation_to_role_and_interface,
    relation_type,
    relation_types,
    relations_of_type,
    remote_service_name,
    remote_unit,
    role_and_interface_to_relations,
)

__all__ = [
    'CRITICAL', 'DEBUG', 'ERROR', 'INFO', 'MARKER', 'RANGE_WARNING', 'SH_MAX_ARG', 'TRACE',
    'WARNING', 'WORKLOAD_STATES', 'Config', 'Hooks', 'NoNetworkBinding', 'Serializable',
    'UnregisteredHookError', 'action_fail', 'action_get', 'action_name', 'action_set',
    'action_tag', 'action_uuid', 'add_metric', 'application_name',
    'application_version_set', 'atexit', 'atstart', 'cache', 'cached', 'charm_dir',
    'charm_name', 'close_port', 'close_ports', 'cmd_exists', 'config', 'departing_unit',
    'deprecate', 'egress_subnets', 'env_proxy_settings', 'execution_environment',
    'expected_peer_units', 'expected_related_units', 'flush', 'function_fail',
    'function_get', 'function_id', 'function_log', 'function_name', 'function_set',
    'function_tag', 'goal_state', 'has_juju_version', 'hook_name', 'in_relation_hook',
    'ingress_address', 'interface_to_relations', 'is_leader', 'is_relation_made',
    'is_subordinate', 'iter_units_for_relation_name', 'juju_version', 'leader_get',
    'leader_set', 'local_unit', 'log', 'metadata', 'meter_info', 'meter_status',
    'model_name', 'model_uuid', 'network_get', 'network_get_primary_address', 'open_port',
    'open_ports', 'opened_ports', 'payload_register', 'payload_status_set',
    'payload_unregister', 'peer_relation_id', 'principal_unit', 'related_units',
    'relation_clear', 'relation_for_unit', 'relation_get', 'relation_id', 'relation_ids',
    'relation_set', 'relation_to_interface', 'relation_to_role_and_interface',
    'relation_type', 'relation_types', 'relations', 'relations_for_id', 'relations_of_type',
    'remote_service_name', 'remote_unit', 'resource_get', 'role_and_interface_to_relations',
    'service_name', 'status_get', 'status_set', 'storage_get', 'storage_list',
    'translate_exc', 'unit_doomed', 'unit_get', 'unit_private_ip', 'unit_public_ip',
]

if TYPE_CHECKING:
    from ._hookenv_config import Config, config
    from ._hookenv_hooks import (
        MARKER,
        Hooks,
        Serializable,
        UnregisteredHookError,
        deprecate,
        execution_environment,
        translate_exc,
    )
    from ._hookenv_model import (
        charm_name,
        expected_peer_units,
        expected_related_units,
        goal_state,
        has_juju_version,
        is_subordinate,
        principal_unit,
        unit_doomed,
    )
    from ._hookenv_relations import (
        iter_units_for_relation_name,
        relation_clear,
        relation_for_unit,
        relations,
        relations_for_id,
    )
    from ._hookenv_tools import (
        RANGE_WARNING,
        action_tag,
        action_uuid,
        add_metric,
        cmd_exists,
        env_proxy_settings,
        function_id,
        function_log,
        function_name,
        function_tag,
        meter_info,
        meter_status,
        payload_register,
        payload_status_set,
        payload_unregister,
    )
    from ._hookenv_unit import (
        NoNetworkBinding,
        action_fail,
        action_get,
        action_set,
        close_port,
        close_ports,
        function_fail,
        function_get,
        function_set,
        network_get,
        network_get_primary_address,
        open_port,
        open_ports,
        opened_ports,
        resource_get,
        storage_get,
        storage_list,
        unit_get,
        unit_private_ip,
        unit_public_ip,
    )

    cache: dict[str, Any]

# The names defined in other modules, imported when first used: name -> module.
_LAZY: dict[str, str] = {
    **dict.fromkeys(('charm_name', 'expected_peer_units', 'expected_related_units',
                     'goal_state', 'has_juju_version', 'is_subordinate', 'principal_unit',
                     'unit_doomed'), '_hookenv_model'),
    **dict.fromkeys(('iter_units_for_relation_name', 'relation_clear', 'relation_for_unit',
                     'relations', 'relations_for_id'), '_hookenv_relations'),
    **dict.fromkeys(('RANGE_WARNING', 'action_tag', 'action_uuid', 'add_metric',
                     'cmd_exists', 'env_proxy_settings', 'function_id', 'function_log',
                     'function_name', 'function_tag', 'meter_info', 'meter_status',
                     'payload_register', 'payload_status_set', 'payload_unregister'),
                    '_hookenv_tools'),
    **dict.fromkeys(('Hooks', 'MARKER', 'Serializable', 'UnregisteredHookError', 'deprecate',
                     'execution_environment', 'translate_exc'), '_hookenv_hooks'),
    **dict.fromkeys(('CONFIG_SAVED_KEY', 'Config', 'config'), '_hookenv_config'),
    **dict.fromkeys(('NoNetworkBinding', 'action_fail', 'action_get', 'action_set',
                     'close_port', 'close_ports', 'function_fail', 'function_get',
                     'function_set', 'network_get', 'network_get_primary_address',
                     'open_port', 'open_ports', 'opened_ports', 'resource_get', 'storage_get',
                     'storage_list', 'unit_get', 'unit_private_ip', 'unit_public_ip'),
                    '_hookenv_unit'),
}

CRITICAL = 'CRITICAL'
ERROR = 'ERROR'
WARNING = 'WARNING'
INFO = 'INFO'
DEBUG = 'DEBUG'
TRACE = 'TRACE'
#: Longest single argument a hook tool takes (longer log messages are split).
SH_MAX_ARG = 131071

_F = TypeVar('_F', bound=Callable[..., Any])


class WORKLOAD_STATES(enum.Enum):  # noqa: N801 - charmhelpers' name
    """The workload states a charm may set (``status_set`` takes one, or its name)."""

    ACTIVE = 'active'
    BLOCKED = 'blocked'
    MAINTENANCE = 'maintenance'
    WAITING = 'waiting'


def _backend() -> ModelBackend:
    backend: ModelBackend = _session.model()._backend
    return backend


# -- the hook context ---------------------------------------------------------------------


def hook_name() -> str:
    """The running hook: the dispatch's; outside one, ``$JUJU_HOOK_NAME`` as Juju set it
    (empty in an action or a ``juju exec`` script, as charmhelpers answered there), and
    when it is not set at all, the dispatch path's or argv[0]'s name."""
    if _session.in_dispatch():
        from ..reactive._runtime import current

        if current().hook_name:
            return current().hook_name
    name = os.environ.get('JUJU_HOOK_NAME')
    if name is not None:
        return name
    path = os.environ.get('JUJU_DISPATCH_PATH')
    return os.path.basename(path or sys.argv[0])


def charm_dir() -> str:
    """The charm directory."""
    return str(_session.charm_dir())


def local_unit() -> str:
    """This unit's name (``$JUJU_UNIT_NAME``; ``KeyError`` outside Juju, as charmhelpers)."""
    return os.environ['JUJU_UNIT_NAME']


def application_name() -> str:
    """This unit's application."""
    return local_unit().split('/')[0]


service_name = application_name


def model_name() -> str:
    """The model's name."""
    return os.environ['JUJU_MODEL_NAME']


def model_uuid() -> str:
    """The model's UUID."""
    return os.environ['JUJU_MODEL_UUID']


def in_relation_hook() -> bool:
    """Whether a relation hook is running."""
    return 'JUJU_RELATION' in os.environ


def departing_unit() -> str | None:
    """The unit leaving, in a relation-departed hook."""
    return os.environ.get('JUJU_DEPARTING_UNIT')


def juju_version() -> str:
    """The Juju agent's version."""
    return os.environ.get('JUJU_VERSION', '')


def action_name() -> str | None:
    """The running action's name."""
    return os.environ.get('JUJU_ACTION_NAME')


def cached(func: _F) -> _F:
    """Remember *func*'s answers for the session (the dispatch), keyed by its arguments."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = json.dumps([func.__module__, func.__qualname__, args, kwargs],
                         sort_keys=True, default=str)
        memo = _session.session().memo
        if key not in memo:
            memo[key] = func(*args, **kwargs)
        return memo[key]

    return wrapper  # type: ignore[return-value]


def flush(key: str) -> None:
    """Forget the remembered ``@cached`` answers whose call mentions *key*."""
    memo = _session.session().memo
    for entry in [entry for entry in memo if key in entry]:
        del memo[entry]


# -- callbacks ----------------------------------------------------------------------------


def atstart(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call *callback* before the handlers run (registration order)."""
    _session.session().atstart.append((callback, args, kwargs))


def atexit(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call *callback* after the handlers ran, if they succeeded (reverse order)."""
    _session.session().atexit.append((callback, args, kwargs))


def _run_atstart() -> None:
    state = _session.session()
    while state.atstart:
        callback, args, kwargs = state.atstart.pop(0)
        callback(*args, **kwargs)


def _run_atexit() -> None:
    state = _session.session()
    while state.atexit:
        callback, args, kwargs = state.atexit.pop()
        callback(*args, **kwargs)


# -- logging and status ---------------------------------------------------------------------


def log(message: Any, level: str | None = None) -> None:
    """Write to the unit's log (``juju-log``; a non-string as its ``repr``); to stderr
    when there is no Juju."""
    text = message if isinstance(message, str) else repr(message)
    try:
        _backend().juju_log(level or INFO, text)
    except (HookToolMissingError, OSError):
        print(f'{level or INFO}: {text}', file=sys.stderr)


def status_set(workload_state: str, message: str = '', application: bool = False) -> None:
    """Set this unit's (or, as leader, the application's) workload status."""
    from ..model import StatusBase

    if isinstance(workload_state, WORKLOAD_STATES):
        state = workload_state.value
    else:
        state = str(workload_state).lower()
        names = [member.value for member in WORKLOAD_STATES]
        if state not in names:
            raise ValueError(f'{workload_state!r} is not a workload state: use one of '
                             f'{", ".join(names)}')
    call = _replaced_subprocess_call()
    if call is not None and not application and call(['status-set', state, message]) == 0:
        return  # a layer (layer-status' patch-hookenv) took the status over
    model = _session.model()
    status = StatusBase.from_name(state, message)
    try:
        if application:
            model.app.status = status
        else:
            model.unit.status = status
    except (HookToolMissingError, OSError):
        log(f'status-set failed: {state} {message}', level=INFO)


def _replaced_subprocess_call() -> Callable[..., Any] | None:
    """``subprocess.call`` when charm code replaced it, else None.

    charmhelpers' ``status_set`` ran ``subprocess.call(['status-set', state, message])``;
    layer-status (option ``patch-hookenv``, on by default) replaces ``subprocess.call`` to
    collect those statuses and set the most important one at the end of the hook. Handing
    it the same call keeps that working.
    """
    subprocess = sys.modules.get('subprocess')
    call = getattr(subprocess, 'call', None)
    code = getattr(call, '__code__', None)
    if code is None or code.co_filename == getattr(subprocess, '__file__', None):
        return None
    return call


def status_get() -> tuple[str, str]:
    """This unit's workload status and message."""
    data = _backend().status_get(is_app=False)
    return str(data.get('status', 'unknown')), str(data.get('message', ''))


def application_version_set(version: str) -> None:
    """Set the workload version shown by ``juju status``."""
    _session.model().unit.set_workload_version(str(version))


# -- leadership ----------------------------------------------------------------------------


def is_leader() -> bool:
    """Whether this unit is the leader."""
    return bool(_session.model().unit.is_leader())


def leader_get(attribute: str | None = None) -> Any:
    """The leader settings, or one of them."""
    from .._private import hooktools as hookcmds

    return hookcmds.leader_get() if attribute is None else hookcmds.leader_get(attribute)


def leader_set(settings: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
    """Write leader settings (leader only); ``None`` deletes a key."""
    from .._private import hooktools as hookcmds

    merged = {**dict(settings or {}), **kwargs}
    hookcmds.leader_set({k: None if v is None else str(v) for k, v in merged.items()})


_REAL: list[Any] = []


def _real_hookenv() -> Any:
    """charmhelpers' own hookenv, loaded under a private name when the charm packs
    charmhelpers (``None`` otherwise): names the shim lacks come from it, so the rest of a
    packed charmhelpers (``charmhelpers.fetch`` imports many) keeps working."""
    if not _REAL:
        _REAL.append(_load_real())
    return _REAL[0]


def _load_real() -> Any:
    import importlib.util

    package = sys.modules.get('charmhelpers')
    for directory in getattr(package, '__path__', None) or []:
        path = os.path.join(directory, 'core', 'hookenv.py')
        if not os.path.exists(path):
            continue
        spec = importlib.util.spec_from_file_location('reactops.legacy._charmhelpers_hookenv',
                                                      path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception:  # e.g. distutils, gone in Python 3.12: treat as absent
            return None
        return module
    return None


def __getattr__(name: str) -> Any:
    if name == 'cache':  # the session's memo of @cached answers: a new one per dispatch
        return _session.session().memo
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f'{__package__}.{_LAZY[name]}'), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value
    real = _real_hookenv() if not name.startswith('__') else None
    if real is not None and hasattr(real, name):
        return getattr(real, name)
    raise unsupported('charmhelpers.core.hookenv', name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {'cache'})
