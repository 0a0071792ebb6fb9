"""The ``hookenv`` names about the model around this unit: its charm, its principal, the
Juju version and ``goal-state`` (what Juju means the model to become).

Part of :mod:`reactops.legacy.hookenv`, imported the first time one of these names is
used. ``goal-state`` goes through reactops' model backend, and its answer is remembered
for the dispatch as charmhelpers' ``@cached`` did; the Juju version is ``$JUJU_VERSION``
(charmhelpers asked the ``jujud`` binary on the machine, which a unit need not have).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from ..errors import HookToolMissingError
from . import _session
from ._errors import LegacyError
from ._hookenv_relations import metadata, related_units, relation_ids, relation_types

__all__ = ['charm_name', 'expected_peer_units', 'expected_related_units', 'goal_state',
           'has_juju_version', 'is_subordinate', 'principal_unit', 'unit_doomed']

_GOAL_STATE_KEY = 'reactops.legacy.goal-state'


def charm_name() -> str | None:
    """The charm's name in its metadata."""
    return metadata().get('name')


def is_subordinate() -> bool:
    """Whether the charm's metadata says it is a subordinate."""
    return metadata().get('subordinate') is True


def _version_numbers(version: str) -> list[int]:
    """The release numbers of a version (``3.6.1-beta2`` gives ``[3, 6, 1]``)."""
    release = re.match(r'[0-9.]*', version.strip())
    return [int(part) for part in (release.group() if release else '').split('.') if part]


def has_juju_version(minimum_version: str) -> bool:
    """Whether the running Juju (``$JUJU_VERSION``) is at least *minimum_version*.

    Numbers compare as numbers and a shorter version is smaller (``2.4`` < ``2.4.0``), as
    charmhelpers' ``LooseVersion`` compared them; a tag such as ``-beta1`` is ignored.
    """
    running = os.environ.get('JUJU_VERSION', '')
    if not _version_numbers(running):
        raise LegacyError(
            f'hookenv.has_juju_version({minimum_version!r}) compares with $JUJU_VERSION, '
            f'which is {"not set" if not running else f"{running!r}, not a version"}: Juju '
            'sets it in every hook and action; set it (e.g. 3.6.0) when calling this '
            'outside Juju')
    return _version_numbers(running) >= _version_numbers(str(minimum_version))


def goal_state() -> dict[str, Any]:
    """What Juju means the model to become for this unit's application: ``units`` and,
    per endpoint, ``relations`` (each with a ``status``); ``NotImplementedError`` when
    this Juju has no ``goal-state`` tool, as charmhelpers raised."""
    memo = _session.session().memo
    if _GOAL_STATE_KEY not in memo:
        try:
            memo[_GOAL_STATE_KEY] = _session.model()._backend.goal_state()
        except HookToolMissingError as error:
            raise NotImplementedError('goal-state') from error
    answer: dict[str, Any] = memo[_GOAL_STATE_KEY]
    return answer


def expected_peer_units() -> Iterator[str]:
    """The units of this application Juju means to run, except this one (Juju 2.4+)."""
    if not has_juju_version('2.4.0'):
        raise NotImplementedError('goal-state')
    local = os.environ.get('JUJU_UNIT_NAME')
    units = goal_state()['units']
    return (name for name in units if '/' in name and name != local)


def expected_related_units(reltype: str | None = None) -> Iterator[str]:
    """The remote units Juju means to relate on endpoint *reltype* (the running hook's
    by default); ``KeyError`` if goal-state has no such endpoint (Juju 2.4.4+)."""
    if not has_juju_version('2.4.4'):
        raise NotImplementedError('goal-state relation unit count')
    endpoint = reltype or os.environ.get('JUJU_RELATION')
    relations = goal_state()['relations']
    return (name for name in relations[endpoint] if '/' in name)


def unit_doomed(unit: str | None = None) -> bool:
    """Whether *unit* (this one by default) is being removed, or is not in the model."""
    if not has_juju_version('2.4.1'):
        raise NotImplementedError('is_doomed')
    name = unit or os.environ['JUJU_UNIT_NAME']
    units = goal_state().get('units', {})
    if name not in units:
        return True
    return units[name].get('status') in ('dying', 'dead')


def principal_unit() -> str | None:
    """The principal unit of this (subordinate) unit; this unit when it is a principal.

    From ``$JUJU_PRINCIPAL_UNIT`` (empty: this unit is the principal). Juju before 2.2
    did not set it: then the first related unit on this machine whose charm is not a
    subordinate, read from its ``metadata.yaml`` beside this unit's agent directory.
    """
    principal = os.environ.get('JUJU_PRINCIPAL_UNIT')
    if principal == '':
        return os.environ['JUJU_UNIT_NAME']
    if principal is not None:
        return principal
    for endpoint in relation_types():
        for relation in relation_ids(endpoint):
            for unit in related_units(relation):
                meta = _colocated_metadata(unit)
                if meta is not None and not meta.get('subordinate'):
                    return unit
    return None


def _colocated_metadata(unit: str) -> dict[str, Any] | None:
    """The metadata of *unit*'s charm when it runs on this machine (its agent directory
    is a sibling of ours: ``/var/lib/juju/agents/unit-<app>-<n>/charm``)."""
    from .._private.yaml import safe_load

    agents = _session.charm_dir().resolve().parent.parent
    path = agents / f'unit-{unit.replace("/", "-")}' / 'charm' / 'metadata.yaml'
    try:
        data = safe_load(path.read_text())
    except OSError:
        return None
    return data if isinstance(data, dict) else None
