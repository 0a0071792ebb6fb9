"""The Pebble a :class:`~reactops.testing.Context` run talks to: no daemon, no socket.

:class:`ScenarioPebbleClient` is a :class:`reactops.pebble.Client` whose methods answer
from the run's working copy of a State :class:`~reactops.testing.Container`
(:class:`~._scenario_workload.Workload`), as ``ops.testing`` (Scenario) does:

- every call that needs Pebble raises :class:`~reactops.pebble.ConnectionError` when the
  container cannot connect (the check results and notices Juju hands an event are still
  readable);
- layers combine into the plan by each item's ``override``; starting, stopping and
  replanning only change the recorded service statuses (nothing runs); health checks
  start when their layer is added and stop or start on request;
- files live under a temporary directory standing for the container's ``/``, with the
  State's mounts linked into it (the file API and ``exec``'s arguments are shared with the
  Harness's Pebble: :mod:`._pebble_sim`);
- ``exec`` answers with the :class:`~reactops.testing.Exec` whose command prefix is the
  longest match, and records the call in ``ctx.exec_history``.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO, cast

from .. import pebble
from ._harness_results import ExecArgs
from ._pebble_sim import (
    SimulatedPebble,
    check_signal,
    longest_prefix,
    parse_layer,
    place_layer,
    select_notices,
    service_infos,
)
from ._pebble_sim import api_error as _api_error
from ._scenario_workload import Workload
from ._state_pebble import Exec

__all__ = ['ScenarioExecProcess', 'ScenarioPebbleClient']


def _stream(data: str, encoding: str | None) -> io.StringIO | io.BytesIO:
    """A readable stream of *data*: text, or bytes when there is no *encoding*."""
    return io.StringIO(data) if encoding is not None else io.BytesIO(data.encode())


def _names_list(names: Iterable[str], what: str) -> list[str]:
    # Passing one name instead of a list of them is a common slip: refuse it early.
    if isinstance(names, str):
        raise TypeError(f'{what} should take a list of names, not just "{names}"')
    return list(names)


class ScenarioExecProcess:
    """A simulated command that has already finished, as :class:`~reactops.pebble.ExecProcess`
    presents it: ``stdin`` takes input until waited on, ``stdout``/``stderr`` hold the
    :class:`~reactops.testing.Exec`'s output unless ``exec`` was given streams for them."""

    def __init__(self, args: ExecArgs, return_code: int, change_id: int,
                 stdin: io.StringIO | io.BytesIO | None,
                 stdout: io.StringIO | io.BytesIO | None,
                 stderr: io.StringIO | io.BytesIO | None):
        self._args = args
        self._return_code = return_code
        self._change_id = change_id
        self._waited = False
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr

    def __del__(self) -> None:
        if not self._waited:
            self._record_stdin()

    def _record_stdin(self) -> None:
        # What the charm wrote to stdin is what the command was given: the history shows it.
        if self._args.stdin is None and self.stdin is not None:
            self.stdin.seek(0)
            self._args.stdin = self.stdin.read()

    def wait(self) -> None:
        """Return if the command succeeded; else raise :class:`~reactops.pebble.ExecError`."""
        self._record_stdin()
        self._waited = True
        if self._return_code != 0:
            raise pebble.ExecError[Any](list(self._args.command), self._return_code,
                                        None, None)

    def wait_output(self) -> tuple[Any, Any]:
        """The command's (stdout, stderr); :class:`~reactops.pebble.ExecError` carrying them
        if it failed."""
        self._record_stdin()
        self._waited = True
        out = self.stdout.read() if self.stdout is not None else None
        err = self.stderr.read() if self.stderr is not None else None
        if self._return_code != 0:
            raise pebble.ExecError[Any](list(self._args.command), self._return_code, out, err)
        return out, err

    def send_signal(self, sig: int | str) -> None:
        """The command has already finished: there is nothing to signal."""
        raise NotImplementedError('a simulated command has already finished when exec '
                                  'returns; it cannot be signalled')


class ScenarioPebbleClient(SimulatedPebble, pebble.Client):
    """A Pebble client answering from *workload* (see the module docstring)."""

    def __init__(self, socket_path: str, workload: Workload):
        super().__init__(socket_path)
        self._workload = workload
        self._root = workload.root

    def _check_connection(self) -> None:
        if not self._workload.can_connect:
            name = self._workload.name
            raise pebble.ConnectionError(
                f'Cannot connect to Pebble; did you forget to set can_connect=True for '
                f'container {name}?' if self._workload.container is not None else
                f'Cannot connect to Pebble: container {name} is not in the State (add '
                f'Container({name!r}, can_connect=True) to State.containers)')

    # Anything not simulated below would go to the socket: refuse it plainly.

    def _request(self, method: str, path: str, query: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> dict[str, Any]:
        self._check_connection()
        raise NotImplementedError(f'{method} {path} is not simulated by reactops.testing')

    def _request_raw(self, method: str, path: str, query: dict[str, Any] | None = None,
                     headers: dict[str, Any] | None = None,
                     data: bytes | Any = None) -> Any:
        self._check_connection()
        raise NotImplementedError(f'{method} {path} is not simulated by reactops.testing')

    # -- system and changes ----------------------------------------------------------------

    def get_system_info(self) -> pebble.SystemInfo:
        self._check_connection()
        return pebble.SystemInfo(version='1.0.0')

    def get_change(self, change_id: pebble.ChangeID) -> pebble.Change:
        self._check_connection()
        try:
            return self._workload.changes[str(change_id)]
        except KeyError:
            raise _api_error(404, f'cannot find change with id "{change_id}"') from None

    def wait_change(self, change_id: pebble.ChangeID, timeout: float | None = 30.0,
                    delay: float = 0.1) -> pebble.Change:
        # Simulated changes never progress: the change as it is, whatever the timeout.
        return self.get_change(change_id)

    # -- layers and the plan ---------------------------------------------------------------

    def add_layer(self, label: str, layer: str | pebble.LayerDict | pebble.Layer, *,
                  combine: bool = False) -> None:
        new = parse_layer(label, layer)
        self._check_connection()
        workload = self._workload
        place_layer(workload.layers, label, new, combine)
        # Pebble starts a layer's checks as it adds them, not only on replan.
        for name, check in new.checks.items():
            info = workload.checks.get(name) or workload.new_check_info(check)
            if info.startup != pebble.CheckStartup.DISABLED and not info.change_id:
                workload.perform_check(info)
        workload.refresh_checks_from_plan()

    def get_plan(self) -> pebble.Plan:
        self._check_connection()
        return self._workload.plan()

    # -- services --------------------------------------------------------------------------

    def get_services(self, names: Iterable[str] | None = None) -> list[pebble.ServiceInfo]:
        if isinstance(names, str):
            raise TypeError(f'get_services should take a list of names, not just "{names}"')
        self._check_connection()
        return service_infos(names, self._workload.services(), self._workload.statuses)

    def _set_services(self, verb: str, services: Iterable[str],
                      status: pebble.ServiceStatus) -> pebble.ChangeID:
        names = _names_list(services, f'{verb}_services')
        if not names:
            raise _api_error(400, f'must specify services for {verb} action')
        self._check_connection()
        known = self._workload.services()
        # Pebble checks every name before it changes any service.
        for name in names:
            if name not in known:
                raise _api_error(400, f'cannot {verb} services: service {name} does not '
                                      f'exist')
        for name in names:
            self._workload.statuses[name] = status
        return self._workload.service_change(verb, names)

    def start_services(self, services: Iterable[str], timeout: float = 30.0,
                       delay: float = 0.1) -> pebble.ChangeID:
        return self._set_services('start', services,
                                  pebble.ServiceStatus.ACTIVE)

    def stop_services(self, services: Iterable[str], timeout: float = 30.0,
                      delay: float = 0.1) -> pebble.ChangeID:
        return self._set_services('stop', services,
                                  pebble.ServiceStatus.INACTIVE)

    def restart_services(self, services: Iterable[str], timeout: float = 30.0,
                         delay: float = 0.1) -> pebble.ChangeID:
        return self._set_services('restart', services,
                                  pebble.ServiceStatus.ACTIVE)

    def autostart_services(self, timeout: float = 30.0, delay: float = 0.1
                           ) -> pebble.ChangeID:
        return self._autostart('autostart')

    def _autostart(self, kind: str) -> pebble.ChangeID:
        """Start the services whose startup is enabled (nothing runs: their status)."""
        self._check_connection()
        started = []
        for name, service in self._workload.services().items():
            if service.startup == pebble.ServiceStartup.ENABLED.value:
                self._workload.statuses[name] = pebble.ServiceStatus.ACTIVE
                started.append(name)
        return self._workload.service_change(kind, started)

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        self._check_connection()
        workload = self._workload
        for name, check in workload.plan_checks().items():
            if check.startup == pebble.CheckStartup.DISABLED:
                continue
            info = workload.checks.get(name)
            if info is None:
                info = workload.new_check_info(check)
            if not info.change_id:
                workload.perform_check(info)
        return self._autostart('replan')

    def send_signal(self, sig: int | str, services: Iterable[str]) -> None:
        names = _names_list(services, 'send_signal')
        if not names:
            raise TypeError('send_signal expected at least 1 service name, got 0')
        self._check_connection()
        check_signal(sig, names, self._workload.services(), self._workload.statuses)

    # -- checks ----------------------------------------------------------------------------

    def get_checks(self, level: pebble.CheckLevel | None = None,
                   names: Iterable[str] | None = None) -> list[pebble.CheckInfo]:
        # Readable even when Pebble does not answer: Juju gives check events their info.
        wanted = None if names is None else set(names)
        return [info for info in self._workload.checks.values()
                if (level is None or level == info.level)
                and (wanted is None or info.name in wanted)]

    def _known_check(self, name: str) -> pebble.CheckInfo:
        info = self._workload.checks.get(name)
        if info is None:
            raise _api_error(404, f'cannot find check with name "{name}"')
        return info

    def start_checks(self, checks: Iterable[str]) -> list[str]:
        names = _names_list(checks, 'start_checks')
        self._check_connection()
        started = []
        for name in names:
            info = self._known_check(name)
            if not info.change_id:
                self._workload.perform_check(info)
                started.append(name)
        return started

    def stop_checks(self, checks: Iterable[str]) -> list[str]:
        names = _names_list(checks, 'stop_checks')
        self._check_connection()
        stopped = []
        for name in names:
            info = self._known_check(name)
            if info.change_id:
                self._workload.stop_check(info)
                stopped.append(name)
        return stopped

    # -- notices ---------------------------------------------------------------------------

    def notify(self, type: pebble.NoticeType, key: str, *, data: dict[str, str] | None = None,
               repeat_after: datetime.timedelta | None = None) -> str:
        return self._workload.notify(type, key, data, repeat_after)

    def get_notice(self, id: str) -> pebble.Notice:
        for notice in self._workload.notices.values():
            if notice.id == id:
                return notice._to_ops()
        raise _api_error(404, f'cannot find notice with ID "{id}"')

    def get_notices(self, *, users: pebble.NoticesUsers | None = None,
                    user_id: int | None = None,
                    types: Iterable[pebble.NoticeType | str] | None = None,
                    keys: Iterable[str] | None = None) -> list[pebble.Notice]:
        found = select_notices(self._workload.notices.values(), users, user_id, types, keys)
        return [notice._to_ops() for notice in found]

    # -- commands --------------------------------------------------------------------------

    def _exec_target(self, command: list[str]) -> Exec:
        """The container's Exec with the longest prefix of *command*; as ops-scenario, a
        command without one fails as a missing binary would (exit code 127)."""
        container = self._workload.container
        execs = {tuple(e.command_prefix): e for e in (container.execs if container else ())}
        found = longest_prefix(execs, command)
        if found is None:
            raise pebble.ExecError[str](
                command, 127, '',
                f'mock for cmd {command} not found. Please patch out whatever leads to the '
                f'call, or pass to the Container {self._workload.name} a scenario.Exec mock '
                f'for the command your charm is attempting to run, such as '
                f"'Container(..., execs={{scenario.Exec({list(command)}, ...)}})'")
        return found

    def _exec_services(self) -> dict[str, pebble.Service]:
        return self._workload.services()

    def _start_exec(self, target: Exec, args: ExecArgs, stdout: TextIO | BinaryIO | None,
                    stderr: TextIO | BinaryIO | None) -> ScenarioExecProcess:
        self._workload.exec_history.setdefault(self._workload.name, []).append(args)
        encoding = args.encoding
        out_text, err_text = target.stdout, target.stderr
        if args.combine_stderr:
            out_text, err_text = out_text + err_text, ''
        proc_stdin = _stream('', encoding) if args.stdin is None else None
        proc_stdout = _deliver(out_text, encoding, stdout)
        proc_stderr = None if args.combine_stderr else _deliver(err_text, encoding, stderr)
        return ScenarioExecProcess(args, target.return_code, target._run(), proc_stdin,
                                   proc_stdout, proc_stderr)


def _deliver(data: str, encoding: str | None, target: TextIO | BinaryIO | None
             ) -> io.StringIO | io.BytesIO | None:
    """Write *data* to the charm's *target* stream, or return a stream to read it from."""
    if target is None:
        return _stream(data, encoding)
    if encoding is not None:
        cast('TextIO', target).write(data)  # a text stream, as exec's typing says
    else:
        cast('BinaryIO', target).write(data.encode())
    return None
