"""The workload containers of a Kubernetes charm, as a :class:`~reactops.testing.State`
describes them: whether Pebble answers, its layers and service statuses, mounts, the
commands the charm may run, notices and check results.

These are the data a test gives; during a run the simulated Pebble client
(:mod:`reactops.testing._scenario_pebble`) answers from them. ``reactops.pebble`` is loaded
only when a value needs its types, so a machine charm's tests never import it.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import itertools
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._state_parts import _check_name, _set
from .errors import StateValidationError

if TYPE_CHECKING:
    from .. import pebble
    from .context import Context

__all__ = ['CheckInfo', 'Container', 'Exec', 'Mount', 'Notice', 'layer_from_rockcraft']

_K8S_NAME_MAX = 63
_change_ids = itertools.count(1)
_notice_ids = itertools.count(1)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.timezone.utc)


@dataclasses.dataclass(frozen=True, init=False)
class Exec:
    """A command the charm may run in the container (matched by prefix) and its result."""

    command_prefix: Sequence[str]
    return_code: int
    stdout: str
    stderr: str
    _change_id: int

    def __init__(self, command_prefix: Sequence[str], *, return_code: int = 0,
                 stdout: str = '', stderr: str = '', _change_id: int | None = None):
        _set(self, command_prefix=tuple(command_prefix), return_code=return_code,
             stdout=stdout, stderr=stderr,
             _change_id=_change_id if _change_id is not None else next(_change_ids))

    def _run(self) -> int:
        """The change ID of this simulated process."""
        return self._change_id


@dataclasses.dataclass(frozen=True, kw_only=True)
class Mount:
    """A local file or directory (*source*) seen at *location* inside the container."""

    location: str | pathlib.PurePosixPath
    source: str | pathlib.Path


@dataclasses.dataclass(frozen=True, init=False)
class Notice:
    """A Pebble notice (``domain/path`` *key*) the container has recorded."""

    key: str
    id: str
    user_id: int | None
    type: pebble.NoticeType | str
    first_occurred: datetime.datetime
    last_occurred: datetime.datetime
    last_repeated: datetime.datetime
    occurrences: int
    last_data: Mapping[str, str]
    repeat_after: datetime.timedelta | None
    expire_after: datetime.timedelta | None

    def __init__(self, key: str, *, id: str | None = None, user_id: int | None = None,
                 type: pebble.NoticeType | str | None = None,
                 first_occurred: datetime.datetime | None = None,
                 last_occurred: datetime.datetime | None = None,
                 last_repeated: datetime.datetime | None = None, occurrences: int = 1,
                 last_data: Mapping[str, str] | None = None,
                 repeat_after: datetime.timedelta | None = None,
                 expire_after: datetime.timedelta | None = None):
        if type is None:
            from ..pebble import NoticeType

            type = NoticeType.CUSTOM
        _set(self, key=key, id=id if id is not None else str(next(_notice_ids)),
             user_id=user_id, type=type, first_occurred=first_occurred or _now(),
             last_occurred=last_occurred or _now(), last_repeated=last_repeated or _now(),
             occurrences=occurrences, last_data=dict(last_data or {}),
             repeat_after=repeat_after, expire_after=expire_after)

    def _to_ops(self) -> pebble.Notice:
        """The notice as :meth:`reactops.pebble.Client.get_notice` returns it."""
        from .. import pebble

        return pebble.Notice(
            id=self.id, user_id=self.user_id, type=self.type, key=self.key,
            first_occurred=self.first_occurred, last_occurred=self.last_occurred,
            last_repeated=self.last_repeated, occurrences=self.occurrences,
            last_data=dict(self.last_data), repeat_after=self.repeat_after,
            expire_after=self.expire_after)


@dataclasses.dataclass(frozen=True, init=False)
class CheckInfo:
    """The state of one Pebble health check.

    *level* is converted to :class:`~reactops.pebble.CheckLevel` (``ValueError`` if it is
    none of them); a check that runs (not ``INACTIVE``) gets a change ID when none is given.
    """

    name: str
    level: pebble.CheckLevel | None
    startup: pebble.CheckStartup
    status: pebble.CheckStatus
    successes: int | None
    failures: int
    threshold: int
    change_id: pebble.ChangeID | None

    def __init__(self, name: str, *, level: pebble.CheckLevel | str | None = None,
                 startup: pebble.CheckStartup | None = None,
                 status: pebble.CheckStatus | None = None, successes: int | None = 0,
                 failures: int = 0, threshold: int = 3,
                 change_id: pebble.ChangeID | None = None):
        from .. import pebble

        if level is not None:
            level = pebble.CheckLevel(level)
        startup = pebble.CheckStartup.ENABLED if startup is None else startup
        status = pebble.CheckStatus.UP if status is None else status
        if change_id is None:
            # An inactive check has no change; a running one always has.
            change_id = pebble.ChangeID('' if status == pebble.CheckStatus.INACTIVE
                                        else str(next(_change_ids)))
        _set(self, name=name, level=level, startup=startup, status=status,
             successes=successes, failures=failures, threshold=threshold,
             change_id=change_id)

    def __hash__(self) -> int:
        return hash(self.name)

    def _to_ops(self) -> pebble.CheckInfo:
        """The check as :meth:`reactops.pebble.Client.get_checks` reports it."""
        from .. import pebble

        return pebble.CheckInfo(
            name=self.name, level=self.level, startup=self.startup, status=self.status,
            successes=self.successes, failures=self.failures, threshold=self.threshold,
            change_id=self.change_id)


@dataclasses.dataclass(frozen=True, init=False)
class Container:
    """A workload container: ``can_connect`` says whether its Pebble answers."""

    name: str
    can_connect: bool
    _base_plan: Mapping[str, Any]
    layers: Mapping[str, pebble.Layer]
    service_statuses: Mapping[str, pebble.ServiceStatus]
    mounts: Mapping[str, Mount]
    execs: frozenset[Exec]
    notices: Sequence[Notice]
    check_infos: frozenset[CheckInfo]

    def __init__(self, name: str, *, can_connect: bool = False,
                 _base_plan: Mapping[str, Any] | None = None,
                 layers: Mapping[str, pebble.Layer] | None = None,
                 service_statuses: Mapping[str, pebble.ServiceStatus] | None = None,
                 mounts: Mapping[str, Mount] | None = None, execs: Iterable[Exec] = (),
                 notices: Iterable[Notice] = (), check_infos: Iterable[CheckInfo] = ()):
        _check_name(name, 'container')
        if len(name) > _K8S_NAME_MAX:
            raise StateValidationError(f'invalid container name {name!r}: must be at most '
                                       f'{_K8S_NAME_MAX} characters long')
        _set(self, name=name, can_connect=can_connect,
             _base_plan=copy.deepcopy(dict(_base_plan or {})),
             layers=copy.deepcopy(dict(layers or {})),
             service_statuses=dict(service_statuses or {}), mounts=dict(mounts or {}),
             execs=frozenset(execs), notices=list(notices), check_infos=frozenset(check_infos))

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def plan(self) -> pebble.Plan:
        """The plan Pebble computes: the base plan with the layers laid over it in order.

        Assert on this rather than on :attr:`layers` (the input).
        """
        return render_plan(self._base_plan, self.layers)

    @property
    def services(self) -> dict[str, pebble.ServiceInfo]:
        """The plan's services with their status (``INACTIVE`` unless
        :attr:`service_statuses` says otherwise), by name."""
        from .. import pebble

        infos = {}
        for name, service in sorted(render_items(self.layers, 'services').items()):
            status = self.service_statuses.get(name, pebble.ServiceStatus.INACTIVE)
            infos[name] = pebble.ServiceInfo(
                name, startup=pebble.ServiceStartup(service.startup or 'disabled'),
                current=pebble.ServiceStatus(status))
        return infos

    def get_filesystem(self, ctx: Context) -> pathlib.Path:
        """The directory that stands for the container's filesystem in runs of *ctx*."""
        return ctx._get_container_root(self.name)

    def get_check_info(self, name: str) -> CheckInfo:
        """The check called *name* (``KeyError`` if the container has none)."""
        for info in self.check_infos:
            if info.name == name:
                return info
        raise KeyError(f'check-info: {name} not found in the Container')


def render_items(layers: Mapping[str, pebble.Layer], section: str) -> dict[str, Any]:
    """One section (``services``, ``checks`` or ``log_targets``) of *layers* combined in
    order: an item with ``override: merge`` is merged into the one below it, any other
    replaces it. The layers' own items are never changed (each result is a copy)."""
    combined: dict[str, Any] = {}
    for layer in layers.values():
        for name, item in getattr(layer, section).items():
            if name in combined and item.override == 'merge':
                combined[name]._merge(item)
            else:
                combined[name] = copy.deepcopy(item)
    return combined


def render_plan(base_plan: Mapping[str, Any], layers: Mapping[str, pebble.Layer]
                ) -> pebble.Plan:
    """*base_plan* (the plan's dict form) with *layers* combined over it, names sorted."""
    import yaml

    from .. import pebble

    plan = pebble.Plan(yaml.safe_dump(dict(base_plan)))
    for section, target in (('services', plan.services), ('checks', plan.checks),
                            ('log_targets', plan.log_targets)):
        items = render_items(layers, section)
        for name in sorted(items):
            target[name] = items[name]
    return plan


def layer_from_rockcraft(path: pathlib.Path | str) -> pebble.Layer:
    """The Pebble layer a ``rockcraft.yaml`` declares (its services and checks)."""
    import yaml

    from .. import pebble

    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f'rockcraft.yaml file not found at {path}')
    rock = yaml.safe_load(path.read_text())
    description = (f'{rock.get("description", "(no description)")} (built from the '
                   f'rockcraft.yaml at {path})')
    return pebble.Layer({'summary': rock['summary'], 'description': description,
                         'services': rock.get('services', {}),
                         'checks': rock.get('checks', {})})
