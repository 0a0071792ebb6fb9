"""An in-memory Pebble for the Harness: what ``ops._private.harness._TestingPebbleClient`` is.

:class:`_TestingPebbleClient` answers like :class:`reactops.pebble.Client` without a
daemon. Layers combine into a plan; services only change state (nothing runs) and each
start, stop or restart is recorded as a finished change; checks get a ``perform-check``
change when they start and stay up until a test says otherwise; notices are recorded as
Pebble records them (same key and type: one notice, repeated). Files (a directory stands
for the container's root) and ``exec`` are shared with Scenario's Pebble
(:mod:`._pebble_sim`); what ``exec`` answers is the Harness's own (:mod:`._harness_pebble_exec`).

The Harness decides whether the container can be reached (``Harness.set_can_connect``):
until it can, calls that need Pebble raise :class:`~reactops.pebble.ConnectionError`.
Reading notices and checks, and recording a notice from the test, work without a
connection, as in ops' Harness.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .. import pebble
from ._harness_pebble_exec import _TestingExecProcess, find_exec_handler, run_exec_handler
from ._harness_results import ExecArgs, ExecHandler
from ._pebble_sim import (
    SimulatedPebble,
    check_signal,
    follow_plan,
    new_check_info,
    parse_layer,
    place_layer,
    select_notices,
    service_infos,
)
from ._pebble_sim import api_error as _api_error

__all__ = ['_TestingExecProcess', '_TestingPebbleClient']


class _TestingPebbleClient(SimulatedPebble):
    """A Pebble client whose Pebble is in memory (see the module docstring)."""

    def __init__(self, backend: Any, container_root: Path):
        self._backend = backend
        self._root = Path(container_root)
        self._layers: dict[str, pebble.Layer] = {}
        self._service_status: dict[str, pebble.ServiceStatus] = {}
        self._exec_handlers: dict[tuple[str, ...], ExecHandler] = {}
        self._notices: dict[tuple[str, str], pebble.Notice] = {}
        self._last_notice_id = 0
        self._last_notice_time: datetime.datetime | None = None
        self._changes: dict[str, pebble.Change] = {}
        self._change_services: dict[str, list[str]] = {}
        self._check_infos: dict[str, pebble.CheckInfo] = {}
        self._identities: dict[str, pebble.Identity] = {}

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self._root.name}>'

    def _handle_exec(self, command_prefix: Sequence[str], handler: ExecHandler) -> None:
        self._exec_handlers[tuple(command_prefix)] = handler

    def _check_connection(self) -> None:
        if not self._backend._can_connect(self):
            raise pebble.ConnectionError('Cannot connect to Pebble; did you forget to call '
                                         'begin_with_initial_hooks() or set_can_connect()?')

    def _exec_target(self, command: list[str]) -> ExecHandler:
        return find_exec_handler(self._exec_handlers, command)

    def _exec_services(self) -> dict[str, pebble.Service]:
        return self._combined('services')

    def _start_exec(self, target: ExecHandler, args: ExecArgs,
                    stdout: TextIO | BinaryIO | None,
                    stderr: TextIO | BinaryIO | None) -> pebble.ExecProcess[Any]:
        return run_exec_handler(target, args, stdout, stderr)

    # -- system, warnings, identities ------------------------------------------------------

    def get_system_info(self) -> pebble.SystemInfo:
        self._check_connection()
        return pebble.SystemInfo(version='1.0.0')

    def get_warnings(self, select: pebble.WarningState = pebble.WarningState.PENDING,
                     ) -> list[pebble.Warning]:
        """None: nothing in the simulated Pebble ever warns."""
        self._check_connection()
        return []

    def ack_warnings(self, timestamp: datetime.datetime) -> int:
        """There are no warnings to acknowledge: 0."""
        self._check_connection()
        return 0

    def get_identities(self) -> dict[str, pebble.Identity]:
        self._check_connection()
        return dict(self._identities)

    def replace_identities(self, identities: Mapping[str, pebble.IdentityDict |
                                                     pebble.Identity | None]) -> None:
        """Add or replace identities; ``None`` removes one."""
        self._check_connection()
        for name, identity in identities.items():
            if identity is None:
                self._identities.pop(name, None)
            elif isinstance(identity, pebble.Identity):
                self._identities[name] = identity
            else:
                self._identities[name] = pebble.Identity.from_dict(identity)

    def remove_identities(self, identities: Iterable[str]) -> None:
        self._check_connection()
        names = list(identities)
        missing = [name for name in names if name not in self._identities]
        if missing:
            raise _api_error(400, f'identity "{missing[0]}" not found')
        for name in names:
            del self._identities[name]

    # -- changes ---------------------------------------------------------------------------

    def _new_change(self, kind: str, summary: str, *, done: bool,
                    services: Sequence[str] = ()) -> pebble.Change:
        now = datetime.datetime.now()
        status = pebble.ChangeStatus.DONE if done else pebble.ChangeStatus.DOING
        change = pebble.Change(pebble.ChangeID(str(uuid.uuid4())), kind, summary=summary,
                               status=status.value, tasks=[], ready=done, err=None,
                               spawn_time=now, ready_time=now if done else None)
        self._changes[change.id] = change
        self._change_services[change.id] = list(services)
        return change

    def get_changes(self, select: pebble.ChangeState = pebble.ChangeState.IN_PROGRESS,
                    service: str | None = None) -> list[pebble.Change]:
        self._check_connection()
        changes = []
        for change_id, change in self._changes.items():
            if select is pebble.ChangeState.IN_PROGRESS and change.ready:
                continue
            if select is pebble.ChangeState.READY and not change.ready:
                continue
            if service is not None and service not in self._change_services[change_id]:
                continue
            changes.append(change)
        return changes

    def get_change(self, change_id: pebble.ChangeID) -> pebble.Change:
        self._check_connection()
        try:
            return self._changes[change_id]
        except KeyError:
            raise _api_error(404, f'cannot find change with id "{change_id}"') from None

    def abort_change(self, change_id: pebble.ChangeID) -> pebble.Change:
        """Abort a change still in progress (a running check's, in this Pebble)."""
        change = self.get_change(change_id)
        if change.ready:
            raise _api_error(400, f'cannot abort change {change_id} with nothing pending')
        change.status = pebble.ChangeStatus.ABORT.value
        change.ready = True
        change.ready_time = datetime.datetime.now()
        for info in self._check_infos.values():
            if info.change_id == change_id:
                info.status = pebble.CheckStatus.INACTIVE
                info.change_id = pebble.ChangeID('')
        return change

    def wait_change(self, change_id: pebble.ChangeID, timeout: float | None = 30.0,
                    delay: float = 0.1) -> pebble.Change:
        """The change if it is ready; a change in progress here (a check's) never ends,
        so waiting for one times out at once."""
        change = self.get_change(change_id)
        if not change.ready:
            raise pebble.TimeoutError(f'timed out waiting for change {change_id} '
                                      f'({timeout} seconds)')
        return change

    # -- layers and the plan ---------------------------------------------------------------

    def add_layer(self, label: str, layer: str | pebble.LayerDict | pebble.Layer, *,
                  combine: bool = False) -> None:
        """Add a layer; with *combine*, lay it over the layer of the same label, each item
        by its ``override`` (``merge`` or ``replace``, which it must have). The checks it
        names start now (unless their startup is disabled), as Pebble starts them."""
        new = parse_layer(label, layer)
        self._check_connection()
        place_layer(self._layers, label, new, combine)
        for name, check in new.checks.items():
            info = self._check_infos.get(name)
            if info is None:
                info = self._check_infos[name] = new_check_info(check)
            if info.startup != pebble.CheckStartup.DISABLED and not info.change_id:
                self._start_check(info)
        follow_plan(self._check_infos, self._combined('checks'))

    def _combined(self, section: str) -> dict[str, Any]:
        """One section of the plan: the layers in the order they were added, each item
        merged into or replacing the one before it (copies: the layers stay as added)."""
        combined: dict[str, Any] = {}
        for layer in self._layers.values():
            for name, item in getattr(layer, section).items():
                copy = type(item)(name, item.to_dict())
                if name in combined and item.override == 'merge':
                    combined[name]._merge(copy)
                else:
                    combined[name] = copy
        return combined

    def get_plan(self) -> pebble.Plan:
        self._check_connection()
        plan = pebble.Plan('{}')
        plan.services.update(self._combined('services'))
        plan.checks.update(self._combined('checks'))
        plan.log_targets.update(self._combined('log_targets'))
        return plan

    # -- services --------------------------------------------------------------------------

    def get_services(self, names: Iterable[str] | None = None) -> list[pebble.ServiceInfo]:
        if isinstance(names, str):
            raise TypeError(f'get_services should take a list of names, not just "{names}"')
        self._check_connection()
        return service_infos(names, self._combined('services'), self._service_status)

    def _change_service_state(self, kind: pebble.ChangeKind, services: Iterable[str],
                              status: pebble.ServiceStatus) -> pebble.ChangeID:
        verb = kind.value
        if isinstance(services, str):
            raise TypeError(f'{verb}_services should take a list of names, not just '
                            f'"{services}"')
        names = list(services)
        if not names:
            raise _api_error(400, f'must specify services for {verb} action')
        self._check_connection()
        known = self._combined('services')
        for name in names:  # Pebble checks every name before it changes anything
            if name not in known:
                raise _api_error(400, f'cannot {verb} services: service {name} does not '
                                      f'exist')
        for name in names:
            self._service_status[name] = status
        summary = f'{verb.capitalize()} service {names[0]}'
        if len(names) > 1:
            summary += f' and {len(names) - 1} more'
        return self._new_change(verb, summary, done=True, services=names).id

    def start_services(self, services: Iterable[str], timeout: float = 30.0,
                       delay: float = 0.1) -> pebble.ChangeID:
        return self._change_service_state(pebble.ChangeKind.START, services,
                                          pebble.ServiceStatus.ACTIVE)

    def stop_services(self, services: Iterable[str], timeout: float = 30.0,
                      delay: float = 0.1) -> pebble.ChangeID:
        return self._change_service_state(pebble.ChangeKind.STOP, services,
                                          pebble.ServiceStatus.INACTIVE)

    def restart_services(self, services: Iterable[str], timeout: float = 30.0,
                         delay: float = 0.1) -> pebble.ChangeID:
        return self._change_service_state(pebble.ChangeKind.RESTART, services,
                                          pebble.ServiceStatus.ACTIVE)

    def autostart_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        """Start the services whose startup is ``enabled``."""
        self._check_connection()
        started = self._start_enabled()
        return self._new_change('autostart', 'Autostart service(s)', done=True,
                                services=started).id

    def _start_enabled(self) -> list[str]:
        started = [name for name, service in self._combined('services').items()
                   if service.startup == pebble.ServiceStartup.ENABLED.value]
        for name in started:
            self._service_status[name] = pebble.ServiceStatus.ACTIVE
        return started

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        """Start the checks of the plan that are not running (unless disabled) and the
        enabled services."""
        self._check_connection()
        for name, check in self._combined('checks').items():
            if check.startup == pebble.CheckStartup.DISABLED:
                continue
            info = self._check_infos.get(name)
            if info is None:
                info = self._check_infos[name] = new_check_info(check)
            if not info.change_id:
                self._start_check(info)
        started = self._start_enabled()
        return self._new_change(pebble.ChangeKind.REPLAN.value, 'Replan', done=True,
                                services=started).id

    def send_signal(self, sig: int | str, services: Iterable[str]) -> None:
        names = list(services)
        if not names:
            raise TypeError('send_signal expected at least 1 service name, got 0')
        self._check_connection()
        check_signal(sig, names, self._combined('services'), self._service_status)

    # -- checks ----------------------------------------------------------------------------

    def _start_check(self, info: pebble.CheckInfo) -> pebble.Change:
        """A check starts: up, no failures, a ``perform-check`` change in progress."""
        change = self._new_change(pebble.ChangeKind.PERFORM_CHECK.value, info.name,
                                  done=False)
        info.change_id = change.id
        info.status = pebble.CheckStatus.UP
        info.failures = 0
        return change

    def get_checks(self, level: pebble.CheckLevel | None = None,
                   names: Iterable[str] | None = None) -> list[pebble.CheckInfo]:
        wanted = None if names is None else frozenset(names)
        return [info for info in self._check_infos.values()
                if (level is None or info.level == level)
                and (wanted is None or info.name in wanted)]

    def _known_check(self, name: str) -> pebble.CheckInfo:
        info = self._check_infos.get(name)
        if info is None:
            raise _api_error(404, f'cannot find check with name "{name}"')
        return info

    def start_checks(self, checks: Iterable[str]) -> list[str]:
        """Start the named checks; return those that were not running."""
        self._check_connection()
        started = []
        for name in checks:
            info = self._known_check(name)
            if not info.change_id:
                self._start_check(info)
                started.append(name)
        return started

    def stop_checks(self, checks: Iterable[str]) -> list[str]:
        """Stop the named checks; return those that were running."""
        self._check_connection()
        stopped = []
        for name in checks:
            info = self._known_check(name)
            if info.change_id:
                self._changes[info.change_id].status = pebble.ChangeStatus.ABORT.value
                info.status = pebble.CheckStatus.INACTIVE
                info.change_id = pebble.ChangeID('')
                stopped.append(name)
        return stopped

    # -- notices ---------------------------------------------------------------------------

    def notify(self, type: pebble.NoticeType, key: str, *,  # noqa: A002 - Pebble's name
               data: dict[str, str] | None = None,
               repeat_after: datetime.timedelta | None = None) -> str:
        """Record a notice (as ``pebble notify`` does); return its id."""
        notice_id, _ = self._notify(type, key, data=data, repeat_after=repeat_after)
        return notice_id

    def _now(self) -> datetime.datetime:
        """Now, but always after the last notice's time, so notices keep their order."""
        now = datetime.datetime.now(tz=datetime.timezone.utc)
        last = self._last_notice_time
        if last is not None and now <= last:
            now = last + datetime.timedelta(microseconds=1)
        self._last_notice_time = now
        return now

    def _notify(self, type: pebble.NoticeType, key: str, *,  # noqa: A002
                data: dict[str, str] | None = None,
                repeat_after: datetime.timedelta | None = None) -> tuple[str, bool]:
        """Record an occurrence of the notice *type*/*key*; return its id and whether it
        is new or repeated (an occurrence within *repeat_after* of the last repeat is
        neither, and would not reach the charm)."""
        now = self._now()
        unique = (type.value, key)
        notice = self._notices.get(unique)
        if notice is None:
            self._last_notice_id += 1
            self._notices[unique] = pebble.Notice(
                id=str(self._last_notice_id), user_id=0, type=type, key=key,
                first_occurred=now, last_occurred=now, last_repeated=now, occurrences=1,
                last_data=dict(data or {}), repeat_after=repeat_after,
                expire_after=datetime.timedelta(days=7))
            return str(self._last_notice_id), True
        repeated = repeat_after is None or now > notice.last_repeated + repeat_after
        self._notices[unique] = dataclasses.replace(
            notice, last_occurred=now, last_repeated=now if repeated else notice.last_repeated,
            occurrences=notice.occurrences + 1, last_data=dict(data or {}),
            repeat_after=repeat_after)
        return notice.id, repeated

    def get_notice(self, id: str) -> pebble.Notice:  # noqa: A002 - Pebble's name
        for notice in self._notices.values():
            if notice.id == id:
                return notice
        raise _api_error(404, f'cannot find notice with ID "{id}"')

    def get_notices(self, *, users: pebble.NoticesUsers | None = None,
                    user_id: int | None = None,
                    types: Iterable[pebble.NoticeType | str] | None = None,
                    keys: Iterable[str] | None = None) -> list[pebble.Notice]:
        """The notices that match, oldest repeat first; without *users* or *user_id*, those
        root may read (its own and public ones), as the charm asks."""
        return select_notices(self._notices.values(), users, user_id, types, keys)
