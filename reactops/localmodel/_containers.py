"""A Kubernetes charm's containers in the local model: a workload manager for each, and the
workload events Juju's unit agent raises from what the managers report.

Each unit of a charm that declares ``containers:`` gets, per container, a folder
``units/<app>-<n>/containers/<name>/`` (``fs/`` in it is the container's filesystem) and a
manager serving Pebble's API on ``<sockets>/<name>/pebble.socket``; the unit's hooks get
``REACTOPS_CONTAINERS_DIR=<sockets>`` so the charm's ``Container`` finds it. Events:

* ``<name>-pebble-ready`` after the unit's setup hooks, and again whenever a manager
  found down is started again (as Juju does when Pebble restarts);
* from the manager's notices (``GET /v1/notices`` after the last one seen): a ``custom``
  notice is ``<name>-pebble-custom-notice``; a ``change-update`` notice of a
  ``perform-check`` change in ``Error`` is ``<name>-pebble-check-failed``, of a
  ``recover-check`` change that is ``Done`` is ``<name>-pebble-check-recovered``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _managers
from ._state import Container, LocalModelError, ModelState

__all__ = ['ContainerView', 'add', 'hook_env', 'launch', 'oci_images', 'poll', 'revive',
           'stop_all', 'unit_dir', 'views']

#: The notice types Juju turns into events.
NOTICE_TYPES = 'custom,change-update'
#: How long one request to a manager may take, in seconds.
REQUEST_TIMEOUT = 10.0


def unit_dir(model_dir: Path, unit: str) -> Path:
    """The folder of unit *unit* (``app/0``) in the model: ``units/app-0``."""
    app, _, number = unit.partition('/')
    return model_dir / 'units' / f'{app}-{number}'


def oci_images(app: str, meta: Any, given: Mapping[str, object]) -> dict[str, str]:
    """What each ``oci-image`` resource of *app*'s charm names: the bundle's value from
    *given* (an image reference, or a revision number), else the metadata's
    ``upstream-source``, else ''. The local model pulls none of them."""
    declared = meta.resources
    for name, value in given.items():
        if name not in declared:
            known = ', '.join(sorted(n for n, r in declared.items() if r.type == 'oci-image'))
            raise LocalModelError(f'application {app!r} has no resource {name!r} (its '
                                  f'oci-image resources: {known or "none"})')
        if declared[name].type != 'oci-image':
            raise LocalModelError(f'resource {name!r} of application {app!r} is a file; the '
                                  f'local model provides no file resources (resource-get)')
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise LocalModelError(f'resource {name!r} of application {app!r} must be an '
                                  f'image reference or a revision number, not {value!r}')
    images = {}
    for name, resource in declared.items():
        if resource.type != 'oci-image':
            continue
        raw = (meta.raw.get('resources') or {}).get(name)
        value = given.get(name, raw.get('upstream-source') if isinstance(raw, dict) else None)
        images[name] = f'revision {value}' if isinstance(value, int) else str(value or '')
    return images


def add(state: ModelState, model_dir: Path, unit: str, meta: Any) -> None:
    """Record the containers of new unit *unit* and queue their pebble-ready (after its
    setup hooks); :func:`launch` starts their managers."""
    names = sorted(meta.containers)
    sockets = _managers.sockets_dir(unit_dir(model_dir, unit), model_dir, names)
    for name in names:
        state.add_container(unit, name, meta.containers[name].resource or '', str(sockets))
        state.enqueue(unit, f'{name}-pebble-ready', {'JUJU_WORKLOAD_NAME': name})


def manager(model_dir: Path, container: Container) -> _managers.Manager:
    """The workload manager of *container*."""
    root = unit_dir(model_dir.resolve(), container.unit) / 'containers' / container.name
    return _managers.Manager(root, _socket(container),
                             f'container {container.name!r} of {container.unit}')


def _socket(container: Container) -> Path:
    return Path(container.sockets) / container.name / _managers.SOCKET_NAME


def launch(state: ModelState, model_dir: Path, containers: Sequence[Container]) -> None:
    """Start the managers of *containers* and wait until each listens. A fresh manager
    has no notices: each container's notices are read from the start again."""
    if not containers:
        return
    _managers.start([manager(model_dir, c) for c in containers], _manager_env())
    with state.transaction():
        for container in containers:
            state.set_seen(container.unit, container.name, '')


def _manager_env() -> dict[str, str]:
    """The managers' environment (which their services inherit): ours, without the
    Juju and reactops variables, with a PYTHONPATH that finds this reactops."""
    from ._process import reactops_path

    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('JUJU_', 'REACTOPS_')) and key != 'PYTHONPATH'}
    extra = reactops_path()
    if extra:
        env['PYTHONPATH'] = extra
    return env


def revive(state: ModelState, model_dir: Path) -> list[Container]:
    """Start every manager of the model that is not running (it crashed, was killed, or
    the model was stopped) and queue pebble-ready for it again; return those."""
    down = [c for c in state.containers()
            if _managers.running_pid(manager(model_dir, c).root) is None]
    launch(state, model_dir, down)
    with state.transaction():
        for container in down:
            state.enqueue(container.unit, f'{container.name}-pebble-ready',
                          {'JUJU_WORKLOAD_NAME': container.name})
    return down


def stop_all(model_dir: Path) -> list[int]:
    """Stop every manager of the model (found by their folders, so even a model whose
    state cannot be read is stopped); return the pids that were running."""
    return _managers.stop(_managers.find_roots(model_dir.resolve()))


def hook_env(state: ModelState, unit: str) -> dict[str, str]:
    """What a hook of *unit* needs to find its containers' sockets."""
    containers = state.containers(unit)
    return {'REACTOPS_CONTAINERS_DIR': containers[0].sockets} if containers else {}


# --- notices -> workload events -----------------------------------------------------------

def poll(state: ModelState, containers: Sequence[Container]) -> int:
    """Read each container's new notices and queue the events they mean; return how many
    were queued. A manager that does not answer is skipped: the next command starts it
    again."""
    from .._private import pebble_types

    queued = 0
    for container in containers:
        try:
            events, seen = _events(container)
        except pebble_types.ConnectionError:
            continue
        if seen == container.seen:
            continue
        with state.transaction():
            for hook, env in events:
                state.enqueue(container.unit, hook, env)
            state.set_seen(container.unit, container.name, seen)
        queued += len(events)
    return queued


def _events(container: Container) -> tuple[list[tuple[str, dict[str, str]]], str]:
    """The events of *container*'s notices after the last one seen, and the
    ``last-repeated`` time of the last notice read."""
    from urllib.parse import urlencode

    query = {'types': NOTICE_TYPES, **({'after': container.seen} if container.seen else {})}
    notices = _get(container, f'/v1/notices?{urlencode(query)}')
    events = []
    seen = container.seen
    for notice in notices if isinstance(notices, list) else []:
        try:
            event = _event(container, notice)
            seen = str(notice['last-repeated'])
        except (KeyError, TypeError, AttributeError) as e:
            raise LocalModelError(f'the workload manager of container {container.name!r} of '
                                  f'{container.unit} sent a notice without {e}: '
                                  f'{json.dumps(notice)[:300]}') from None
        if event is not None:
            events.append(event)
    return events, seen


def _event(container: Container, notice: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The hook a notice means, with its environment, as Juju's unit agent decides."""
    name = container.name
    env = {'JUJU_WORKLOAD_NAME': name}
    if notice['type'] == 'custom':
        return f'{name}-pebble-custom-notice', {
            **env, 'JUJU_NOTICE_ID': str(notice['id']), 'JUJU_NOTICE_TYPE': 'custom',
            'JUJU_NOTICE_KEY': str(notice['key'])}
    data = notice.get('last-data') or {}
    wanted = {'perform-check': ('Error', 'failed'), 'recover-check': ('Done', 'recovered')}
    if notice['type'] != 'change-update' or data.get('kind') not in wanted:
        return None
    status, event = wanted[data['kind']]
    change = _get(container, f'/v1/changes/{notice["key"]}')
    if not isinstance(change, dict) or change.get('status') != status:
        return None
    return f'{name}-pebble-check-{event}', {**env,
                                            'JUJU_PEBBLE_CHECK_NAME': str(data['check-name'])}


def _get(container: Container, target: str) -> Any:
    """The ``result`` of ``GET target`` from *container*'s manager. Not reaching it is
    Pebble's ConnectionError; any other failure a LocalModelError naming the manager."""
    from .._private import pebble_http, pebble_types

    where = f'the workload manager of container {container.name!r} of {container.unit}'
    try:
        with pebble_http.send(str(_socket(container)), REQUEST_TIMEOUT, 'GET', target, {},
                              None) as response:
            return json.loads(response.read())['result']
    except pebble_types.ConnectionError:
        raise
    except pebble_types.Error as e:
        raise LocalModelError(f'{where} failed GET {target}: {e}') from None
    except (ValueError, KeyError, TypeError) as e:
        raise LocalModelError(f'{where} answered GET {target} with no JSON result '
                              f'({type(e).__name__}: {e})') from None


# --- what status shows --------------------------------------------------------------------

@dataclass(frozen=True)
class ContainerView:
    """A container as ``reactops status`` shows it, read live from its manager: the
    manager's pid (None while it is down), the image its resource names (never pulled:
    the workload runs on this machine), its services and its checks."""

    unit: str
    name: str
    resource: str
    image: str
    pid: int | None
    services: tuple[tuple[str, str], ...] = ()
    """(name, current state) of each service."""
    checks: tuple[tuple[str, str, int, int], ...] = ()
    """(name, status, failures, threshold) of each check."""
    problem: str = ''
    """Why the services and checks could not be read ('' when they were)."""


def views(state: ModelState, model_dir: Path, unit: str) -> list[ContainerView]:
    """The containers of *unit*, as they are now."""
    found = []
    for container in state.containers(unit):
        pid = _managers.running_pid(manager(model_dir, container).root)
        view = ContainerView(unit, container.name, container.resource, container.image, pid)
        found.append(view if pid is None else _read_live(view, container))
    return found


def _read_live(view: ContainerView, container: Container) -> ContainerView:
    """*view* with the services and checks its manager reports (or why it could not)."""
    from dataclasses import replace

    from .._private import pebble_types

    try:
        services = _get(container, '/v1/services')
        checks = _get(container, '/v1/checks')
        return replace(
            view, services=tuple((s['name'], s['current']) for s in services),
            checks=tuple((c['name'], c['status'], int(c.get('failures', 0)),
                          int(c.get('threshold', 0))) for c in checks))
    except (pebble_types.ConnectionError, LocalModelError) as e:
        return replace(view, problem=str(e))
    except (KeyError, TypeError, ValueError) as e:
        return replace(view, problem=f'its manager answered unexpectedly ({e!r})')
