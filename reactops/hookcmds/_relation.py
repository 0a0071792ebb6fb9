"""The relation hook tools: ``relation-get``, ``-set``, ``-ids``, ``-list``, ``-model-get``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, overload

from ._base import run
from ._types import RelationModel


def _relation_argv(id: int | None, endpoint: str | None) -> list[str]:
    """``-r`` and the relation reference (``endpoint:id`` or bare ``id``), or nothing."""
    if id is None:
        return []
    return ['-r', str(id) if endpoint is None else f'{endpoint}:{id}']


@overload
def relation_get(
    id: int | None = None,
    *,
    endpoint: str | None = None,
    unit: str | None = None,
    app: bool = False,
) -> dict[str, str]: ...
@overload
def relation_get(
    id: int | None = None,
    *,
    endpoint: str | None = None,
    key: str,
    unit: str | None = None,
    app: bool = False,
) -> str: ...
def relation_get(
    id: int | None = None,
    *,
    endpoint: str | None = None,
    key: str | None = None,
    unit: str | None = None,
    app: bool = False,
) -> dict[str, str] | str:
    """A unit's (or with ``app=True`` an application's) relation data, or only ``key``."""
    if key == '-':
        raise ValueError('To get all keys, pass None for the key argument; "-" is not supported.')
    argv = ['relation-get', '--format=json', *_relation_argv(id, endpoint)]
    if app:
        argv.append('--app')
    if unit:
        # The tool takes the unit second, so '-' stands for "every key".
        argv += [key or '-', unit]
    elif key:
        argv.append(key)
    result: dict[str, str] | str = json.loads(run(*argv))
    return result


def relation_ids(name: str) -> list[str]:
    """The IDs (``endpoint:N``) of the relations on endpoint ``name``."""
    ids: list[str] = json.loads(run('relation-ids', name, '--format=json'))
    return ids


@overload
def relation_list(
    id: int | None = None, *, endpoint: str | None = None, app: Literal[True]
) -> str: ...
@overload
def relation_list(
    id: int | None = None, *, endpoint: str | None = None, app: Literal[False] = False
) -> list[str]: ...
def relation_list(
    id: int | None = None, *, endpoint: str | None = None, app: bool = False
) -> str | list[str]:
    """The remote units in a relation, or with ``app=True`` the remote application's name."""
    argv = ['relation-list', '--format=json']
    if app:
        argv.append('--app')
    argv += _relation_argv(id, endpoint)
    result: str | list[str] = json.loads(run(*argv))
    return result


def relation_model_get(id: int | None = None, *, endpoint: str | None = None) -> RelationModel:
    """The model on the far side of a relation."""
    argv = ['relation-model-get', '--format=json', *_relation_argv(id, endpoint)]
    return RelationModel._from_dict(json.loads(run(*argv)))


def relation_set(
    data: Mapping[str, str],
    id: int | None = None,
    *,
    endpoint: str | None = None,
    app: bool = False,
) -> None:
    """Write ``data`` to this unit's (or ``app=True``: application's) relation data bag."""
    argv = ['relation-set', *_relation_argv(id, endpoint)]
    if app:
        argv.append('--app')
    run(*argv, '--file', '-', input=json.dumps(data))
