"""The workload containers of a Kubernetes charm's unit, each reached through its Pebble.

A :class:`Container` is a thin, typed face over the container's :class:`reactops.pebble.Client`
(``/charm/containers/<name>/pebble.socket`` under Juju): it adds the checks a charm author
expects (at least one service name, a service or check that must exist) and the recursive
file copies Pebble's API lacks. Only charms that declare containers load this module, and
with it the Pebble client; a machine charm's hook never does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .. import pebble as _pebble
from .._private.lazylog import get_logger
from .._private.typing import TYPE_CHECKING, TypeVar, overload
from ..errors import ModelError

if TYPE_CHECKING:
    # pathlib (with re, urllib.parse...) and typing load only when a tree is copied, or not.
    import datetime
    from collections.abc import Callable, Generator, Iterable, Iterator
    from pathlib import Path, PurePath
    from typing import Any, BinaryIO, TextIO

    from .._private.backend import ModelBackend

__all__ = ['CheckInfoMapping', 'Container', 'ContainerMapping', 'LazyCheckInfo', 'LazyNotice',
           'MultiPushPullError', 'ServiceInfoMapping']

logger = get_logger('reactops.model')

SOCKET_TEMPLATE = '/charm/containers/{name}/pebble.socket'
"""Where Juju mounts each container's Pebble socket in the charm container."""


class MultiPushPullError(Exception):
    """Some files of a :meth:`Container.push_path` or :meth:`Container.pull_path` failed.

    The copy goes on past a failure, so that one bad file does not leave the rest uncopied;
    :attr:`errors` lists every ``(source path, exception)``.
    """

    message: str
    """What was being done."""

    errors: list[tuple[str, Exception]]
    """Each failure: the source path being copied and what went wrong."""

    def __init__(self, message: str, errors: list[tuple[str, Exception]]):
        self.message = message
        self.errors = errors

    def __str__(self) -> str:
        return f'{self.message} ({len(self.errors)} errors): {self.errors[0][1]}, ...'

    def __repr__(self) -> str:
        return f'MultiPushPullError({self.message!r}, {len(self.errors)} errors)'


def _need_names(names: tuple[str, ...], what: str, noun: str = 'argument') -> None:
    if not names:
        raise TypeError(f'{what} expected at least 1 {noun}, got 0')


class Container:
    """A workload container of this unit, driven through its Pebble.

    Get one from :attr:`Unit.containers` or :meth:`Unit.get_container`. Every call goes to
    Pebble: a failed or timed-out change raises :class:`pebble.ChangeError` or
    :class:`pebble.TimeoutError`, a request Pebble refuses :class:`pebble.APIError`, and a
    Pebble that cannot be reached :class:`pebble.ConnectionError` (:meth:`can_connect` tells
    beforehand, though Pebble may still go away after it answered).
    """

    name: str
    """The container's name in ``metadata.yaml``."""

    def __init__(self, name: str, backend: ModelBackend,
                 pebble_client: _pebble.Client | None = None):
        self.name = name
        self._juju_version = backend._juju_context.version
        if pebble_client is None:
            pebble_client = backend.get_pebble(SOCKET_TEMPLATE.format(name=name))
        self._pebble: _pebble.Client = pebble_client

    def __repr__(self) -> str:
        return f'<reactops.model.Container {self.name}>'

    @property
    def pebble(self) -> _pebble.Client:
        """The container's Pebble client, for what this class does not wrap."""
        return self._pebble

    def can_connect(self) -> bool:
        """Whether Pebble answers right now (a snapshot: it may stop answering later)."""
        try:
            self._pebble.get_system_info()
        except _pebble.ConnectionError as error:
            logger.debug('Pebble in container %r is not reachable: %s', self.name, error)
            return False
        except FileNotFoundError as error:
            # Juju may run a hook before Pebble has created its socket.
            logger.debug('Pebble socket of container %r is not there yet: %s', self.name, error)
            return False
        except _pebble.APIError as error:
            # Pebble answered, but not with a readable reply: something is wrong with it.
            logger.warning('Pebble in container %r answered badly: %s', self.name, error)
            return False
        return True

    # Services and the plan.

    def autostart(self) -> None:
        """Start every service whose ``startup`` is ``enabled``."""
        self._pebble.autostart_services()

    def replan(self) -> None:
        """Bring services in line with the plan: restart changed ones, start enabled ones."""
        self._pebble.replan_services()

    def start(self, *service_names: str) -> None:
        """Start the named services."""
        _need_names(service_names, 'start')
        self._pebble.start_services(service_names)

    def restart(self, *service_names: str) -> None:
        """Restart the named services (a stopped one is just started).

        A Pebble too old for the ``restart`` action answers 400: the running ones are then
        stopped and all of them started.
        """
        _need_names(service_names, 'restart')
        try:
            self._pebble.restart_services(service_names)
        except _pebble.APIError as error:
            if error.code != 400:
                raise
            running = tuple(info.name for info in self.get_services(*service_names).values()
                            if info.is_running())
            if running:
                self._pebble.stop_services(running)
            self._pebble.start_services(service_names)

    def stop(self, *service_names: str) -> None:
        """Stop the named services."""
        _need_names(service_names, 'stop')
        self._pebble.stop_services(service_names)

    def send_signal(self, sig: int | str, *service_names: str) -> None:
        """Send *sig* (``'SIGHUP'``, ``1`` or ``signal.SIGHUP``) to the named services."""
        _need_names(service_names, 'send_signal', 'service name')
        self._pebble.send_signal(sig, service_names)

    def add_layer(self, label: str, layer: str | _pebble.LayerDict | _pebble.Layer, *,
                  combine: bool = False) -> None:
        """Add a configuration layer (YAML text, a dict or a :class:`pebble.Layer`).

        Without *combine* the label must be new and the layer goes on top; with it, a layer
        of that label already there is merged with this one by Pebble's override rules.
        The plan changes at once; services change on :meth:`replan` or :meth:`restart`.
        """
        self._pebble.add_layer(label, layer, combine=combine)

    def get_plan(self) -> _pebble.Plan:
        """The plan all layers combine into, as it is now."""
        return self._pebble.get_plan()

    def get_services(self, *service_names: str) -> ServiceInfoMapping:
        """The status of the named services, or of every service, by name."""
        return ServiceInfoMapping(self._pebble.get_services(service_names or None))

    def get_service(self, service_name: str) -> _pebble.ServiceInfo:
        """The status of one service; :class:`ModelError` if the plan has no such service."""
        services = self.get_services(service_name)
        if not services:
            raise ModelError(f'service {service_name!r} not found')
        if len(services) > 1:
            raise RuntimeError(f'expected 1 service, got {len(services)}')
        return services[service_name]

    # Health checks.

    def get_checks(self, *check_names: str,
                   level: _pebble.CheckLevel | None = None) -> CheckInfoMapping:
        """The named checks (or all), optionally only those of *level*, by name."""
        return CheckInfoMapping(self._pebble.get_checks(names=check_names or None,
                                                        level=level))

    def get_check(self, check_name: str) -> _pebble.CheckInfo:
        """One check; :class:`ModelError` if there is no such check."""
        checks = self.get_checks(check_name)
        if not checks:
            raise ModelError(f'check {check_name!r} not found')
        if len(checks) > 1:
            raise RuntimeError(f'expected 1 check, got {len(checks)}')
        return checks[check_name]

    def start_checks(self, *check_names: str) -> list[str]:
        """Start the named checks; returns those that were not already running."""
        _need_names(check_names, 'start-checks')
        return self._pebble.start_checks(check_names)

    def stop_checks(self, *check_names: str) -> list[str]:
        """Stop the named checks; returns those that were running.

        Stopping a health check turns off monitoring, so each one is logged as a security
        event.
        """
        _need_names(check_names, 'stop-checks')
        stopped = self._pebble.stop_checks(check_names)
        if stopped:
            from .._private.security import WARN, log_security_event

            for check in stopped:
                log_security_event(WARN, 'sys_monitor_disabled', f'{os.getuid()},{check}',
                                   description=f'Stopped check {check}')
        return stopped

    # Notices.

    def get_notice(self, id: str) -> _pebble.Notice:
        """One notice by id; :class:`ModelError` if Pebble has none with that id."""
        try:
            return self._pebble.get_notice(id)
        except _pebble.APIError as error:
            if error.code == 404:
                raise ModelError(f'notice {id!r} not found') from error
            raise

    def get_notices(self, *, users: _pebble.NoticesUsers | None = None,
                    user_id: int | None = None,
                    types: Iterable[_pebble.NoticeType | str] | None = None,
                    keys: Iterable[str] | None = None) -> list[_pebble.Notice]:
        """The notices matching every filter given (see :meth:`pebble.Client.get_notices`)."""
        return self._pebble.get_notices(users=users, user_id=user_id, types=types, keys=keys)

    # Files.

    @overload
    def pull(self, path: str | PurePath, *, encoding: None) -> BinaryIO: ...
    @overload
    def pull(self, path: str | PurePath, *, encoding: str = 'utf-8') -> TextIO: ...
    def pull(self, path: str | PurePath, *,
             encoding: str | None = 'utf-8') -> BinaryIO | TextIO:
        """Open a file of the container for reading (text, or bytes with ``encoding=None``).

        Use it in a ``with`` block so it is closed. :class:`pebble.PathError` if it cannot be
        read (missing, a directory, ...).
        """
        return self._pebble.pull(path, encoding=encoding)

    def push(self, path: str | PurePath, source: bytes | str | BinaryIO | TextIO, *,
             encoding: str = 'utf-8', make_dirs: bool = False, permissions: int | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None) -> None:
        """Write *source* (text, bytes or a readable file) to *path* in the container.

        *make_dirs* creates missing parent directories; *permissions* default to Pebble's
        0o644; the owner is given by id and/or name (a group only with a user).
        """
        self._pebble.push(path, source, encoding=encoding, make_dirs=make_dirs,
                          permissions=permissions, user_id=user_id, user=user,
                          group_id=group_id, group=group)

    def list_files(self, path: str | PurePath, *, pattern: str | None = None,
                   itself: bool = False) -> list[_pebble.FileInfo]:
        """The entries of a directory (files and directories), or a file's own entry.

        *pattern* filters by glob (``*.conf``); *itself* describes a directory rather than
        listing it.
        """
        return self._pebble.list_files(path, pattern=pattern, itself=itself)

    def exists(self, path: str | PurePath) -> bool:
        """Whether *path* exists in the container."""
        return self._stat(path) is not None

    def isdir(self, path: str | PurePath) -> bool:
        """Whether *path* is a directory in the container."""
        info = self._stat(path)
        return info is not None and info.type == _pebble.FileType.DIRECTORY

    def _stat(self, path: str | PurePath) -> _pebble.FileInfo | None:
        try:
            found = self._pebble.list_files(path, itself=True)
        except _pebble.APIError as error:
            if error.code == 404:
                return None
            raise
        return found[0]

    def make_dir(self, path: str | PurePath, *, make_parents: bool = False,
                 permissions: int | None = None, user_id: int | None = None,
                 user: str | None = None, group_id: int | None = None,
                 group: str | None = None) -> None:
        """Create a directory (Pebble's default mode 0o755); *make_parents* as ``mkdir -p``."""
        self._pebble.make_dir(path, make_parents=make_parents, permissions=permissions,
                              user_id=user_id, user=user, group_id=group_id, group=group)

    def remove_path(self, path: str | PurePath, *, recursive: bool = False) -> None:
        """Remove a file or an empty directory; with *recursive*, like ``rm -rf``.

        Without *recursive*, :class:`pebble.PathError` if it is missing or a non-empty
        directory; with it, a missing path is no error.
        """
        self._pebble.remove_path(path, recursive=recursive)

    def push_path(self, source_path: str | Path | Iterable[str | Path],
                  dest_dir: str | PurePath) -> None:
        """Copy local files and directories, recursively, into *dest_dir* in the container.

        A directory lands under its own name (``/src/conf`` → ``<dest_dir>/conf/...``); a path
        ending in ``/*`` copies the directory's contents instead. Only regular files and
        directories are copied, keeping their mode and owner. Every path is tried; the
        failures are raised together as one :class:`MultiPushPullError`.
        """
        from pathlib import Path

        sources = [Path(p) for p in _as_paths(source_path)]
        destination = Path(dest_dir)
        errors: list[tuple[str, Exception]] = []
        for source in sources:
            try:
                for info in Container._list_recursive(_local_listing, source):
                    target = Container._build_destpath(info.path, source, destination)
                    if info.type is _pebble.FileType.DIRECTORY:
                        self.make_dir(target, make_parents=True)
                        continue
                    with open(info.path, 'rb') as stream:
                        self.push(target, stream, make_dirs=True,
                                  permissions=info.permissions, user_id=info.user_id,
                                  user=info.user, group_id=info.group_id, group=info.group)
            except (OSError, _pebble.Error) as error:
                errors.append((str(source), error))
        if errors:
            raise MultiPushPullError('failed to push one or more files', errors)

    def pull_path(self, source_path: str | PurePath | Iterable[str | PurePath],
                  dest_dir: str | Path) -> None:
        """Copy files and directories of the container, recursively, into local *dest_dir*.

        The same naming rules as :meth:`push_path`; failures are collected into one
        :class:`MultiPushPullError`.
        """
        from pathlib import Path

        sources = [Path(p) for p in _as_paths(source_path)]
        destination = Path(dest_dir)
        errors: list[tuple[str, Exception]] = []
        for source in sources:
            try:
                for info in Container._list_recursive(self.list_files, source):
                    target = Container._build_destpath(info.path, source, destination)
                    if info.type is _pebble.FileType.DIRECTORY:
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with self.pull(info.path, encoding=None) as remote, \
                            target.open('wb') as local:
                        _copy(remote, local)
            except (OSError, _pebble.Error) as error:
                errors.append((str(source), error))
        if errors:
            raise MultiPushPullError('failed to pull one or more files', errors)

    @staticmethod
    def _list_recursive(list_func: Callable[[Path], Iterable[_pebble.FileInfo]],
                        path: Path) -> Generator[_pebble.FileInfo, None, None]:
        """Every file and directory under *path* (``dir/*`` lists ``dir``), depth first.

        *list_func* lists one directory, or gives a file's own entry. Directories come
        before their contents; other kinds of entries (devices, sockets) are skipped.
        """
        from pathlib import Path

        if path.name == '*':
            path = path.parent
        for info in list_func(path):
            if info.type is _pebble.FileType.DIRECTORY:
                yield info
                yield from Container._list_recursive(list_func, Path(info.path))
            elif info.type in (_pebble.FileType.FILE, _pebble.FileType.SYMLINK):
                yield info
            else:
                logger.debug('not copying %s: only files and directories are', info.path)

    @staticmethod
    def _build_destpath(file_path: str | Path, source_path: str | Path,
                        dest_dir: str | Path) -> Path:
        """Where *file_path*, found under *source_path*, lands in *dest_dir*.

        The part of *file_path* below *source_path*'s parent is kept, so a copied directory
        keeps its own name.
        """
        from pathlib import Path

        file_path, source_path = Path(file_path), Path(source_path)
        prefix = str(source_path.parent)
        if prefix != '.' and os.path.commonpath([prefix, str(file_path)]) != prefix:
            raise RuntimeError(f'file "{file_path}" does not have specified prefix "{prefix}"')
        return Path(dest_dir) / os.path.relpath(str(file_path), prefix)

    # Running commands.

    @overload
    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None,
             stdin: str | TextIO | None = None, stdout: TextIO | None = None,
             stderr: TextIO | None = None, encoding: str = 'utf-8',
             combine_stderr: bool = False) -> _pebble.ExecProcess[str]: ...
    @overload
    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None,
             stdin: bytes | BinaryIO | None = None, stdout: BinaryIO | None = None,
             stderr: BinaryIO | None = None, encoding: None,
             combine_stderr: bool = False) -> _pebble.ExecProcess[bytes]: ...
    def exec(self, command: list[str], *, service_context: str | None = None,
             environment: dict[str, str] | None = None,
             working_dir: str | PurePath | None = None, timeout: float | None = None,
             user_id: int | None = None, user: str | None = None,
             group_id: int | None = None, group: str | None = None,
             stdin: str | bytes | TextIO | BinaryIO | None = None,
             stdout: TextIO | BinaryIO | None = None,
             stderr: TextIO | BinaryIO | None = None, encoding: str | None = 'utf-8',
             combine_stderr: bool = False) -> _pebble.ExecProcess[Any]:
        """Run *command* in the container (see :meth:`pebble.Client.exec` for the arguments).

        *service_context* (run with a service's environment, user and directory) needs
        Juju 3.1.6 or later: on an older Juju this raises :class:`RuntimeError`. The
        process's ``wait`` raises :class:`pebble.ExecError` on a non-zero exit.
        """
        version = self._juju_version
        if service_context is not None and not version.supports_exec_service_context:
            raise RuntimeError(f'exec with service_context not supported on Juju version '
                               f'{version}')
        run: Any = self._pebble.exec  # one call for both overloads (text and bytes)
        return run(  # type: ignore[no-any-return]
            command, service_context=service_context, environment=environment,
            working_dir=working_dir, timeout=timeout, user_id=user_id, user=user,
            group_id=group_id, group=group, stdin=stdin, stdout=stdout, stderr=stderr,
            encoding=encoding, combine_stderr=combine_stderr)


def _as_paths(source: Any) -> list[Any]:
    """One path, or an iterable of them, as a list (a str is one path)."""
    if isinstance(source, str) or not hasattr(source, '__iter__'):
        return [source]
    return list(source)


def _local_listing(path: Path) -> list[_pebble.FileInfo]:
    """A local directory's entries, or a local file's own entry, as Pebble would list them."""
    from .._private.pebble_files import file_info

    entries = path.iterdir() if path.is_dir() else [path]
    return [file_info(entry) for entry in entries]


_V = TypeVar('_V')


class _ByName(Mapping[str, _V]):
    """A read-only mapping by name, which a future release may widen without breaking."""

    def __init__(self, items: dict[str, _V]):
        self._items = items

    def __getitem__(self, key: str) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)


class ContainerMapping(_ByName[Container]):
    """This unit's containers by name (read-only)."""

    def __init__(self, names: Iterable[str], backend: ModelBackend):
        super().__init__({name: Container(name, backend) for name in names})


class ServiceInfoMapping(_ByName['_pebble.ServiceInfo']):
    """Service statuses by service name (read-only)."""

    def __init__(self, services: Iterable[_pebble.ServiceInfo]):
        super().__init__({service.name: service for service in services})


class CheckInfoMapping(_ByName['_pebble.CheckInfo']):
    """Health checks by check name (read-only)."""

    def __init__(self, checks: Iterable[_pebble.CheckInfo]):
        super().__init__({check.name: check for check in checks})


class LazyNotice:
    """A notice named by a workload event: id, type and key are known at once; the rest
    (occurrences, data, times) is fetched from Pebble on first use, then kept."""

    id: str
    type: _pebble.NoticeType | str
    key: str
    # Read from Pebble on first use:
    user_id: int | None
    first_occurred: datetime.datetime
    last_occurred: datetime.datetime
    last_repeated: datetime.datetime
    occurrences: int
    last_data: dict[str, str]
    repeat_after: datetime.timedelta | None
    expire_after: datetime.timedelta | None

    def __init__(self, container: Container, id: str, type: str, key: str):
        self._container = container
        self.id = id
        try:
            self.type = _pebble.NoticeType(type)
        except ValueError:
            self.type = type
        self.key = key
        self._notice: _pebble.Notice | None = None

    def __repr__(self) -> str:
        kind = self.type if isinstance(self.type, _pebble.NoticeType) else repr(self.type)
        return f'LazyNotice(id={self.id!r}, type={kind}, key={self.key!r})'

    def __getattr__(self, name: str) -> Any:
        # Reached only for what the event did not carry.
        if name.startswith('_'):
            raise AttributeError(name)
        if self._notice is None:
            self._notice = self._container.get_notice(self.id)
        return getattr(self._notice, name)


class LazyCheckInfo:
    """A health check named by a workload event: its name is known at once; its status,
    level and counts are fetched from Pebble on first use, then kept."""

    name: str
    # Read from Pebble on first use:
    level: _pebble.CheckLevel | str | None
    startup: _pebble.CheckStartup
    status: _pebble.CheckStatus | str
    successes: int | None
    failures: int
    threshold: int
    change_id: _pebble.ChangeID | None

    def __init__(self, container: Container, name: str):
        self._container = container
        self.name = name
        self._info: _pebble.CheckInfo | None = None

    def __repr__(self) -> str:
        return f'LazyCheckInfo(name={self.name!r})'

    def __getattr__(self, name: str) -> Any:
        if name.startswith('_'):
            raise AttributeError(name)
        if self._info is None:
            self._info = self._container.get_check(self.name)
        return getattr(self._info, name)


def _copy(source: Any, target: Any) -> None:
    """Copy one open file to another (shutil, loaded only by a hook that pulls a tree)."""
    import shutil

    shutil.copyfileobj(source, target)
