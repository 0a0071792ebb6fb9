"""An in-memory Pebble for the Harness: what ``ops._private.harness._TestingPebbleClient`` is.

:class:`_TestingPebbleClient` answers like :class:`reactops.pebble.Client` without a
daemon: layers combine into a plan, services only change state (nothing runs), files live
under a directory that stands for the container's root filesystem, and ``exec`` is
answered by handlers registered per command prefix (:data:`ExecHandler`). The model does
not reach containers through the Harness yet (Pebble and containers are the next step);
the client works on its own.
"""

from __future__ import annotations

import datetime
import fnmatch
import io
import shutil
import signal as _signal
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, TextIO, cast

from .. import pebble
from ._harness_results import ExecArgs, ExecHandler, ExecResult

__all__ = ['_TestingExecProcess', '_TestingPebbleClient']

_Layerish = str | dict[str, Any] | pebble.Layer


def _api_error(code: int, message: str) -> pebble.APIError:
    status = {400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error'}[code]
    body = {'type': 'error', 'status-code': code, 'status': status,
            'result': {'message': message}}
    return pebble.APIError(body, code, status, message)


class _TestingExecProcess:
    """A finished simulated process: its exit code and output, as :class:`ExecProcess`
    reports them (``wait`` raises :class:`~reactops.pebble.ExecError` on failure)."""

    def __init__(self, command: list[str], result: ExecResult, encoding: str | None):
        self._command = command
        self._encoding = encoding
        self._exit_code = result.exit_code
        self._stdout = self._convert(result.stdout)
        self._stderr = self._convert(result.stderr)
        self.stdout = io.StringIO(self._stdout) if isinstance(self._stdout, str) \
            else io.BytesIO(self._stdout)
        self.stderr = io.StringIO(self._stderr) if isinstance(self._stderr, str) \
            else io.BytesIO(self._stderr)
        self.stdin = None

    def _convert(self, output: str | bytes) -> str | bytes:
        if self._encoding is None:
            return output.encode() if isinstance(output, str) else output
        return output.decode(self._encoding) if isinstance(output, bytes) else output

    def wait(self) -> None:
        """Return if the process succeeded; else raise its :class:`ExecError`."""
        if self._exit_code != 0:
            raise pebble.ExecError[str](self._command, self._exit_code, None, None)

    def wait_output(self) -> tuple[str | bytes, str | bytes]:
        """Its stdout and stderr; :class:`ExecError` (with them) if it failed."""
        if self._exit_code != 0:
            raise pebble.ExecError[Any](self._command, self._exit_code, self._stdout,
                                        self._stderr)
        return self._stdout, self._stderr

    def send_signal(self, sig: int | str) -> None:
        """The process has finished: nothing to signal."""


class _TestingPebbleClient:
    """A Pebble client whose Pebble is in memory (see the module docstring)."""

    def __init__(self, backend: Any, container_root: Path):
        self._backend = backend
        self._root = Path(container_root)
        self._root.mkdir(parents=True, exist_ok=True)
        self._layers: dict[str, pebble.Layer] = {}
        self._status: dict[str, pebble.ServiceStatus] = {}
        self._exec_handlers: dict[tuple[str, ...], ExecHandler] = {}

    def _handle_exec(self, command_prefix: Sequence[str], handler: ExecHandler) -> None:
        self._exec_handlers[tuple(command_prefix)] = handler

    # -- system, layers, plan --------------------------------------------------------------

    def get_system_info(self) -> pebble.SystemInfo:
        return pebble.SystemInfo(version='1.0.0')

    def add_layer(self, label: str, layer: _Layerish, *, combine: bool = False) -> None:
        """Add a layer; with *combine*, lay it over the layer of the same label by each
        item's ``override`` (``merge`` or ``replace``, which it must have)."""
        if not isinstance(layer, (str, dict, pebble.Layer)):
            raise TypeError(f'layer must be str, dict, or pebble.Layer, not '
                            f'{type(layer).__name__}')
        raw = layer.to_dict() if isinstance(layer, pebble.Layer) else layer
        new = pebble.Layer(cast('str | pebble.LayerDict', raw))
        old = self._layers.get(label)
        if old is None:
            self._layers[label] = new
            return
        if not combine:
            raise _api_error(400, f'layer "{label}" already exists')
        for section in ('services', 'checks', 'log_targets'):
            mine, theirs = getattr(old, section), getattr(new, section)
            for name, item in theirs.items():
                if name not in mine:
                    mine[name] = item
                elif item.override == 'replace':
                    mine[name] = item
                elif item.override == 'merge':
                    mine[name]._merge(item)
                else:
                    raise _api_error(400, f'layer "{label}" must define "override" for '
                                          f'{section[:-1]} "{name}"')

    def _combined(self, section: str) -> dict[str, Any]:
        combined: dict[str, Any] = {}
        for layer in self._layers.values():
            for name, item in getattr(layer, section).items():
                if name in combined and item.override == 'merge':
                    merged = type(item)(name, combined[name].to_dict())
                    merged._merge(item)
                    combined[name] = merged
                else:
                    combined[name] = type(item)(name, item.to_dict())
        return combined

    def get_plan(self) -> pebble.Plan:
        plan = {'services': {n: s.to_dict() for n, s in self._combined('services').items()},
                'checks': {n: c.to_dict() for n, c in self._combined('checks').items()},
                'log-targets': {n: t.to_dict()
                                for n, t in self._combined('log_targets').items()}}
        return pebble.Plan({k: v for k, v in plan.items() if v})  # type: ignore[arg-type]

    # -- services --------------------------------------------------------------------------

    def get_services(self, names: Iterable[str] | None = None) -> list[pebble.ServiceInfo]:
        if isinstance(names, str):
            raise TypeError(f'names should be a list of names, not just "{names}"')
        wanted = None if names is None else set(names)
        infos = []
        for name, service in sorted(self._combined('services').items()):
            if wanted is not None and name not in wanted:
                continue
            startup = pebble.ServiceStartup(service.startup or 'disabled')
            current = self._status.get(name, pebble.ServiceStatus.INACTIVE)
            infos.append(pebble.ServiceInfo(name, startup, current))
        return infos

    def _change_services(self, verb: str, services: Iterable[str],
                         status: pebble.ServiceStatus) -> pebble.ChangeID:
        if isinstance(services, str):
            raise TypeError(f'{verb}_services should take a list of names, not just '
                            f'"{services}"')
        names = list(services)
        known = self._combined('services')
        for name in names:
            if name not in known:
                raise _api_error(400, f'cannot {verb} services: service "{name}" does not '
                                      f'exist')
        for name in names:
            self._status[name] = status
        return pebble.ChangeID(str(uuid.uuid4()))

    def start_services(self, services: Iterable[str], timeout: float = 30.0,
                       delay: float = 0.1) -> pebble.ChangeID:
        return self._change_services('start', services, pebble.ServiceStatus.ACTIVE)

    def stop_services(self, services: Iterable[str], timeout: float = 30.0,
                      delay: float = 0.1) -> pebble.ChangeID:
        return self._change_services('stop', services, pebble.ServiceStatus.INACTIVE)

    def restart_services(self, services: Iterable[str], timeout: float = 30.0,
                         delay: float = 0.1) -> pebble.ChangeID:
        return self._change_services('restart', services, pebble.ServiceStatus.ACTIVE)

    def autostart_services(self, timeout: float = 30.0, delay: float = 0.1) -> None:
        """Start the services whose startup is ``enabled``."""
        for name, service in self._combined('services').items():
            if service.startup == 'enabled':
                self._status[name] = pebble.ServiceStatus.ACTIVE

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> None:
        self.autostart_services(timeout, delay)

    def send_signal(self, sig: int | str, service_names: Iterable[str]) -> None:
        names = list(service_names)
        if not names:
            raise TypeError('send_signal expects at least one service name')
        name = sig if isinstance(sig, str) else _signal.Signals(sig).name
        if name not in _signal.Signals.__members__:
            raise _api_error(500, f'cannot send signal "{name}": invalid signal name')
        for service in names:
            if self._status.get(service) != pebble.ServiceStatus.ACTIVE:
                raise _api_error(500, f'cannot send signal to "{service}": service is not '
                                      f'running')

    # -- files -----------------------------------------------------------------------------

    def _local(self, path: str | PurePosixPath) -> Path:
        text = str(path)
        if not text.startswith('/'):
            raise pebble.PathError('generic-file-error', f'paths must be absolute, got '
                                                         f'{text!r}')
        return self._root / text.lstrip('/')

    def push(self, path: str | PurePosixPath, source: Any, *, encoding: str = 'utf-8',
             make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None) -> None:
        target = self._local(path)
        if not target.parent.is_dir():
            if not make_dirs:
                raise pebble.PathError('not-found', f'parent directory not found: '
                                                    f'{PurePosixPath(str(path)).parent}')
            target.parent.mkdir(parents=True)
        if hasattr(source, 'read'):
            source = source.read()
        data = source.encode(encoding) if isinstance(source, str) else bytes(source)
        target.write_bytes(data)
        if permissions is not None:
            target.chmod(permissions)

    def pull(self, path: str | PurePosixPath, *,
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        source = self._local(path)
        if not source.exists():
            raise pebble.PathError('not-found', f'stat {path}: no such file or directory')
        if source.is_dir():
            raise pebble.PathError('generic-file-error', f'can only read a regular file: '
                                                         f'"{path}"')
        data = source.read_bytes()
        if encoding is None:
            return io.BytesIO(data)
        return io.StringIO(data.decode(encoding))

    def _info(self, local: Path, shown: PurePosixPath) -> pebble.FileInfo:
        stat = local.lstat()
        kind = pebble.FileType.SYMLINK if local.is_symlink() else \
            pebble.FileType.DIRECTORY if local.is_dir() else pebble.FileType.FILE
        return pebble.FileInfo(
            path=str(shown), name=shown.name or '/', type=kind,
            size=stat.st_size if kind is pebble.FileType.FILE else None,
            permissions=stat.st_mode & 0o7777,
            last_modified=datetime.datetime.fromtimestamp(stat.st_mtime),
            user_id=stat.st_uid, user=None, group_id=stat.st_gid, group=None)

    def list_files(self, path: str | PurePosixPath, *, pattern: str | None = None,
                   itself: bool = False) -> list[pebble.FileInfo]:
        local, shown = self._local(path), PurePosixPath(str(path))
        if not local.exists():
            raise pebble.PathError('not-found', f'stat {path}: no such file or directory')
        if itself or not local.is_dir():
            return [self._info(local, shown)]
        return [self._info(child, shown / child.name) for child in sorted(local.iterdir())
                if pattern is None or fnmatch.fnmatch(child.name, pattern)]

    def make_dir(self, path: str | PurePosixPath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        local = self._local(path)
        if local.exists():
            if make_parents and local.is_dir():
                return
            raise pebble.PathError('generic-file-error', f'mkdir {path}: file exists')
        if not local.parent.is_dir() and not make_parents:
            raise pebble.PathError('not-found', f'mkdir {path}: no such file or directory')
        local.mkdir(parents=make_parents)
        if permissions is not None:
            local.chmod(permissions)

    def remove_path(self, path: str | PurePosixPath, *, recursive: bool = False) -> None:
        local = self._local(path)
        if not local.exists() and not local.is_symlink():
            if recursive:
                return
            raise pebble.PathError('not-found', f'remove {path}: no such file or directory')
        if local.is_dir() and not local.is_symlink():
            if recursive:
                shutil.rmtree(local)
            elif any(local.iterdir()):
                raise pebble.PathError('generic-file-error', 'cannot remove non-empty '
                                                             'directory without recursive=True')
            else:
                local.rmdir()
        else:
            local.unlink()

    # -- exec ------------------------------------------------------------------------------

    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None, working_dir: str | None = None,
             timeout: float | None = None, user_id: int | None = None,
             user: str | None = None, group_id: int | None = None, group: str | None = None,
             stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: Any = None, stderr: Any = None, encoding: str | None = 'utf-8',
             combine_stderr: bool = False) -> _TestingExecProcess:
        """Answer with the handler of the longest registered prefix of *command*."""
        handler = None
        for length in range(len(command), -1, -1):
            handler = self._exec_handlers.get(tuple(command[:length]))
            if handler is not None:
                break
        if handler is None:
            raise RuntimeError(f'no exec handler for {command!r}: register one with '
                               f'harness.handle_exec()')
        if stdin is not None and hasattr(stdin, 'read'):
            stdin = stdin.read()
        args = ExecArgs(command=list(command), environment=dict(environment or {}),
                        working_dir=working_dir, timeout=timeout, user_id=user_id,
                        user=user, group_id=group_id, group=group,
                        stdin=stdin,
                        encoding=encoding, combine_stderr=combine_stderr)
        result = handler(args) or ExecResult()
        process = _TestingExecProcess(list(command), result, encoding)
        if stdout is not None:
            stdout.write(process.stdout.read())
        if stderr is not None:
            stderr.write(process.stderr.read())
        return process
