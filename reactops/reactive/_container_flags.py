"""The automatic flags of a Kubernetes charm's workload containers (``container.<name>.*``).

======================================================  =====================================
flag                                                    rule
======================================================  =====================================
``container.<name>.ready``                              set in ``<name>-pebble-ready``;
                                                        cleared in ``stop`` and ``remove``; in
                                                        any other hook ``can_connect()`` says,
                                                        asked the first time the flag is read
``container.<name>.check.<check>.failed``               set in ``<name>-pebble-check-failed``,
                                                        cleared in ``-check-recovered`` and
                                                        when a fresh Pebble starts
                                                        (``<name>-pebble-ready``)
``container.<name>.check.<check>.recovered``            in ``<name>-pebble-check-recovered``,
                                                        for that hook only
``container.<name>.notice.<key>``                       in ``<name>-pebble-custom-notice``,
                                                        for that hook only; the value is the
                                                        notice's id
======================================================  =====================================

Only charms that declare containers load this module. Reading ``container.<name>.ready``
outside its pebble-ready hook asks Pebble once per hook; a hook in which no handler reads
it opens no connection (the Pebble client is not even imported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._private.typing import TYPE_CHECKING
from ._runtime import ReactiveRuntime

if TYPE_CHECKING:
    from typing import Any

__all__ = ['install_container_flags', 'is_hook_scoped']

# Hooks after which the unit's containers are going away: their Pebble is not for use.
_GOING_AWAY = ('stop', 'remove')


def install_container_flags(runtime: ReactiveRuntime, charm: Any, hook_name: str,
                            containers: Iterable[str]) -> None:
    """Arrange the ``container.*`` flags of this dispatch for the charm's *containers*."""
    names = list(containers)
    for name in names:
        ready = f'container.{name}.ready'
        if hook_name == f'{name}-pebble-ready':
            runtime.set(ready)
            # A Pebble that has just started has fresh checks: none has failed yet.
            for flag in [f for f in runtime.flags if _is_check_flag(f, name, '.failed')]:
                runtime.clear(flag)
        elif hook_name in _GOING_AWAY:
            runtime.clear(ready)
        else:
            runtime.add_lazy_family(ready, _prober(charm, name))
    context = getattr(charm.model._backend, '_juju_context', None)
    workload = getattr(context, 'workload_name', None)
    if context is None or workload not in names:
        return
    prefix = f'container.{workload}.'
    check = context.pebble_check_name
    if hook_name == f'{workload}-pebble-check-failed' and check:
        runtime.set(f'{prefix}check.{check}.failed')
    elif hook_name == f'{workload}-pebble-check-recovered' and check:
        runtime.clear(f'{prefix}check.{check}.failed')
        runtime.set(f'{prefix}check.{check}.recovered')
    elif hook_name == f'{workload}-pebble-custom-notice' and context.notice_key:
        runtime.set(f'{prefix}notice.{context.notice_key}', context.notice_id)


def _prober(charm: Any, name: str) -> Callable[[ReactiveRuntime], None]:
    """Compute ``container.<name>.ready`` by asking Pebble once."""

    def probe(runtime: ReactiveRuntime) -> None:
        flag = f'container.{name}.ready'
        if charm.unit.get_container(name).can_connect():
            runtime.set(flag)
        else:
            runtime.clear(flag)
    return probe


def _is_check_flag(flag: str, container: str, suffix: str) -> bool:
    return flag.startswith(f'container.{container}.check.') and flag.endswith(suffix)


def is_hook_scoped(flag: str) -> bool:
    """Whether *flag* is a container flag that lasts only for its hook (a notice or a
    recovered check)."""
    if not flag.startswith('container.'):
        return False
    # Container names are Kubernetes names (no dots), so the third part is the kind.
    parts = flag.split('.', 3)
    if len(parts) < 4:
        return False
    return parts[2] == 'notice' or (parts[2] == 'check' and flag.endswith('.recovered'))
