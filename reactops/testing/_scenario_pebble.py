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
  State's mounts linked into it;
- ``exec`` answers with the :class:`~reactops.testing.Exec` whose command prefix is the
  longest match, and records the call in ``ctx.exec_history``.
"""

from __future__ import annotations

import datetime
import fnmatch
import grp
import http
import io
import os
import pwd
import shutil
import signal
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any, BinaryIO, TextIO, cast

from .. import pebble
from ._harness_results import ExecArgs
from ._scenario_workload import Workload
from ._state_pebble import Exec

__all__ = ['ScenarioExecProcess', 'ScenarioPebbleClient']


def _api_error(code: int, message: str) -> pebble.APIError:
    status = http.HTTPStatus(code).phrase
    body = {'type': 'error', 'status-code': code, 'status': status,
            'result': {'message': message}}
    return pebble.APIError(body, code, status, message)


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


class ScenarioPebbleClient(pebble.Client):
    """A Pebble client answering from *workload* (see the module docstring)."""

    def __init__(self, socket_path: str, workload: Workload):
        super().__init__(socket_path)
        self._workload = workload

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
        if not isinstance(label, str):
            raise TypeError(f'label must be a str, not {type(label).__name__}')
        if isinstance(layer, str | dict):
            new = pebble.Layer(layer)
        elif isinstance(layer, pebble.Layer):
            new = pebble.Layer(layer.to_dict())
        else:
            raise TypeError(
                f'layer must be str, dict, or pebble.Layer, not {type(layer).__name__}')
        self._check_connection()
        workload = self._workload
        old = workload.layers.get(label)
        if old is None:
            workload.layers[label] = new
        elif not combine:
            raise RuntimeError(f'400 Bad Request: layer "{label}" already exists')
        else:
            for section, what in (('services', 'service'), ('checks', 'check'),
                                  ('log_targets', 'log target')):
                _combine(label, getattr(old, section), getattr(new, section), what)
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
        services = self._workload.services()
        infos = []
        for name in sorted(services if names is None else names):
            service = services.get(name)
            if service is None:
                continue  # Pebble leaves out names it does not know
            current = self._workload.statuses.get(name, pebble.ServiceStatus.INACTIVE)
            infos.append(pebble.ServiceInfo(
                name, startup=pebble.ServiceStartup(service.startup or 'disabled'),
                current=pebble.ServiceStatus(current)))
        return infos

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
        name = signal.Signals(sig).name if isinstance(sig, int) else sig
        known = self._workload.services()
        # Pebble checks the services first, then the signal.
        for service in names:
            status = self._workload.statuses.get(service, pebble.ServiceStatus.INACTIVE)
            if service not in known or status != pebble.ServiceStatus.ACTIVE:
                raise _api_error(500, f'cannot send signal to "{service}": service is not '
                                      f'running')
        if name not in signal.Signals.__members__:
            raise _api_error(500, f'cannot send signal to "{names[0]}": invalid signal name '
                                  f'"{name}"')

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
        # As Pebble: by default the requesting user's (root's) notices and public ones.
        if users is not None and user_id is not None:
            raise _api_error(400, 'cannot use both "users" and "user_id"')
        uid = None if users is not None else (0 if user_id is None else user_id)
        type_set = None if types is None else {
            t.value if isinstance(t, pebble.NoticeType) else t for t in types}
        key_set = None if keys is None else set(keys)
        found = []
        for notice in self._workload.notices.values():
            kind = notice.type.value if isinstance(notice.type, pebble.NoticeType) \
                else notice.type
            if uid is not None and notice.user_id is not None and notice.user_id != uid:
                continue
            if type_set is not None and kind not in type_set:
                continue
            if key_set is not None and notice.key not in key_set:
                continue
            found.append(notice._to_ops())
        found.sort(key=lambda n: n.last_repeated)
        return found

    # -- files -----------------------------------------------------------------------------

    def _local(self, path: str | PurePath) -> Path:
        text = str(path)
        if not text.startswith('/'):
            raise pebble.PathError('generic-file-error', f'paths must be absolute, got '
                                                         f'{text!r}')
        return self._workload.root / text[1:]

    def pull(self, path: str | PurePath, *,  # type: ignore[override]
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        self._check_connection()
        local = self._local(path)
        try:
            return cast('BinaryIO | TextIO',
                        local.open('rb' if encoding is None else 'r', encoding=encoding))
        except FileNotFoundError:
            raise pebble.PathError('not-found',
                                   f'stat {path}: no such file or directory') from None
        except IsADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'can only read a regular file: "{path}"') from None

    def push(self, path: str | PurePath, source: Any, *, encoding: str = 'utf-8',
             make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        local = self._local(path)
        if make_dirs and not local.parent.exists():
            self.make_dir(os.path.dirname(str(path)), make_parents=True)
        try:
            if isinstance(source, str):
                local.write_text(source, encoding=encoding)
            elif isinstance(source, bytes | bytearray | memoryview):
                local.write_bytes(bytes(source))
            else:
                binary = isinstance(source.read(0), bytes)
                with local.open('wb' if binary else 'w',
                                encoding=None if binary else encoding) as f:
                    shutil.copyfileobj(source, f)
            os.chmod(local, 0o644 if permissions is None else permissions)
        except FileNotFoundError:
            raise pebble.PathError(
                'not-found', f'parent directory not found: {os.path.dirname(str(path))}'
            ) from None
        except NotADirectoryError:
            raise pebble.PathError('generic-file-error',
                                   f'open {path}.~: not a directory') from None

    def list_files(self, path: str | PurePath, *, pattern: str | None = None,
                   itself: bool = False) -> list[pebble.FileInfo]:
        self._check_connection()
        local = self._local(path)
        if not local.exists():
            raise _api_error(404, f'stat {path}: no such file or directory')
        files = [local]
        if not itself and local.is_dir():
            files = [local / name for name in sorted(os.listdir(local))]
        if pattern is not None:
            files = [f for f in files if fnmatch.fnmatch(f.name, pattern)]
        return [self._file_info(f) for f in files]

    def _file_info(self, local: Path) -> pebble.FileInfo:
        """*local* described as the container shows it (its path from the container's /)."""
        relative = os.path.relpath(local, self._workload.root)
        shown = '/' if relative == '.' else '/' + relative
        if local.is_symlink():
            kind = pebble.FileType.SYMLINK
        elif local.is_dir():
            kind = pebble.FileType.DIRECTORY
        elif local.is_file():
            kind = pebble.FileType.FILE
        else:
            kind = pebble.FileType.UNKNOWN
        info = local.lstat()
        return pebble.FileInfo(
            path=shown, name='/' if shown == '/' else local.name, type=kind,
            size=info.st_size, permissions=stat.S_IMODE(info.st_mode),
            last_modified=datetime.datetime.fromtimestamp(info.st_mtime),
            user_id=info.st_uid, user=_user_name(info.st_uid), group_id=info.st_gid,
            group=_group_name(info.st_gid))

    def make_dir(self, path: str | PurePath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        self._check_connection()
        _check_permissions(permissions)
        local = self._local(path)
        if not local.parent.exists():
            if not make_parents:
                raise pebble.PathError('not-found', f'parent directory not found: {path}')
            self.make_dir(os.path.dirname(str(path)), make_parents=True,
                          permissions=permissions)
        try:
            local.mkdir()
            os.chmod(local, permissions or 0o755)
        except FileExistsError:
            if not make_parents:
                raise pebble.PathError('generic-file-error',
                                       f'mkdir {path}: file exists') from None
        except NotADirectoryError as e:
            raise pebble.PathError('generic-file-error',
                                   f'not a directory: {e.args[0]}') from None

    def remove_path(self, path: str | PurePath, *, recursive: bool = False) -> None:
        self._check_connection()
        local = self._local(path)
        if not local.exists() and not local.is_symlink():
            if recursive:
                return
            raise pebble.PathError('not-found', f'remove {path}: no such file or directory')
        if local.is_dir() and not local.is_symlink():
            if recursive:
                shutil.rmtree(local)
                return
            try:
                local.rmdir()
            except OSError as e:
                raise pebble.PathError(
                    'generic-file-error',
                    'cannot remove non-empty directory without recursive=True') from e
        else:
            local.unlink()

    # -- commands --------------------------------------------------------------------------

    def _exec_for(self, command: list[str]) -> Exec | None:
        """The container's Exec with the longest prefix of *command* (``[]`` matches all)."""
        container = self._workload.container
        execs = {e.command_prefix: e for e in (container.execs if container else ())}
        for length in range(len(command), -1, -1):
            found = execs.get(tuple(command[:length]))
            if found is not None:
                return found
        return None

    def exec(self, command: list[str], *,
             service_context: str | None = None, environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None, group_id: int | None = None,
             group: str | None = None, stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: TextIO | BinaryIO | None = None, stderr: TextIO | BinaryIO | None = None,
             encoding: str | None = 'utf-8', combine_stderr: bool = False) -> Any:
        self._check_connection()
        name = self._workload.name
        handler = self._exec_for(command)
        if handler is None:
            raise pebble.ExecError[str](
                command, 127, '',
                f'mock for cmd {command} not found. Please patch out whatever leads to the '
                f'call, or pass to the Container {name} a scenario.Exec mock for the command '
                f'your charm is attempting to run, such as '
                f"'Container(..., execs={{scenario.Exec({list(command)}, ...)}})'")
        env = dict(environment or {})
        if service_context is not None:
            # The command runs with the service's environment, user and directory; the
            # arguments given override them.
            service = self._workload.services().get(service_context)
            if service is None:
                raise _api_error(500, f'context service "{service_context}" not found')
            env = {**service.environment, **env}
            working_dir = (service.working_dir or None) if working_dir is None else working_dir
            user = service.user if user is None else user
            user_id = service.user_id if user_id is None else user_id
            group = service.group if group is None else group
            group_id = service.group_id if group_id is None else group_id
        if stdin is not None and not isinstance(stdin, str | bytes):
            stdin = stdin.read()
        args = ExecArgs(command=list(command), environment=env,
                        working_dir=None if working_dir is None else str(working_dir),
                        timeout=timeout, user_id=user_id, user=user, group_id=group_id,
                        group=group, stdin=stdin, encoding=encoding,
                        combine_stderr=combine_stderr)
        self._workload.exec_history.setdefault(name, []).append(args)
        out_text, err_text = handler.stdout, handler.stderr
        if combine_stderr:
            out_text, err_text = out_text + err_text, ''
        proc_stdin = _stream('', encoding) if stdin is None else None
        proc_stdout = _deliver(out_text, encoding, stdout)
        proc_stderr = None if combine_stderr else _deliver(err_text, encoding, stderr)
        return ScenarioExecProcess(args, handler.return_code, handler._run(), proc_stdin,
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


def _combine(label: str, mine: dict[str, Any], theirs: Mapping[str, Any], what: str) -> None:
    """Lay one section of a layer over the same section of layer *label* (``combine``)."""
    for name, item in theirs.items():
        if not item.override:
            raise RuntimeError(f'500 Internal Server Error: layer "{label}" must define '
                               f'"override" for {what} "{name}"')
        if item.override not in ('merge', 'replace'):
            raise RuntimeError(f'500 Internal Server Error: layer "{label}" has invalid '
                               f'"override" value for {what} "{name}"')
        if item.override == 'merge' and name in mine:
            mine[name]._merge(item)
        else:
            mine[name] = item


def _check_permissions(permissions: int | None) -> None:
    if permissions is not None and not 0 <= permissions <= 0o777:
        raise pebble.PathError('generic-file-error',
                               f'permissions not within 0o000 to 0o777: {permissions:#o}')


def _user_name(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _group_name(gid: int) -> str | None:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return None

