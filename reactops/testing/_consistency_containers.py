"""The consistency checks of workload containers: the State's containers against the
metadata, each container's check results against its plan, and a workload event
(``pebble-ready``, custom notice, check failed/recovered) against the State."""

from __future__ import annotations

import collections
import logging
from typing import Any

from ..meta import CharmMeta
from ._state import State
from ._state_pebble import Container

__all__ = ['container_problems']

logger = logging.getLogger('reactops.testing')

_WORKLOAD_SUFFIXES = ('_pebble_ready', '_pebble_custom_notice', '_pebble_check_failed',
                      '_pebble_check_recovered')


def _workload_prefix(event: Any) -> str | None:
    """The container a workload event names (``foo-bar`` for ``foo_bar_pebble_ready``),
    or ``None`` for any other event."""
    name = str(getattr(event, 'name', ''))
    for suffix in _WORKLOAD_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            # Container names never hold underscores: Juju's are hyphenated.
            return name[:-len(suffix)].replace('_', '-')
    return None


def container_problems(state: State, event: Any, meta: CharmMeta) -> list[str]:
    """Every way *state*'s containers and a workload *event* could not happen for a charm
    with *meta* (a Pebble event on a container that cannot connect is only warned about:
    Juju may send one, though a test rarely means it)."""
    problems: list[str] = []
    declared = set(meta.containers)
    names = [c.name for c in state.containers]
    undeclared = sorted(set(names) - declared)
    if undeclared:
        problems.append(f'State.containers has {", ".join(map(repr, undeclared))}, which the '
                        'charm does not declare; add them under "containers" in the metadata, '
                        'or remove them from the State')
    for container in sorted(state.containers, key=lambda c: c.name):
        problems.extend(_check_info_problems(container))
    prefix = _workload_prefix(event) if event is not None else None
    if prefix is not None:
        problems.extend(_workload_event_problems(state, event, prefix, declared, names))
    return problems


def _workload_event_problems(state: State, event: Any, prefix: str, declared: set[str],
                             names: list[str]) -> list[str]:
    problems: list[str] = []
    name = event.name
    if prefix not in declared:
        problems.append(f'the {name} event is for container {prefix!r}, which the charm does '
                        'not declare; add it under "containers" in the metadata')
    if prefix not in names:
        problems.append(f'the {name} event is for container {prefix!r}, which is not in '
                        "State.containers; add it (with can_connect=False if Pebble isn't up "
                        'yet)')
    container: Container | None = getattr(event, 'container', None)
    if container is None:
        problems.append(f'the {name} event has no container; pass the container (one of '
                        'State.containers) to the event factory')
        return problems
    if container.name != prefix:
        problems.append(f'the {name} event is for container {prefix!r}, but was given '
                        f'container {container.name!r}; the event name and the container '
                        'must agree')
    if container not in state.containers:
        problems.append(f'the {name} event was given container {container.name!r}, which is '
                        'not the one in State.containers (one with the same name is not '
                        'enough: pass the object in the State)')
    if not container.can_connect:
        logger.warning('%s is sent while container %r cannot connect: Juju may do so, but a '
                       'test rarely means it (set can_connect=True)', name, container.name)
    counts = collections.Counter(e.command_prefix for e in container.execs)
    duplicated = sorted(list(p) for p, n in counts.items() if n > 1)
    if duplicated:
        problems.append(f'container {container.name!r} has several Execs for the command '
                        f'prefixes {duplicated}; give each prefix one Exec')
    notice = getattr(event, 'notice', None)
    if notice is not None and not any(notice.id == n.id for c in state.containers
                                      for n in c.notices):
        problems.append(f'the {name} event is for notice {notice.key!r} (id {notice.id}), '
                        'which no container in the State has; add it to the '
                        "container's notices")
    check = getattr(event, 'check_info', None)
    if check is not None and not any(c.name == prefix and check.name in
                                     {i.name for i in c.check_infos}
                                     for c in state.containers):
        problems.append(f'the {name} event is for check {check.name!r}, which container '
                        f"{prefix!r} does not have; add it to that container's check_infos")
    return problems


def _check_info_problems(container: Container) -> list[str]:
    """A check result must match its check in the container's plan (Pebble reports the
    level, startup and threshold the plan gives it, with Pebble's defaults filled in)."""
    from .. import pebble

    if not container.check_infos:
        return []
    problems: list[str] = []
    plan = container.plan
    where = f'container {container.name!r}'
    for info in sorted(container.check_infos, key=lambda i: i.name):
        check = plan.checks.get(info.name)
        if check is None:
            has = (f'the plan has only checks {", ".join(plan.checks)}' if plan.checks
                   else 'the plan has no checks')
            problems.append(f'{where} has a CheckInfo {info.name!r}, but {has}; add the '
                            'check to a layer of the container')
            continue
        level = pebble.CheckLevel.UNSET if info.level is None else info.level
        if level != check.level:
            problems.append(f'{where} has a CheckInfo {info.name!r} with level '
                            f'{_value(info.level)!r}, but the plan says {_value(check.level)!r}')
        unset = (None, pebble.CheckStartup.UNSET)
        startup = pebble.CheckStartup.ENABLED if info.startup in unset else info.startup
        planned = pebble.CheckStartup.ENABLED if check.startup in unset else check.startup
        if startup != planned:
            problems.append(f'{where} has a CheckInfo {info.name!r} with startup '
                            f'{_value(info.startup)!r}, but the plan says '
                            f'{_value(check.startup)!r}')
        threshold = 3 if info.threshold is None else info.threshold
        planned_threshold = 3 if check.threshold is None else check.threshold
        if threshold != planned_threshold:
            problems.append(f'{where} has a CheckInfo {info.name!r} with threshold '
                            f'{info.threshold}, but the plan says {check.threshold}')
    return problems


def _value(value: Any) -> Any:
    return getattr(value, 'value', value)
