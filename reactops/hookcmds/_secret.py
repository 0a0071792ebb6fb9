"""The secret hook tools (``secret-add``, ``-get``, ``-set``, ``-grant`` and the rest)."""

from __future__ import annotations

import datetime
import json
import tempfile
from typing import Literal, overload

from ._base import rfc3339, run
from ._types import SecretInfo, SecretRotate


def _meta_argv(
    label: str | None,
    description: str | None,
    expire: datetime.datetime | str | None,
    rotate: SecretRotate | None,
    owner: str,
) -> list[str]:
    """The metadata options shared by ``secret-add`` and ``secret-set``."""
    argv: list[str] = []
    if label is not None:
        argv += ['--label', label]
    if description is not None:
        argv += ['--description', description]
    if expire is not None:
        argv += ['--expire', expire if isinstance(expire, str) else rfc3339(expire)]
    if rotate is not None:
        argv += ['--rotate', rotate]
    argv += ['--owner', owner]
    return argv


def _run_with_content(tool: str, argv: list[str], content: dict[str, str]) -> str:
    """Run ``tool`` passing each content value through a temporary file (``key#file=path``).

    Values never appear on the command line, where logs and ``/proc`` could show them.
    """
    with tempfile.TemporaryDirectory() as tmp:
        for key, value in content.items():
            path = f'{tmp}/{key}'
            with open(path, mode='w', encoding='utf-8') as f:
                f.write(value)
            argv.append(f'{key}#file={path}')
        return run(tool, *argv)


def secret_add(
    content: dict[str, str],
    *,
    label: str | None = None,
    description: str | None = None,
    expire: datetime.datetime | str | None = None,
    rotate: SecretRotate | None = None,
    owner: Literal['application', 'unit'] = 'application',
) -> str:
    """Create a secret holding ``content`` and give back its ID."""
    argv = _meta_argv(label, description, expire, rotate, owner)
    return _run_with_content('secret-add', argv, content).strip()


@overload
def secret_get(
    *,
    id: str,
    label: str | None = None,
    refresh: Literal[False] = False,
    peek: Literal[False] = False,
) -> dict[str, str]: ...
@overload
def secret_get(
    *,
    id: str | None = None,
    label: str,
    refresh: Literal[False] = False,
    peek: Literal[False] = False,
) -> dict[str, str]: ...
@overload
def secret_get(
    *,
    id: str,
    label: str | None = None,
    refresh: Literal[True],
    peek: Literal[False] = False,
) -> dict[str, str]: ...
@overload
def secret_get(
    *,
    id: str | None = None,
    label: str,
    refresh: Literal[True],
    peek: Literal[False] = False,
) -> dict[str, str]: ...
@overload
def secret_get(
    *,
    id: str,
    label: str | None = None,
    refresh: Literal[False] = False,
    peek: Literal[True],
) -> dict[str, str]: ...
@overload
def secret_get(
    *,
    id: str | None = None,
    label: str,
    refresh: Literal[False] = False,
    peek: Literal[True],
) -> dict[str, str]: ...
def secret_get(
    *,
    id: str | None = None,
    label: str | None = None,
    refresh: bool = False,
    peek: bool = False,
) -> dict[str, str]:
    """A secret's content by ``id`` or ``label``; ``refresh`` or ``peek`` at the newest."""
    argv: list[str] = []
    if id is not None:
        argv.append(id)
    if label is not None:
        argv += ['--label', label]
    if refresh:
        argv.append('--refresh')
    if peek:
        argv.append('--peek')
    content: dict[str, str] = json.loads(run('secret-get', '--format=json', *argv))
    return content


def secret_grant(id: str, relation_id: int, *, unit: str | None = None) -> None:
    """Let the other side of relation ``relation_id`` (or only ``unit``) read secret ``id``."""
    argv = ['--relation', str(relation_id)]
    if unit is not None:
        argv += ['--unit', str(unit)]
    run('secret-grant', *argv, id)


def secret_ids() -> list[str]:
    """The IDs of the secrets this unit or application owns."""
    ids: list[str] = json.loads(run('secret-ids', '--format=json'))
    return ids


@overload
def secret_info_get(*, id: str) -> SecretInfo: ...
@overload
def secret_info_get(*, label: str) -> SecretInfo: ...
def secret_info_get(*, id: str | None = None, label: str | None = None) -> SecretInfo:
    """Metadata of an owned secret, by ``id`` or ``label``."""
    argv = ['secret-info-get', '--format=json']
    if id is not None:
        argv.append(id)
    if label is not None:
        argv += ['--label', label]
    return SecretInfo._from_dict(json.loads(run(*argv)))


def secret_remove(id: str, *, revision: int | None = None) -> None:
    """Remove secret ``id``, or only its ``revision``."""
    extra = [] if revision is None else ['--revision', str(revision)]
    run('secret-remove', id, *extra)


def secret_revoke(
    id: str, *, relation_id: int | None, app: str | None = None, unit: str | None = None
) -> None:
    """Take back access to secret ``id`` from a relation, application or unit."""
    argv: list[str] = []
    if relation_id is not None:
        argv += ['--relation', str(relation_id)]
    if app is not None:
        argv += ['--app', app]
    if unit is not None:
        argv += ['--unit', unit]
    run('secret-revoke', *argv, id)


def secret_set(
    id: str,
    *,
    content: dict[str, str] | None = None,
    label: str | None = None,
    description: str | None = None,
    expire: datetime.datetime | str | None = None,
    rotate: SecretRotate | None = None,
    owner: Literal['application', 'unit'] = 'application',
) -> None:
    """Change secret ``id``: new ``content`` makes a new revision; metadata as given."""
    argv = [*_meta_argv(label, description, expire, rotate, owner), id]
    _run_with_content('secret-set', argv, content or {})
