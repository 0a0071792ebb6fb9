"""One function per Juju hook tool, each building the argv Juju takes and parsing its answer.

These are the only way a charm talks to Juju. Each function runs its tool once, with no
caching and no model rules (those live in :mod:`reactops.model`). Tools that can print JSON
are asked for ``--format=json``; an unset value (Juju prints nothing) comes back as ``None``.
Sensitive data never goes on argv: relation and state data go through stdin, secret content
through files in a private temporary directory.

Every failure is a :class:`~reactops.errors.ModelError` carrying the tool's stderr and argv:
:class:`~reactops.errors.RelationNotFoundError` when the relation is gone,
:class:`~reactops.errors.SecretNotFoundError` when the secret is unknown or not granted,
:class:`~reactops.errors.HookToolMissingError` when the tool is not on PATH (outside a hook).

``calls`` is a :class:`collections.Counter` of the tools run in this process, by name
(``calls['relation-get']``). Benchmarks and tests read it; reset it with ``calls.clear()``
(never rebind it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping

from ..errors import ModelError, RelationDataTypeError
from . import fastjson
from .hooktool_runner import calls, run, run_json
from .typing import TYPE_CHECKING, overload

__all__ = [
    'action_fail', 'action_get', 'action_log', 'action_set', 'add_metric',
    'application_version_set', 'calls', 'close_port', 'config_get', 'credential_get',
    'goal_state', 'is_leader', 'juju_log', 'juju_reboot', 'leader_get', 'leader_set',
    'network_get', 'open_port', 'opened_ports', 'relation_get', 'relation_ids',
    'relation_list', 'relation_model_get', 'relation_set', 'resource_get', 'secret_add',
    'secret_get', 'secret_grant', 'secret_ids', 'secret_info_get', 'secret_remove',
    'secret_revoke', 'secret_set', 'state_delete', 'state_get', 'state_set', 'status_get',
    'status_set', 'storage_add', 'storage_get', 'storage_list', 'unit_get',
]

if TYPE_CHECKING:
    import datetime
    from pathlib import Path
    from typing import Any, Literal

    Expiry = datetime.datetime | datetime.timedelta | str

    SettableStatusName = Literal['active', 'blocked', 'maintenance', 'waiting']
    ReadOnlyStatusName = Literal['error', 'unknown']
    StatusName = SettableStatusName | ReadOnlyStatusName

ConfigValue = bool | int | float | str

# The status names (ops' hookcmds types), as Literal types made on first use: building
# one imports typing, which a hook does not otherwise need.
_STATUS_LITERALS = {
    'SettableStatusName': ('active', 'blocked', 'maintenance', 'waiting'),
    'ReadOnlyStatusName': ('error', 'unknown'),
    'StatusName': ('active', 'blocked', 'maintenance', 'waiting', 'error', 'unknown'),
}


def __getattr__(name: str) -> object:
    names = _STATUS_LITERALS.get(name)
    if names is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    from typing import Literal

    alias = Literal[names]  # type: ignore[valid-type]
    globals()[name] = alias
    return alias

# Juju rejects a single juju-log argument longer than this, so longer messages are split.
MAX_LOG_LINE = 131071
_SECRET_KEY = r'^[a-z](?:-?[a-z0-9]){2,}$'  # compiled on first use
_REDACTED = '<redacted>'


def _printed(tool: str, args: list[str], out: str, what: str) -> str:
    """The one line *tool* printed, which Juju never leaves empty."""
    if not out.strip():
        raise ModelError(f'{tool} succeeded but printed nothing, where Juju prints {what} '
                         f'(a broken or foreign {tool} on PATH?)', command=[tool, *args],
                         returncode=0)
    return out.strip()


def _rel(endpoint: str, relation_id: int) -> str:
    # Juju takes a bare number too, but "db:3" reads better in logs and errors.
    return f'{endpoint}:{relation_id}'


def _flag(value: bool) -> str:
    # Go's bool flags accept true/True/1 alike; lowercase is Go's own spelling.
    return 'true' if value else 'false'


def _opt(flag: str, value: str | int | None) -> list[str]:
    """``[flag, value]``, or nothing when *value* is None."""
    return [] if value is None else [flag, str(value)]


def _switch(flag: str, on: bool) -> list[str]:
    """``[flag]`` when *on*, else nothing."""
    return [flag] if on else []


def _maybe(value: str | None) -> list[str]:
    """A positional argument that may be left out."""
    return [] if value is None else [value]


# -- configuration, leadership, the unit -----------------------------------------------


@overload
def config_get() -> dict[str, ConfigValue]: ...
@overload
def config_get(key: str) -> ConfigValue | None: ...
def config_get(key: str | None = None) -> Any:
    """Juju prints the application's config (options that are set or have a default)."""
    result = run_json('config-get', ['--format=json', *_maybe(key)],
                      shape='object' if key is None else None)
    return {} if key is None and result is None else result


def is_leader() -> bool:
    """Juju says whether this unit is the application's leader right now."""
    return bool(run_json('is-leader', ['--format=json'], shape='bool', always=True))


def unit_get(attribute: Literal['private-address', 'public-address']) -> str:
    """Juju prints this unit's private or public address."""
    return str(run_json('unit-get', ['--format=json', attribute], shape='string') or '')


def application_version_set(version: str) -> None:
    """Juju records the workload version shown in ``juju status``."""
    run('application-version-set', ['--', version])


def goal_state() -> dict[str, Any]:
    """Juju prints the units and relations the application will have once settled."""
    return dict(run_json('goal-state', ['--format=json'], shape='object') or {})


def credential_get() -> dict[str, Any]:
    """Juju prints the cloud credential (needs ``juju trust``)."""
    return dict(run_json('credential-get', ['--format=json'], shape='object') or {})


def juju_reboot(*, now: bool = False) -> None:
    """Juju reboots the machine after this hook, or at once (killing the hook) with *now*."""
    run('juju-reboot', _switch('--now', now))


# -- relations ---------------------------------------------------------------------------


def relation_ids(endpoint: str) -> list[int]:
    """Juju lists the live relations of *endpoint*; returned as ids (``db:3`` gives 3)."""
    ids = run_json('relation-ids', [endpoint, '--format=json'], shape='string list') or []
    try:
        return [int(str(item).rsplit(':', 1)[-1]) for item in ids]
    except ValueError:
        raise ModelError(f'relation-ids printed an id that is not endpoint:number: {ids!r}',
                         command=['relation-ids', endpoint, '--format=json']) from None


@overload
def relation_list(relation_id: int, endpoint: str,
                  *, app: Literal[False] = False) -> list[str]: ...
@overload
def relation_list(relation_id: int, endpoint: str, *, app: Literal[True]) -> str | None: ...
def relation_list(relation_id: int, endpoint: str, *, app: bool = False) -> Any:
    """Juju lists the remote units in a relation, or with *app* the remote application."""
    args = ['--format=json', '-r', _rel(endpoint, relation_id)]
    if app:
        return run_json('relation-list', [*args, '--app'], shape='string') or None
    return list(run_json('relation-list', args, shape='string list') or [])


@overload
def relation_get(relation_id: int, endpoint: str, member: str, *, app: bool = False,
                 key: None = None) -> dict[str, str]: ...
@overload
def relation_get(relation_id: int, endpoint: str, member: str, *, app: bool = False,
                 key: str) -> str | None: ...
def relation_get(relation_id: int, endpoint: str, member: str, *, app: bool = False,
                 key: str | None = None) -> Any:
    """Juju prints a unit's (or with *app* an application's) data bag in a relation."""
    args = ['--format=json', '-r', _rel(endpoint, relation_id), *_switch('--app', app)]
    result = run_json('relation-get', [*args, '-' if key is None else key, member],
                      shape='string map' if key is None else 'string')
    return dict(result or {}) if key is None else result


def relation_set(relation_id: int, endpoint: str, data: Mapping[str, str],
                 *, app: bool = False) -> None:
    """Juju updates our unit's (or with *app*, as leader, our app's) bag; ``''`` deletes."""
    for name, value in data.items():
        if not isinstance(name, str) or not isinstance(value, str):
            # Never the value in the message: it may be a password or a secret's content.
            where = repr(name) if isinstance(name, str) else f'a {type(name).__name__} key'
            raise RelationDataTypeError(
                f'relation data must be str to str, got {where} holding a '
                f'{type(value).__name__}; encode it, e.g. with json.dumps')
    args = ['-r', _rel(endpoint, relation_id), *_switch('--app', app), '--file', '-']
    run('relation-set', args, input=fastjson.dumps(dict(data), separators=(', ', ': ')))


def relation_model_get(relation_id: int, endpoint: str) -> dict[str, str]:
    """Juju prints the model of the remote side of a relation (``{'uuid': ...}``; 3.6.2+)."""
    args = ['--format=json', '-r', _rel(endpoint, relation_id)]
    return dict(run_json('relation-model-get', args, shape='object') or {})


# -- status and logging ------------------------------------------------------------------


def status_get(*, app: bool = False) -> dict[str, Any]:
    """Juju prints our unit's (or, to the leader, our app's) status.

    The result has ``status``, ``message`` and ``status-data``; for the app also ``units``
    (Juju's ``application-status`` wrapper is removed).
    """
    args = ['--include-data', '--format=json', f'--application={_flag(app)}']
    result = dict(run_json('status-get', args, shape='object', always=True) or {})
    return dict(result.get('application-status', result)) if app else result


def status_set(status: str, message: str = '', *, app: bool = False) -> None:
    """Juju sets our unit's (or, as leader, our app's) workload status and message."""
    run('status-set', [f'--application={_flag(app)}', status, '--', message])


def juju_log(message: str, *, level: str = 'INFO') -> None:
    """Juju writes *message* to the unit's log (``juju debug-log``) at *level*."""
    if len(message) <= MAX_LOG_LINE:
        run('juju-log', ['--log-level', level, '--', message])
        return
    chunks = [message[i:i + MAX_LOG_LINE] for i in range(0, len(message), MAX_LOG_LINE)]
    notice = (f'log message of {len(message)} characters is longer than Juju accepts '
              f'({MAX_LOG_LINE}); it follows in {len(chunks)} parts')
    for line in [notice, *chunks]:
        run('juju-log', ['--log-level', level, '--', line])


# -- ports, storage, resources, network --------------------------------------------------


def _port_args(protocol: str, port: int | None, to_port: int | None,
               endpoints: Iterable[str] | None) -> list[str]:
    protocol = protocol.lower()
    if protocol == 'icmp':
        if port is not None or to_port is not None:
            raise ValueError('icmp has no ports: call with protocol="icmp" only')
        spec = 'icmp'
    elif port is None:
        raise ValueError(f'a {protocol} port needs a port number')
    else:
        spec = f'{port}-{to_port}/{protocol}' if to_port is not None else f'{port}/{protocol}'
    if isinstance(endpoints, str):  # one endpoint name, not its letters
        endpoints = [endpoints]
    return [*_opt('--endpoints', ','.join(endpoints) if endpoints else None), spec]


def open_port(protocol: str, port: int | None = None, *, to_port: int | None = None,
              endpoints: Iterable[str] | None = None) -> None:
    """Juju opens a port (``80/tcp``), a range (with *to_port*) or ``icmp`` for this unit."""
    run('open-port', _port_args(protocol, port, to_port, endpoints))


def close_port(protocol: str, port: int | None = None, *, to_port: int | None = None,
               endpoints: Iterable[str] | None = None) -> None:
    """Juju closes a port, range or ``icmp`` opened by :func:`open_port`."""
    run('close-port', _port_args(protocol, port, to_port, endpoints))


def opened_ports() -> list[str]:
    """Juju lists this unit's opened ports as it prints them: ``80/tcp``, ``8000-8010/udp``."""
    return [str(p) for p in run_json('opened-ports', ['--format=json'], shape='string list') or []]


def storage_list(name: str | None = None) -> list[str]:
    """Juju lists the storage ids (``data/0``) attached to this unit, optionally of *name*."""
    return list(run_json('storage-list', ['--format=json', *_maybe(name)],
                         shape='string list') or [])


@overload
def storage_get(storage_id: str, attribute: None = None) -> dict[str, str]: ...
@overload
def storage_get(storage_id: str, attribute: str) -> str: ...
def storage_get(storage_id: str, attribute: str | None = None) -> Any:
    """Juju prints a storage instance's ``kind`` and ``location`` (or one of them)."""
    result = run_json('storage-get', ['--format=json', '-s', storage_id, *_maybe(attribute)],
                      shape='object' if attribute is None else None)
    return dict(result or {}) if attribute is None else result


def storage_add(counts: Mapping[str, int]) -> None:
    """Juju adds storage instances to this unit: *counts* maps storage names to a count."""
    run('storage-add', [f'{name}={count}' for name, count in counts.items()])


def resource_get(name: str) -> Path:
    """Juju fetches the charm resource *name* and prints the path of its file."""
    from pathlib import Path

    return Path(_printed('resource-get', [name], run('resource-get', [name]), 'a file path'))


def network_get(binding: str, *, relation_id: int | None = None) -> dict[str, Any]:
    """Juju prints the addresses of an endpoint binding (for a relation, with its id)."""
    args = ['--format=json', *_opt('-r', relation_id), binding]
    return dict(run_json('network-get', args, shape='object', always=True) or {})


# -- actions -----------------------------------------------------------------------------


@overload
def action_get() -> dict[str, Any]: ...
@overload
def action_get(key: str) -> Any: ...
def action_get(key: str | None = None) -> Any:
    """Juju prints the running action's parameters (a dotted *key* reaches inside)."""
    result = run_json('action-get', ['--format=json', *_maybe(key)],
                      shape='object' if key is None else None)
    return dict(result or {}) if key is None else result


def action_set(results: Mapping[str, Any]) -> None:
    """Juju adds to the action's results; nested mappings go out as dotted keys
    (``{'a': {'b': 'c'}}`` is ``a.b=c``), as Juju reads them back into nesting."""
    flat = _flat(results)
    pairs = [f'{key}={value}' for key, value in flat.items()]
    # Results may hold passwords: they must be on argv, but not in our errors.
    run('action-set', pairs, shown=[f'{key}={_REDACTED}' for key in flat])


def _flat(results: Mapping[str, Any], prefix: str = '') -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in results.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f'{prefix}{key}.'))
        else:
            flat[f'{prefix}{key}'] = str(value)
    return flat


def action_log(message: str) -> None:
    """Juju sends a progress message to whoever runs the action."""
    run('action-log', ['--', message])


def action_fail(message: str = '') -> None:
    """Juju marks the running action failed (with Juju's default message when empty)."""
    run('action-fail', ['--', message] if message else [])


# -- secrets -----------------------------------------------------------------------------


def _expire_arg(expire: Expiry) -> str:
    import datetime  # only secrets need it: keep it out of every hook's imports

    if isinstance(expire, datetime.datetime):
        # Juju reads a time without an offset as UTC, so a naive datetime is taken as UTC.
        if expire.tzinfo is None:
            expire = expire.replace(tzinfo=datetime.timezone.utc)
        utc = expire.astimezone(datetime.timezone.utc)
        return utc.isoformat().replace('+00:00', 'Z')
    if isinstance(expire, datetime.timedelta):
        return f'{math.ceil(expire.total_seconds())}s'  # a Go duration
    return expire


def _secret_meta(label: str | None, description: str | None, expire: Expiry | None,
                 rotate: str | None) -> list[str]:
    return [*_opt('--label', label), *_opt('--description', description),
            *_opt('--expire', None if expire is None else _expire_arg(expire)),
            *_opt('--rotate', rotate)]


def _with_content_files(tool: str, args: list[str], content: Mapping[str, str]) -> str:
    """Run *tool* with *args* plus one ``key#file=<path>`` per content key.

    The files live in a private temporary directory that is removed afterwards, so secret
    values are never on argv (``ps``) nor left on disk.
    """
    import re  # secret content is rare on a hook

    for key, value in content.items():
        if not isinstance(key, str) or not re.match(_SECRET_KEY, key):
            raise ValueError(f'invalid secret key {key!r}: Juju wants at least 3 lowercase '
                             f'letters, digits or single hyphens, starting with a letter')
        if not isinstance(value, str):
            raise TypeError(f'secret value for {key!r} must be str, not '
                            f'{type(value).__name__}')
    if not content:
        return run(tool, args)
    import tempfile  # only secrets need it: keep it out of every hook's imports

    with tempfile.TemporaryDirectory(prefix='reactops-secret-') as tmp:
        for key, value in content.items():
            fd = os.open(os.path.join(tmp, key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, 'w', encoding='utf-8') as f:
                f.write(value)
        files = [f'{key}#file={os.path.join(tmp, key)}' for key in content]
        return run(tool, [*args, *files])


def secret_add(content: Mapping[str, str], *, label: str | None = None,
               description: str | None = None, expire: Expiry | None = None,
               rotate: str | None = None,
               owner: Literal['application', 'unit'] | None = None) -> str:
    """Juju creates a secret (owned by the application unless *owner* is ``unit``).

    Returns the new secret's id. *expire* is a datetime (naive means UTC), a timedelta from
    now, or a string Juju takes; *rotate* is a policy such as ``daily`` or ``monthly``.
    """
    # ops always passes --owner; Juju defaults to the application, so we pass it only if asked.
    args = [*_secret_meta(label, description, expire, rotate), *_opt('--owner', owner)]
    return _printed('secret-add', args, _with_content_files('secret-add', args, content),
                    "the new secret's id")


def secret_get(id: str | None = None, *, label: str | None = None, refresh: bool = False,
               peek: bool = False) -> dict[str, str]:
    """Juju prints a secret's content: the revision this unit tracks, or the latest with
    *refresh* (and track it from now on) or *peek* (just this once)."""
    if id is None and label is None:
        raise TypeError('secret_get needs a secret id or a label')
    args = ['--format=json', *_maybe(id), *_opt('--label', label),
            *_switch('--refresh', refresh), *_switch('--peek', peek)]
    return dict(run_json('secret-get', args, shape='string map', always=True) or {})


def _canonical_secret_id(secret_id: str) -> str:
    return secret_id if ':' in secret_id else f'secret:{secret_id}'


def secret_info_get(id: str | None = None, *, label: str | None = None) -> dict[str, Any]:
    """Juju prints a secret's metadata (revision, label, owner, rotation, expiry, ...).

    Give the id or the label, not both. The result is Juju's entry with an added ``id``.
    """
    if (id is None) == (label is None):
        raise TypeError('secret_info_get needs exactly one of a secret id or a label')
    args = ['--format=json', *_maybe(id), *_opt('--label', label)]
    result = dict(run_json('secret-info-get', args, shape='object') or {})
    if not result:
        raise ModelError(f'secret-info-get printed no secret for {id or label!r}',
                         command=['secret-info-get', *args])
    secret_id, info = next(iter(result.items()))
    return {'id': _canonical_secret_id(secret_id), **info}


def secret_set(id: str, *, content: Mapping[str, str] | None = None,
               label: str | None = None, description: str | None = None,
               expire: Expiry | None = None, rotate: str | None = None) -> None:
    """Juju updates a secret we own: new content makes a new revision; metadata changes
    in place."""
    # No --owner (ops sends one): Juju's secret-set accepts the flag but never reads it.
    args = [*_secret_meta(label, description, expire, rotate), id]
    _with_content_files('secret-set', args, content or {})


def secret_grant(id: str, relation_id: int, *, unit: str | None = None) -> None:
    """Juju lets the remote app of a relation (or just one of its units) read a secret."""
    run('secret-grant', ['--relation', str(relation_id), *_opt('--unit', unit), id])


def secret_revoke(id: str, *, relation_id: int | None = None, app: str | None = None,
                  unit: str | None = None) -> None:
    """Juju withdraws a grant, from a relation's remote app, an app, or one unit."""
    if relation_id is None and app is None and unit is None:
        raise TypeError('secret_revoke needs a relation_id, an app or a unit')
    args = [*_opt('--relation', relation_id), *_opt('--app', app), *_opt('--unit', unit), id]
    run('secret-revoke', args)


def secret_remove(id: str, *, revision: int | None = None) -> None:
    """Juju removes a secret we own, or just one of its revisions."""
    run('secret-remove', [id, *_opt('--revision', revision)])


def secret_ids() -> list[str]:
    """Juju lists the ids of the secrets this application (or unit) owns."""
    return [_canonical_secret_id(str(i)) for i in run_json('secret-ids', ['--format=json'],
                                                                  shape='string list')
            or []]


# -- unit state in the controller, leadership settings, metrics --------------------------


@overload
def state_get() -> dict[str, str]: ...
@overload
def state_get(key: str) -> str | None: ...
def state_get(key: str | None = None) -> Any:
    """Juju prints this unit's server-side state (kept by the controller, Juju 2.8+)."""
    result = run_json('state-get', ['--format=json', *_maybe(key)],
                      shape='string map' if key is None else 'string')
    return dict(result or {}) if key is None else result


def state_set(data: Mapping[str, str]) -> None:
    """Juju stores string values in this unit's server-side state (via stdin)."""
    run('state-set', ['--file', '-'], input=fastjson.dumps(dict(data), separators=(', ', ': ')))


def state_delete(key: str) -> None:
    """Juju deletes one key of this unit's server-side state."""
    run('state-delete', [key])


@overload
def leader_get() -> dict[str, str]: ...
@overload
def leader_get(key: str) -> str | None: ...
def leader_get(key: str | None = None) -> Any:
    """Juju prints the leader settings (deprecated by Juju in favour of peer relations)."""
    result = run_json('leader-get', ['--format=json', *_maybe(key)],
                      shape='string map' if key is None else 'string')
    return dict(result or {}) if key is None else result


def leader_set(settings: Mapping[str, str | None]) -> None:
    """Juju writes leader settings (leader only); ``None`` or ``''`` deletes a key."""
    pairs = [f'{key}={value or ""}' for key, value in settings.items()]
    run('leader-set', pairs, shown=[f'{key}={_REDACTED}' for key in settings])


def add_metric(metrics: Mapping[str, float | str],
               labels: Mapping[str, str] | None = None) -> None:
    """Juju records metrics (only in the collect-metrics hook), with optional labels."""
    label_list = ','.join(f'{k}={v}' for k, v in labels.items()) if labels else None
    pairs = [f'{key}={value}' for key, value in metrics.items()]
    run('add-metric', [*_opt('--labels', label_list), *pairs])
