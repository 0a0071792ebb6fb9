"""Hook tools about the unit itself: actions, state, status, storage, config and more."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from typing import Any, Literal, cast, overload

from ._base import run
from ._types import (
    AppStatus,
    CloudSpec,
    GoalState,
    Network,
    SettableStatusName,
    Storage,
    UnitStatus,
)


def _flatten(results: Mapping[str, Any], prefix: str, into: dict[str, Any]) -> dict[str, Any]:
    """Nested ``results`` as dotted keys (``action-set`` cannot take nesting)."""
    for key, value in results.items():
        name = f'{prefix}.{key}' if prefix else key
        if isinstance(value, Mapping):
            _flatten(cast('Mapping[str, Any]', value), name, into)
        elif name in into:
            raise ValueError(
                f"duplicate key detected in dictionary passed to 'action-set': {name!r}"
            )
        else:
            into[name] = value
    return into


def _dash_message(message: str | None) -> list[str]:
    """``['--', message]`` so a leading hyphen is not taken as an option; nothing if unset."""
    return [] if message is None else ['--', message]


def action_fail(message: str | None = None) -> None:
    """Mark the running action as failed, with an optional ``message``."""
    run('action-fail', *_dash_message(message))


@overload
def action_get() -> dict[str, Any]: ...
@overload
def action_get(key: str) -> Any: ...
def action_get(key: str | None = None) -> dict[str, Any] | Any:
    """All the running action's parameters, or the one named ``key`` (dotted for nesting)."""
    argv = ['action-get', '--format=json']
    if key is not None:
        argv.append(key)
    return json.loads(run(*argv))


def action_log(message: str) -> None:
    """Send a progress ``message`` to whoever runs the action."""
    run('action-log', '--', message, redacted_cmd=['action-log', '--', '<redacted>'])


def action_set(results: Mapping[str, Any]) -> None:
    """Add ``results`` (nested mappings allowed) to the running action's results."""
    flat = _flatten(results, '', {})
    run(
        'action-set',
        *[f'{key}={value}' for key, value in flat.items()],
        redacted_cmd=['action-set', *[f'{key}=<redacted>' for key in flat]],
    )


def state_delete(key: str) -> None:
    """Forget the unit's server-side state entry ``key``."""
    run('state-delete', key)


@overload
def state_get(key: str) -> str: ...
@overload
def state_get(key: None) -> dict[str, str]: ...
def state_get(key: str | None) -> dict[str, str] | str:
    """The unit's server-side state entry ``key``, or all of it when ``key`` is ``None``."""
    if key is not None:
        value: str = json.loads(run('state-get', '--format=json', key))
        return value
    # Juju 4 prints null when nothing is stored yet.
    everything: dict[str, str] = json.loads(run('state-get', '--format=json')) or {}
    return everything


def state_set(data: Mapping[str, str]) -> None:
    """Store ``data`` in the unit's server-side state (passed as JSON on stdin)."""
    run('state-set', '--file', '-', input=json.dumps(data))


@overload
def status_get(*, app: Literal[False] = False) -> UnitStatus: ...
@overload
def status_get(*, app: Literal[True]) -> AppStatus: ...
def status_get(*, app: bool = False) -> AppStatus | UnitStatus:
    """The unit's status, or with ``app=True`` the application's (leader only)."""
    raw = json.loads(
        run('status-get', '--include-data', '--format=json', f'--application={str(app).lower()}')
    )
    return AppStatus._from_dict(raw) if app else UnitStatus._from_dict(raw)


def status_set(
    status: SettableStatusName, message: str | None = None, *, app: bool = False
) -> None:
    """Set the unit's (or with ``app=True`` the application's) status and message."""
    run('status-set', f'--application={app}', status, *_dash_message(message))


def storage_add(counts: Mapping[str, int]) -> None:
    """Ask for more storage: ``counts`` maps storage names to how many instances to add."""
    run('storage-add', *[f'{name}={count}' for name, count in counts.items()])


def storage_get(id: str | None = None) -> Storage:
    """The kind and location of storage ``id`` (default: the one the hook is about)."""
    argv = ['storage-get', '--format=json']
    if id is not None:
        argv += ['-s', id]
    return Storage._from_dict(json.loads(run(*argv)))


def storage_list(name: str | None = None) -> list[str]:
    """IDs of the unit's storage instances, optionally only those of storage ``name``."""
    argv = ['storage-list', '--format=json']
    if name is not None:
        argv.append(name)
    ids: list[str] = json.loads(run(*argv))
    return ids


def app_version_set(version: str) -> None:
    """Set the workload version shown by ``juju status``."""
    run('application-version-set', '--', version)


@overload
def config_get(key: str) -> bool | int | float | str: ...
@overload
def config_get(key: None = None) -> dict[str, bool | int | float | str]: ...
def config_get(
    key: str | None = None,
) -> dict[str, bool | int | float | str] | bool | int | float | str:
    """The charm's whole configuration, or only option ``key``."""
    argv = ['config-get', '--format=json']
    if key:
        argv.append(key)
    result: dict[str, bool | int | float | str] | bool | int | float | str = json.loads(run(*argv))
    return result


def credential_get() -> CloudSpec:
    """The cloud the model runs on, with its credential (trusted charms only)."""
    return CloudSpec._from_dict(json.loads(run('credential-get', '--format=json')))


def goal_state() -> GoalState:
    """The units and relation members the model is heading for."""
    return GoalState._from_dict(json.loads(run('goal-state', '--format=json')))


def is_leader() -> bool:
    """Whether this unit is its application's leader."""
    leader: bool = json.loads(run('is-leader', '--format=json'))
    return leader


def juju_log(
    message: str, *, level: Literal['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR'] = 'INFO'
) -> None:
    """Write ``message`` to the Juju debug log at ``level``."""
    run('juju-log', '--log-level', level, '--', message)


def juju_reboot(*, now: bool = False) -> None:
    """Reboot the machine after the hook, or at once (killing the hook) with ``now=True``."""
    run('juju-reboot', *(['--now'] if now else []))


def network_get(binding_name: str, *, relation_id: int | None = None) -> Network:
    """Network details of ``binding_name``, optionally for relation ``relation_id``."""
    argv = ['network-get', '--format=json']
    if relation_id is not None:
        argv += ['-r', str(relation_id)]
    argv.append(binding_name)
    return Network._from_dict(json.loads(run(*argv)))


def resource_get(name: str) -> pathlib.Path:
    """Local path of resource ``name``, fetched by Juju if needed."""
    return pathlib.Path(run('resource-get', name).strip())
