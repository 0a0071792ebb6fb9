"""``charmhelpers.core.hookenv`` as reactops provides it.

The functions reactive charms use most, with charmhelpers' names and return shapes, going
through reactops' model and hook tools: answers are cached for the dispatch as the model
caches them, relation writes go out with the dispatch's commit (only if the hook
succeeds), and everything is recorded like any other reactops hook tool call. Names not
provided raise :class:`~reactops.legacy.UnsupportedLegacyAPIError` (an
``AttributeError``) naming the porting guide.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._private.backend import ModelBackend
from ..errors import HookToolMissingError, ModelError
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
    'CRITICAL', 'DEBUG', 'ERROR', 'INFO', 'TRACE', 'WARNING', 'WORKLOAD_STATES', 'Config',
    'action_fail', 'action_get', 'action_name', 'action_set', 'application_name',
    'application_version_set', 'atexit', 'atstart', 'cached', 'charm_dir', 'close_port',
    'close_ports', 'config', 'departing_unit', 'egress_subnets', 'function_fail',
    'function_get', 'function_set', 'hook_name', 'in_relation_hook', 'ingress_address',
    'interface_to_relations', 'is_leader', 'is_relation_made', 'juju_version',
    'leader_get', 'leader_set', 'local_unit', 'log', 'metadata', 'model_name',
    'model_uuid', 'network_get', 'network_get_primary_address', 'open_port', 'open_ports',
    'opened_ports', 'peer_relation_id', 'related_units', 'relation_get', 'relation_id',
    'relation_ids', 'relation_set', 'relation_to_interface',
    'relation_to_role_and_interface', 'relation_type', 'relation_types',
    'relations_of_type', 'remote_service_name', 'remote_unit', 'resource_get',
    'role_and_interface_to_relations', 'service_name', 'status_get', 'status_set',
    'storage_get', 'storage_list', 'unit_get', 'unit_private_ip', 'unit_public_ip',
]

CRITICAL = 'CRITICAL'
ERROR = 'ERROR'
WARNING = 'WARNING'
INFO = 'INFO'
DEBUG = 'DEBUG'
TRACE = 'TRACE'
WORKLOAD_STATES = ('active', 'blocked', 'maintenance', 'waiting')
#: Where :class:`Config` keeps the values the last successful hook saw.
CONFIG_SAVED_KEY = 'reactops.legacy.config.previous'
# charmhelpers kept them in this file; read once after an in-place upgrade.
_LEGACY_CONFIG_FILE = '.juju-persistent-config'

_F = TypeVar('_F', bound=Callable[..., Any])


def _backend() -> ModelBackend:
    backend: ModelBackend = _session.model()._backend
    return backend


# -- the hook context ---------------------------------------------------------------------


def hook_name() -> str:
    """The running hook: ``$JUJU_HOOK_NAME``, else the dispatch path's or argv[0]'s name."""
    name = os.environ.get('JUJU_HOOK_NAME')
    if name:
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
    """Write to the unit's log (``juju-log``); to stderr when there is no Juju."""
    text = str(message)
    try:
        _backend().juju_log(level or INFO, text)
    except (HookToolMissingError, OSError):
        print(f'{level or INFO}: {text}', file=sys.stderr)


def status_set(workload_state: str, message: str = '', application: bool = False) -> None:
    """Set this unit's (or, as leader, the application's) workload status."""
    from ..model import StatusBase

    state = str(getattr(workload_state, 'value', workload_state))
    if state not in WORKLOAD_STATES:
        raise ValueError(f'{workload_state!r} is not a workload state: use one of '
                         f'{", ".join(WORKLOAD_STATES)}')
    model = _session.model()
    status = StatusBase.from_name(state, message)
    try:
        if application:
            model.app.status = status
        else:
            model.unit.status = status
    except (HookToolMissingError, OSError):
        log(f'status-set failed: {state} {message}', level=INFO)


def status_get() -> tuple[str, str]:
    """This unit's workload status and message."""
    data = _backend().status_get(is_app=False)
    return str(data.get('status', 'unknown')), str(data.get('message', ''))


def application_version_set(version: str) -> None:
    """Set the workload version shown by ``juju status``."""
    _session.model().unit.set_workload_version(str(version))


# -- config --------------------------------------------------------------------------------


class Config(dict[str, Any]):
    """The charm's config, with :meth:`changed` and :meth:`previous` relative to the last
    successful hook that read it (every option counts as changed the first time)."""

    def __init__(self, values: Mapping[str, Any], previous: Mapping[str, Any] | None):
        super().__init__(values)
        self._prev_dict = None if previous is None else dict(previous)

    def previous(self, key: str) -> Any:
        """The value *key* had in the last hook (``None`` the first time)."""
        return None if self._prev_dict is None else self._prev_dict.get(key)

    def changed(self, key: str) -> bool:
        """Whether *key* differs from the last hook (True the first time)."""
        if self._prev_dict is None:
            return True
        return bool(self.previous(key) != self.get(key))

    def save(self) -> None:
        """Remember the current values for the next hook (done at the end of every
        successful hook that read the config)."""
        from ..reactive._runtime import current

        current().storage.kv_set(CONFIG_SAVED_KEY, dict(self))


def _previous_config() -> dict[str, Any] | None:
    from ..reactive._runtime import current

    saved = current().storage.kv_get(CONFIG_SAVED_KEY)
    if isinstance(saved, dict):
        return saved
    try:
        data = json.loads((_session.charm_dir() / _LEGACY_CONFIG_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def config(scope: str | None = None) -> Any:
    """The whole config (a :class:`Config`), or with *scope* one option's value."""
    state = _session.session()
    if state.config is None:
        state.config = Config(dict(_session.model().config), _previous_config())
        if _session.in_dispatch():
            atexit(state.config.save)
    return state.config if scope is None else state.config.get(scope)


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


# -- actions -------------------------------------------------------------------------------


def action_get(key: str | None = None) -> Any:
    """The running action's parameters, or one (dotted keys reach into nested ones)."""
    params = _backend().action_get()
    if key is None:
        return params
    value: Any = params
    for part in key.split('.'):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def action_set(values: Mapping[str, Any]) -> None:
    """Add results to the running action."""
    _backend().action_set(dict(values))


def action_fail(message: str) -> None:
    """Mark the running action failed with *message*."""
    _backend().action_fail(message)


function_get, function_set, function_fail = action_get, action_set, action_fail


# -- ports, addresses, network, storage, resources --------------------------------------------


def _protocol(protocol: str) -> Any:
    return protocol.lower()


def open_port(port: int | str, protocol: str = 'TCP') -> None:
    """Open *port* (``'ICMP'`` takes no port)."""
    unit = _session.model().unit
    if protocol.upper() == 'ICMP':
        unit.open_port('icmp')
    else:
        unit.open_port(_protocol(protocol), int(port))


def close_port(port: int | str, protocol: str = 'TCP') -> None:
    """Close *port*."""
    unit = _session.model().unit
    if protocol.upper() == 'ICMP':
        unit.close_port('icmp')
    else:
        unit.close_port(_protocol(protocol), int(port))


def open_ports(start: int, end: int, protocol: str = 'TCP') -> None:
    """Open the ports *start* to *end*."""
    from .._private import hooktools as hookcmds

    hookcmds.open_port(_protocol(protocol), int(start), to_port=int(end))


def close_ports(start: int, end: int, protocol: str = 'TCP') -> None:
    """Close the ports *start* to *end*."""
    from .._private import hooktools as hookcmds

    hookcmds.close_port(_protocol(protocol), int(start), to_port=int(end))


def opened_ports() -> list[str]:
    """The opened ports, as Juju lists them (``80/tcp``)."""
    return _backend().opened_ports()


def unit_get(attribute: str) -> Any:
    """``private-address`` or ``public-address`` of this unit."""
    from .._private import hooktools as hookcmds

    return hookcmds.unit_get(attribute)  # type: ignore[arg-type]


def unit_private_ip() -> Any:
    """This unit's private address."""
    return unit_get('private-address')


def unit_public_ip() -> Any:
    """This unit's public address."""
    return unit_get('public-address')


def network_get(endpoint: str, relation_id: str | None = None) -> dict[str, Any]:
    """The network of a binding (``network-get``), as Juju prints it."""
    number = None if relation_id is None else int(str(relation_id).rsplit(':', 1)[-1])
    return _backend().network_get(endpoint, number)


def network_get_primary_address(binding: str) -> str | None:
    """The first address of a binding."""
    for bind in network_get(binding).get('bind-addresses') or []:
        for address in bind.get('addresses') or []:
            value = address.get('value') or address.get('address')
            if value:
                return str(value)
    return None


def storage_list(storage_name: str | None = None) -> list[str]:
    """The ids of the unit's storage instances (of one storage, if named)."""
    from .._private import hooktools as hookcmds

    return hookcmds.storage_list(storage_name)


def storage_get(attribute: str | None = None, storage_id: str | None = None) -> Any:
    """An attribute (or all) of a storage instance (the running hook's by default)."""
    from .._private import hooktools as hookcmds

    storage = storage_id or os.environ.get('JUJU_STORAGE_ID', '')
    return hookcmds.storage_get(storage) if attribute is None else \
        hookcmds.storage_get(storage, attribute)


def resource_get(name: str) -> str | bool:
    """The path of a resource, or False if Juju has none."""
    try:
        return _backend().resource_get(name)
    except ModelError:
        return False


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
    real = _real_hookenv() if not name.startswith('__') else None
    if real is not None and hasattr(real, name):
        return getattr(real, name)
    raise unsupported('charmhelpers.core.hookenv', name)
